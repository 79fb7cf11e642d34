"""Folder uploads: which local files to add and which remote files to delete (§7.8).

Patterns are ``fnmatch`` globs on paths relative to the folder (``*`` also crosses ``/``; a
pattern ending in ``/`` means everything below). ``.git`` folders and the
``.cache/huggingface`` bookkeeping folder are always ignored; ``.gitattributes`` is never
deleted by ``delete_patterns``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .._paths import filter_repo_objects
from .operations import CommitOperationAdd, CommitOperationDelete
from .target import RepoTarget

__all__ = [
    "DEFAULT_IGNORE_PATTERNS",
    "folder_additions",
    "folder_deletions",
    "list_local_files",
    "scan_local_files",
    "with_default_ignores",
]

DEFAULT_IGNORE_PATTERNS = [
    ".git",
    ".git/*",
    "*/.git",
    "**/.git/**",
    ".cache/huggingface",
    ".cache/huggingface/*",
    "*/.cache/huggingface",
    "**/.cache/huggingface/**",
]


def with_default_ignores(ignore_patterns: list[str] | str | None) -> list[str]:
    """The caller's ignore patterns plus the ones that are always applied (a new list)."""
    if ignore_patterns is None:
        patterns: list[str] = []
    elif isinstance(ignore_patterns, str):
        patterns = [ignore_patterns]
    else:
        patterns = list(ignore_patterns)
    return patterns + DEFAULT_IGNORE_PATTERNS


def scan_local_files(folder: Path | str) -> list[tuple[str, str]]:
    """``(relative posix path, absolute path)`` of every file below ``folder``, sorted by path.

    ``.git`` folders and ``.cache/huggingface`` are not entered: the default ignore patterns
    would drop everything in them anyway, and the latter holds one record per file of a
    large-folder upload. Symbolic links to files count as files.
    """
    found: list[tuple[str, str]] = []
    stack = [(str(folder), "")]
    while stack:
        path, prefix = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir():
                    if entry.name == ".git" or rel == ".cache/huggingface" or rel.endswith("/.cache/huggingface"):
                        continue
                    stack.append((entry.path, rel + "/"))
                elif entry.is_file():
                    found.append((rel, entry.path))
    found.sort(key=lambda pair: pair[0])
    return found


def list_local_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """``(relative posix path, absolute path)`` of every file below ``folder``, sorted by path."""
    return ((rel, Path(path)) for rel, path in scan_local_files(folder))


def _prefix(path_in_repo: str | None) -> str:
    path_in_repo = (path_in_repo or "").strip("/")
    return "" if path_in_repo in ("", ".") else f"{path_in_repo}/"


def folder_additions(
    folder_path: str | Path,
    path_in_repo: str | None,
    *,
    allow_patterns: list[str] | str | None = None,
    ignore_patterns: list[str] | str | None = None,
) -> list[CommitOperationAdd]:
    """One addition per selected file of the folder, sorted by path."""
    folder = Path(folder_path).expanduser().resolve()
    if not folder.is_dir():
        raise ValueError(f"Provided path: '{folder}' is not a directory")
    files = dict(list_local_files(folder))
    selected = filter_repo_objects(files, allow_patterns=allow_patterns, ignore_patterns=ignore_patterns)
    prefix = _prefix(path_in_repo)
    return [CommitOperationAdd(path_in_repo=prefix + rel, path_or_fileobj=files[rel]) for rel in selected]


def folder_deletions(
    target: RepoTarget, path_in_repo: str | None, delete_patterns: list[str] | str | None, revision: str | None = None
) -> list[CommitOperationDelete]:
    """Deletions of the remote files under ``path_in_repo`` that match ``delete_patterns``."""
    if delete_patterns is None:
        return []
    prefix = _prefix(path_in_repo)
    relative = {f[len(prefix) :]: f for f in target.list_files(revision) if f.startswith(prefix)}
    return [
        CommitOperationDelete(path_in_repo=relative[rel], is_folder=False)
        for rel in filter_repo_objects(relative, allow_patterns=delete_patterns)
        if relative[rel] != ".gitattributes"
    ]
