"""Listing and search (``list_models``, ``list_datasets``, ``list_spaces``): issue 5."""

from __future__ import annotations

from ._base import ApiBase

PUBLIC: tuple[str, ...] = ()


class ListingMixin(ApiBase):
    pass
