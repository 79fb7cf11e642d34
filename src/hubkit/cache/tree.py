"""Cached tree listings: ``trees/{commit}.json``, written by ``snapshot_download``.

A commit's file list never changes, so it is cached forever. The file is byte-compatible with
``huggingface_hub``: ``{"format_version": 1, "files": {path: entry}}``, one-space indent, paths
sorted, entry keys in the order ``size``, ``blob_id``, ``lfs_sha256``, ``lfs_size``, ``xet_hash``;
written to a ``tmp*.tmp`` file next to it and renamed. A listing with another format version or
a malformed Xet hash is ignored.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["TreeCacheEntry", "read_tree_cache", "tree_cache_folder_for_local_dir", "write_tree_cache"]

logger = logging.getLogger(__name__)

TREE_CACHE_FORMAT_VERSION = 1
_XET_HASH_RE = re.compile(r"[0-9a-fA-F]{64}")

_memory: dict[str, dict[str, TreeCacheEntry]] = {}
_memory_lock = threading.Lock()


@dataclass(frozen=True)
class TreeCacheEntry:
    """One file of a listing: git blob id and size, plus LFS and Xet ids when the file has them."""

    size: int
    blob_id: str
    lfs_sha256: str | None = None
    lfs_size: int | None = None
    xet_hash: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"size": self.size, "blob_id": self.blob_id}
        if self.lfs_sha256 is not None:
            out["lfs_sha256"] = self.lfs_sha256
            out["lfs_size"] = self.lfs_size
        if self.xet_hash is not None:
            out["xet_hash"] = self.xet_hash
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeCacheEntry:
        return cls(
            size=data["size"],
            blob_id=data["blob_id"],
            lfs_sha256=data.get("lfs_sha256"),
            lfs_size=data.get("lfs_size"),
            xet_hash=data.get("xet_hash"),
        )

    @property
    def etag(self) -> str:
        """The ETag a Hub sends for this file: the LFS sha256, else the git blob id."""
        return self.lfs_sha256 if self.lfs_sha256 is not None else self.blob_id

    @property
    def file_size(self) -> int:
        return self.lfs_size if self.lfs_size is not None else self.size


def tree_cache_folder_for_local_dir(local_dir: str) -> str:
    """Where ``trees/`` lives for a ``local_dir`` download."""
    return os.path.join(local_dir, ".cache", "huggingface")


def _path(folder: str, commit_hash: str) -> str:
    return os.path.join(folder, "trees", f"{commit_hash}.json")


def _valid(entries: dict[str, TreeCacheEntry]) -> bool:
    return all(e.xet_hash is None or _XET_HASH_RE.fullmatch(e.xet_hash) for e in entries.values())


def read_tree_cache(folder: str, commit_hash: str) -> dict[str, TreeCacheEntry] | None:
    """The cached listing of a commit, or None if absent, of another format, or unreadable."""
    path = _path(folder, commit_hash)
    with _memory_lock:
        if path in _memory:
            return _memory[path]
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format_version") != TREE_CACHE_FORMAT_VERSION:
            return None
        entries = {p: TreeCacheEntry.from_json(e) for p, e in data["files"].items()}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        logger.warning("Ignoring unreadable tree cache %s: %s", path, err)
        return None
    if not _valid(entries):
        return None
    with _memory_lock:
        _memory[path] = entries
    return entries


def write_tree_cache(folder: str, commit_hash: str, entries: dict[str, TreeCacheEntry]) -> None:
    """Store a listing atomically; failures are logged and ignored (it is only a cache)."""
    if not _valid(entries):
        return
    path = _path(folder, commit_hash)
    data = {
        "format_version": TREE_CACHE_FORMAT_VERSION,
        "files": {p: entries[p].to_json() for p in sorted(entries)},
    }
    tmp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        logger.warning("Could not write the tree cache %s: %s", path, err)
        return
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    with _memory_lock:
        _memory[path] = dict(entries)
