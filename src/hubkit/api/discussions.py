"""Discussions and pull requests (``create_discussion``, ``merge_pull_request``, ...): issue 10."""

from __future__ import annotations

from ._base import ApiBase

PUBLIC: tuple[str, ...] = ()


class DiscussionMixin(ApiBase):
    pass
