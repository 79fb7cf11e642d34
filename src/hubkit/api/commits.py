"""Commits and uploads (``create_commit``, ``upload_file``, ``upload_folder``, ...): issue 4."""

from __future__ import annotations

from ._base import ApiBase

PUBLIC: tuple[str, ...] = ()


class CommitMixin(ApiBase):
    pass
