"""Tree listings for ``HfFileSystem``: entries as fsspec info dicts, big trees listed in parallel.

The Hub's ``tree`` endpoint pages its answer (1000 entries a page) behind a cursor, so a
recursive listing of a big repo is a chain of requests, each waiting for the previous one.
``Lister.descendants`` starts with that plain recursive listing; if it is still going after two
pages and the sub-folders seen so far are big (they would fill pages of their own), it stops,
lists the folder's direct children, and lists each sub-folder the same way on a thread pool.
Small sub-trees therefore still cost one request, and big independent ones are fetched together.
Nothing here caches: the filesystem decides what to keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from ..api.types import RepoFile, RepoFolder
from .paths import HfFileSystemResolvedPath

if TYPE_CHECKING:
    from ..api import HfApi

__all__ = ["Lister", "entry_info"]

TREE_PAGE = 1000  # entries per page of a non-expanded tree listing on the Hub
SPLIT_AFTER_PAGES = 2


def entry_info(entry: RepoFile | RepoFolder, name: str) -> dict[str, Any]:
    """The fsspec info dict of a tree entry (same keys as huggingface_hub's ``HfFileSystem``)."""
    if isinstance(entry, RepoFile):
        return {
            "name": name,
            "size": entry.size,
            "type": "file",
            "blob_id": entry.blob_id,
            "lfs": entry.lfs,
            "xet_hash": entry.xet_hash,
            "last_commit": entry.last_commit,
            "security": entry.security,
        }
    return {"name": name, "size": 0, "type": "directory", "tree_id": entry.tree_id, "last_commit": entry.last_commit}


def parent_of(name: str) -> str:
    return name.rsplit("/", 1)[0]


class Lister:
    """Listings of one repo at one revision, as info dicts named under ``resolved.root``."""

    def __init__(self, api: HfApi, resolved: HfFileSystemResolvedPath, *, expand: bool, max_workers: int) -> None:
        self.api = api
        self.resolved = resolved
        self.root = resolved.root
        self.expand = expand
        self.max_workers = max(1, max_workers)

    def _tree(self, path_in_repo: str, recursive: bool) -> Iterable[RepoFile | RepoFolder]:
        r = self.resolved
        return self.api.list_repo_tree(
            r.repo_id, path_in_repo or None, recursive=recursive, expand=self.expand, revision=r.revision,
            repo_type=r.repo_type,
        )  # fmt: skip

    def _infos(self, entries: Iterable[RepoFile | RepoFolder]) -> list[dict[str, Any]]:
        return [entry_info(e, f"{self.root}/{e.path}") for e in entries]

    def children(self, path_in_repo: str) -> list[dict[str, Any]]:
        """The direct children of a folder (``RemoteEntryNotFoundError`` if it is not one)."""
        return self._infos(self._tree(path_in_repo, recursive=False))

    def descendants(self, path_in_repo: str, maxdepth: int | None = None) -> list[dict[str, Any]]:
        """Every entry below a folder (down to ``maxdepth`` levels), in no particular order."""
        if maxdepth is not None:
            return self._levels(path_in_repo, maxdepth)
        if self.max_workers == 1:
            return self._infos(self._tree(path_in_repo, recursive=True))
        out: list[dict[str, Any]] = []
        with ThreadPoolExecutor(self.max_workers, thread_name_prefix="hubkit-fs-ls") as pool:
            pending: set[Future[tuple[list[dict[str, Any]], list[str]]]] = {pool.submit(self._subtree, path_in_repo)}
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        entries, folders = future.result()
                        out.extend(entries)
                        pending |= {pool.submit(self._subtree, folder) for folder in folders}
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
        return out

    def _subtree(self, path_in_repo: str) -> tuple[list[dict[str, Any]], list[str]]:
        """A whole sub-tree, or its direct children plus the sub-folders left to list."""
        prefix = f"{path_in_repo}/" if path_in_repo else ""
        entries: list[RepoFile | RepoFolder] = []
        per_folder: dict[str, int] = {}
        for entry in self._tree(path_in_repo, recursive=True):
            entries.append(entry)
            folder, sep, _ = entry.path[len(prefix) :].partition("/")
            if sep:
                per_folder[folder] = per_folder.get(folder, 0) + 1
            if len(entries) == SPLIT_AFTER_PAGES * TREE_PAGE and self._worth_splitting(per_folder):
                children = self.children(path_in_repo)
                folders = [c["name"][len(self.root) + 1 :] for c in children if c["type"] == "directory"]
                return children, folders
        return self._infos(entries), []

    @staticmethod
    def _worth_splitting(per_folder: dict[str, int]) -> bool:
        # Each sub-folder listed on its own costs at least one request: only worth it when the
        # folders seen so far hold, on average, at least half a page of entries each.
        return bool(per_folder) and sum(per_folder.values()) >= len(per_folder) * TREE_PAGE // 2

    def _levels(self, path_in_repo: str, maxdepth: int) -> list[dict[str, Any]]:
        """Breadth-first, one non-recursive listing per folder: the Hub has no depth limit."""
        out: list[dict[str, Any]] = []
        level = [path_in_repo]
        with ThreadPoolExecutor(self.max_workers, thread_name_prefix="hubkit-fs-ls") as pool:
            for _ in range(maxdepth):
                listed = list(pool.map(self.children, level))
                level = []
                for children in listed:
                    out.extend(children)
                    level += [c["name"][len(self.root) + 1 :] for c in children if c["type"] == "directory"]
                if not level:
                    break
        return out
