"""Validation of everything that becomes a local path, and repo-path pattern filtering.

Names coming from a server (file paths, ETags, commit ids) are checked here *before* they touch
the disk, so a hostile repo or server cannot make the client write outside the cache or the
``local_dir``: ``..`` segments, absolute, drive, drive-relative and UNC paths (under both POSIX
and Windows rules) and NUL bytes are refused.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TypeVar

from . import constants
from ._local_errors import FileMetadataError, HFValidationError

__all__ = [
    "check_commit_hash",
    "check_etag",
    "contained_path",
    "filter_repo_objects",
    "repo_folder_name",
    "validate_relative_filename",
    "validate_repo_id",
    "validate_revision",
]

T = TypeVar("T")

_REPO_ID_RE = re.compile(r"(\b[\w\-.]{1,96}\b/)?\b[\w\-.]{1,96}\b", re.ASCII)
# An ETag names a blob file: one path component of safe characters (the Hub sends hex digests).
_ETAG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}")
# A commit id names a snapshot folder: git object ids are hex (SHA-1 today, SHA-256 tomorrow).
_COMMIT_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def validate_repo_id(repo_id: object) -> None:
    """Raise ``HFValidationError`` unless ``repo_id`` is ``name`` or ``namespace/name`` (Hub rules)."""
    if not isinstance(repo_id, str):
        raise HFValidationError(f"Repo id must be a string, not {type(repo_id)}: '{repo_id}'.")
    if repo_id.count("/") > 1:
        raise HFValidationError(
            f"Repo id must be 'name' or 'namespace/name': '{repo_id}'. Use the repo_type argument if needed."
        )
    if not _REPO_ID_RE.fullmatch(repo_id):
        raise HFValidationError(
            "Repo id may use letters, digits, '-', '_' and '.', must not start or end with '-' or '.',"
            f" and has at most 96 characters per part: '{repo_id}'."
        )
    if "--" in repo_id or ".." in repo_id:
        raise HFValidationError(f"Repo id cannot contain '--' or '..': '{repo_id}'.")
    if repo_id.endswith(".git"):
        raise HFValidationError(f"Repo id cannot end with '.git': '{repo_id}'.")


def validate_relative_filename(filename: str) -> None:
    """Raise ``ValueError`` unless ``filename`` stays inside whatever folder it is joined to."""
    if not isinstance(filename, str) or not filename:
        raise ValueError(f"Invalid filename {filename!r}: must be a non-empty string.")
    if "\x00" in filename:
        raise ValueError(f"Invalid filename {filename!r}: contains a NUL byte.")
    if ".." in filename.replace("\\", "/").split("/"):
        raise ValueError(f"Invalid filename '{filename}': a '..' path segment is not allowed.")
    # os.path.join handles each '/'-separated part on its own, so check each under Windows rules too:
    # "C:x", "\\\\host\\share" or "\\x" in any segment would re-anchor the path there.
    for pure in (PurePosixPath(filename), *(PureWindowsPath(part) for part in filename.split("/"))):
        if pure.drive or pure.root:
            raise ValueError(f"Invalid filename '{filename}': absolute, drive-relative and UNC paths are not allowed.")
    if filename.endswith(("/", "\\")):
        raise ValueError(f"Invalid filename '{filename}': names a folder, not a file.")


def validate_revision(revision: str) -> None:
    """Reject revisions that could not be stored as ``refs/{revision}`` inside the cache."""
    if not isinstance(revision, str) or not revision:
        raise ValueError(f"Invalid revision {revision!r}.")
    try:
        validate_relative_filename(revision)
    except ValueError:
        raise ValueError(f"Invalid revision '{revision}'.") from None


def check_etag(etag: str | None, source: str) -> str:
    """An ETag safe to use as a blob file name, or ``FileMetadataError``."""
    if not etag:
        raise FileMetadataError(f"{source} has no ETag: the file cannot be cached reproducibly.")
    if not _ETAG_RE.fullmatch(etag) or set(etag) <= {"."}:
        raise FileMetadataError(f"{source} sent an ETag that is not a safe file name: {etag!r}.")
    return etag


def check_commit_hash(commit: str | None, source: str) -> str:
    """A commit id safe to use as a snapshot folder name, or ``FileMetadataError``."""
    if commit is None:
        raise FileMetadataError(
            f"{source} lacks the '{constants.HUGGINGFACE_HEADER_X_REPO_COMMIT}' header: it does not look like a"
            " Hugging Face Hub endpoint. Check HF_ENDPOINT, proxies and firewalls."
        )
    if not _COMMIT_RE.fullmatch(commit):
        raise FileMetadataError(f"{source} sent a commit id that is not a git object id: {commit!r}.")
    return commit


def contained_path(base: str | Path, relative: str) -> str:
    """``base/relative`` (``relative`` is '/'-separated), refusing anything that lands outside ``base``."""
    validate_relative_filename(relative)
    base_abs = os.path.abspath(base)
    target = os.path.abspath(os.path.join(base_abs, *relative.split("/")))
    if os.path.commonpath([base_abs, target]) != base_abs or target == base_abs:
        raise ValueError(f"Invalid filename '{relative}': resolves outside of '{base}'.")
    return target


def repo_folder_name(*, repo_id: str, repo_type: str) -> str:
    """The cache folder of a repo: ``models--org--name``, ``datasets--name``, ..."""
    return constants.REPO_ID_SEPARATOR.join([f"{repo_type}s", *repo_id.split("/")])


def _normalize_pattern(pattern: str) -> str:
    pattern = pattern.replace("\\", "/")
    return pattern + "*" if pattern.endswith("/") else pattern


def filter_repo_objects(
    items: Iterable[T],
    *,
    allow_patterns: list[str] | str | None = None,
    ignore_patterns: list[str] | str | None = None,
    key: Callable[[T], str] | None = None,
) -> Iterator[T]:
    """Keep items whose path matches an allow pattern (if any) and no ignore pattern.

    Patterns are case-sensitive ``fnmatch`` globs where ``*`` also crosses ``/``; a pattern
    ending in ``/`` matches everything below that folder; ``\\`` counts as ``/``.
    """
    allow = [allow_patterns] if isinstance(allow_patterns, str) else allow_patterns
    ignore = [ignore_patterns] if isinstance(ignore_patterns, str) else ignore_patterns
    allow = [_normalize_pattern(p) for p in allow] if allow is not None else None
    ignore = [_normalize_pattern(p) for p in ignore] if ignore is not None else None

    def path_of(item: T) -> str:
        if key is not None:
            return key(item)
        if isinstance(item, (str, Path)):
            return str(item)
        raise ValueError(f"Provide `key` to filter objects that are not paths: {item!r}")

    for item in items:
        path = path_of(item).replace("\\", "/")
        if allow is not None and not any(fnmatch.fnmatchcase(path, p) for p in allow):
            continue
        if ignore is not None and any(fnmatch.fnmatchcase(path, p) for p in ignore):
            continue
        yield item
