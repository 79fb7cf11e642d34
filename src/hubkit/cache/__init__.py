"""The local cache shared with ``huggingface_hub``: layout, lookups, tree listings, scans."""

from .layout import _CACHED_NO_EXIST, are_symlinks_supported, try_to_load_from_cache
from .scan import (
    CachedFileInfo,
    CachedIncompleteFileInfo,
    CachedRepoInfo,
    CachedRevisionInfo,
    DeleteCacheStrategy,
    HFCacheInfo,
    scan_cache_dir,
)
from .tree import TreeCacheEntry, read_tree_cache, write_tree_cache

__all__ = [
    "_CACHED_NO_EXIST",
    "CachedFileInfo",
    "CachedIncompleteFileInfo",
    "CachedRepoInfo",
    "CachedRevisionInfo",
    "DeleteCacheStrategy",
    "HFCacheInfo",
    "TreeCacheEntry",
    "are_symlinks_supported",
    "read_tree_cache",
    "scan_cache_dir",
    "try_to_load_from_cache",
    "write_tree_cache",
]
