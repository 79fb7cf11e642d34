"""Repository management and browsing (``create_repo`` ... ``list_repo_tree``): issue 5."""

from __future__ import annotations

from ._base import ApiBase

PUBLIC: tuple[str, ...] = ()


class RepoMixin(ApiBase):
    pass
