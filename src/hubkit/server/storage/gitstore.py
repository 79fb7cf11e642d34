"""Reading and writing git objects over an object store, with in-process caches.

Every cached value is keyed by a content id, so it can never be stale: the caches need no
invalidation, are safe in every process of a scaled-out deployment, and only bound memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from .gitobj import (
    DIR_MODE,
    MAX_POINTER_SIZE,
    Commit,
    GitOid,
    LfsPointer,
    TreeEntry,
    blob_oid,
    decode_commit,
    decode_tree,
    encode_tree,
    object_id,
    parse_lfs_pointer,
)
from .objects import ObjectStore

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self._max = maxsize
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._max:
                self._data.popitem(last=False)

    def get_or(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._max:
                self._data.popitem(last=False)
        return value


@dataclass(frozen=True)
class BlobInfo:
    oid: GitOid
    size: int  # size of the git blob (for LFS files: the pointer's size)
    lfs: LfsPointer | None

    @property
    def content_size(self) -> int:
        return self.lfs.size if self.lfs else self.size


@dataclass(frozen=True)
class PathEntry:
    """A file or folder at some path of a commit."""

    path: str
    mode: str
    oid: GitOid

    @property
    def is_dir(self) -> bool:
        return self.mode == DIR_MODE


class GitStore:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._trees: LRU[str, dict[str, TreeEntry]] = LRU(20000)
        self._commits: LRU[str, Commit] = LRU(20000)
        self._blobs: LRU[str, BlobInfo] = LRU(100000)

    # --- reading ---------------------------------------------------------------------

    def tree(self, oid: str) -> dict[str, TreeEntry]:
        """Entries of a tree by name (insertion order = git order)."""

        def load() -> dict[str, TreeEntry]:
            return {e.name: e for e in decode_tree(self.store.get_bytes(f"tree/{oid}"))}

        return self._trees.get_or(oid, load)

    def commit(self, oid: str) -> Commit:
        return self._commits.get_or(oid, lambda: decode_commit(self.store.get_bytes(f"commit/{oid}")))

    def has_commit(self, oid: str) -> bool:
        return self.store.exists(f"commit/{oid}")

    def blob_info(self, oid: str) -> BlobInfo:
        def load() -> BlobInfo:
            size = self.store.size(f"blob/{oid}")
            if size is None:
                raise KeyError(f"blob/{oid}")
            lfs = None
            if size <= MAX_POINTER_SIZE:
                lfs = parse_lfs_pointer(self.store.get_bytes(f"blob/{oid}"))
            return BlobInfo(GitOid(oid), size, lfs)

        return self._blobs.get_or(oid, load)

    def blob_bytes(self, oid: str) -> bytes:
        return self.store.get_bytes(f"blob/{oid}")

    def entry_at(self, root_tree: str, path: str) -> PathEntry | None:
        """The entry at ``path`` ('' = the root folder) of the tree ``root_tree``."""
        if path == "":
            return PathEntry("", DIR_MODE, GitOid(root_tree))
        tree_oid = root_tree
        parts = path.split("/")
        for i, name in enumerate(parts):
            entry = self.tree(tree_oid).get(name)
            if entry is None:
                return None
            if i == len(parts) - 1:
                return PathEntry(path, entry.mode, entry.oid)
            if not entry.is_dir:
                return None
            tree_oid = entry.oid
        return None  # pragma: no cover

    def walk(self, tree_oid: str, prefix: str = "", recursive: bool = True) -> Iterator[PathEntry]:
        """Entries under a folder, depth first, each folder listed before its content."""
        for entry in self.tree(tree_oid).values():
            path = f"{prefix}{entry.name}"
            yield PathEntry(path, entry.mode, entry.oid)
            if recursive and entry.is_dir:
                yield from self.walk(entry.oid, path + "/", True)

    def files(self, tree_oid: str) -> Iterator[PathEntry]:
        return (e for e in self.walk(tree_oid) if not e.is_dir)

    # --- writing ---------------------------------------------------------------------

    def put_blob(self, content: bytes) -> GitOid:
        oid = blob_oid(content)
        self.store.put_bytes(f"blob/{oid}", content)
        return oid

    def put_tree(self, entries: list[TreeEntry]) -> GitOid:
        body = encode_tree(entries)
        oid = object_id("tree", body)
        self.store.put_bytes(f"tree/{oid}", body)
        return oid

    def put_commit(self, commit: Commit) -> GitOid:
        body = commit.encode()
        oid = object_id("commit", body)
        self.store.put_bytes(f"commit/{oid}", body)
        return oid
