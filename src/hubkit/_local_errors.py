"""Errors that need no HTTP stack (cache, paths, validation), so that the cache and the path
checks import without httpx. ``hubkit.errors`` re-exports them: catch them from there."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class CacheNotFound(Exception):
    """The cache directory to scan does not exist. ``cache_dir`` says which one was looked at."""

    cache_dir: str | Path

    def __init__(self, msg: str, cache_dir: str | Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(msg, *args, **kwargs)
        self.cache_dir = cache_dir


class CorruptedCacheException(Exception):
    """Something in the cache does not have the expected shape (reported, not raised, by scans)."""


class HFValidationError(ValueError):
    """An argument (typically a ``repo_id``) is malformed; nothing was sent to the Hub."""


class FileMetadataError(OSError):
    """The metadata answer for a file lacks what the cache needs (commit, ETag, size) or is unsafe."""
