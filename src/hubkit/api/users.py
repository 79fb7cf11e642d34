"""Identity and accounts (``whoami``, user and organization pages): issue 5."""

from __future__ import annotations

from ._base import ApiBase

PUBLIC: tuple[str, ...] = ()


class UserMixin(ApiBase):
    pass
