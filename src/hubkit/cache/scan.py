"""Scanning the cache (``scan_cache_dir``) and planning deletions (``DeleteCacheStrategy``).

Results are frozen dataclasses with the names and fields of ``huggingface_hub``. A repo folder
that does not have the expected shape is skipped and reported as a ``CorruptedCacheException``
in ``HFCacheInfo.warnings``; the scan itself only raises when the cache folder is missing.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .. import constants
from .._local_errors import CacheNotFound, CorruptedCacheException

__all__ = [
    "CachedFileInfo",
    "CachedIncompleteFileInfo",
    "CachedRepoInfo",
    "CachedRevisionInfo",
    "DeleteCacheStrategy",
    "HFCacheInfo",
    "scan_cache_dir",
]

logger = logging.getLogger(__name__)

REPO_TYPE_T = Literal["model", "dataset", "space", "kernel"]
FILES_TO_IGNORE = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
# huggingface_hub >= 2.4 may keep Xet payloads in {cache}/blobs/, tagged by this marker file.
SHARED_BLOBS_MARKER = ".huggingface-shared-blobs"


def format_size(num: int | float) -> str:
    """Bytes as a short human string with decimal units: ``42.2K``, ``3.1G``."""
    value = float(num)
    for unit in ("", "K", "M", "G", "T", "P", "E", "Z"):
        if abs(value) < 1000.0:
            return f"{value:3.1f}{unit}"
        value /= 1000.0
    return f"{value:.1f}Y"


_TIMESINCE = (
    ("second", 1, 59),
    ("minute", 60, 59),
    ("hour", 3600, 23),
    ("day", 86400, 6),
    ("week", 7 * 86400, 6),
    ("month", 30 * 86400, 11),
    ("year", 365 * 86400, None),
)


def format_timesince(ts: float) -> str:
    """How long ago ``ts`` was, in words: ``a few seconds ago``, ``3 weeks ago``."""
    delta = time.time() - ts
    if delta < 20:
        return "a few seconds ago"
    value, label = 0, "second"
    for label, divider, ceiling in _TIMESINCE:  # noqa: B007 - the last unit checked is the one shown
        value = round(delta / divider)
        if ceiling is not None and value <= ceiling:
            break
    return f"{value} {label}{'s' if value > 1 else ''} ago"


@dataclass(frozen=True)
class CachedFileInfo:
    """One file of a cached snapshot and the blob it shows (sizes and times are the blob's)."""

    file_name: str
    file_path: Path
    blob_path: Path
    size_on_disk: int
    blob_last_accessed: float
    blob_last_modified: float

    @property
    def blob_last_accessed_str(self) -> str:
        return format_timesince(self.blob_last_accessed)

    @property
    def blob_last_modified_str(self) -> str:
        return format_timesince(self.blob_last_modified)

    @property
    def size_on_disk_str(self) -> str:
        return format_size(self.size_on_disk)


@dataclass(frozen=True)
class CachedRevisionInfo:
    """One ``snapshots/{commit}`` folder: its files, the refs naming it, and the size of its blobs."""

    commit_hash: str
    snapshot_path: Path
    size_on_disk: int
    files: frozenset[CachedFileInfo]
    refs: frozenset[str]
    last_modified: float

    @property
    def last_modified_str(self) -> str:
        return format_timesince(self.last_modified)

    @property
    def size_on_disk_str(self) -> str:
        return format_size(self.size_on_disk)

    @property
    def nb_files(self) -> int:
        return len(self.files)


@dataclass(frozen=True)
class CachedRepoInfo:
    """One cached repo: its revisions, the total size of its blobs, and access times."""

    repo_id: str
    repo_type: REPO_TYPE_T
    repo_path: Path
    size_on_disk: int
    nb_files: int
    revisions: frozenset[CachedRevisionInfo]
    last_accessed: float
    last_modified: float

    @property
    def last_accessed_str(self) -> str:
        return format_timesince(self.last_accessed)

    @property
    def last_modified_str(self) -> str:
        return format_timesince(self.last_modified)

    @property
    def size_on_disk_str(self) -> str:
        return format_size(self.size_on_disk)

    @property
    def cache_id(self) -> str:
        return f"{self.repo_type}/{self.repo_id}"

    @property
    def refs(self) -> dict[str, CachedRevisionInfo]:
        return {ref: revision for revision in self.revisions for ref in revision.refs}


@dataclass(frozen=True)
class CachedIncompleteFileInfo:
    """A ``blobs/*.incomplete`` file: a download in progress or interrupted (resumable by hubkit)."""

    file_path: Path
    size_on_disk: int


def _delete(path: Path, kind: str) -> None:
    logger.debug("Deleting %s %s", kind, path)
    try:
        if path.is_file() or path.is_symlink():
            os.remove(path)
        else:
            shutil.rmtree(path)
    except FileNotFoundError:
        logger.warning("Could not delete %s: not found (%s)", kind, path)
    except PermissionError:
        logger.warning("Could not delete %s: permission denied (%s)", kind, path)


@dataclass(frozen=True)
class DeleteCacheStrategy:
    """What a deletion would remove; nothing happens until ``execute()``.

    ``expected_freed_size`` is the number of bytes the blobs to delete take.
    """

    expected_freed_size: int
    blobs: frozenset[Path]
    refs: frozenset[Path]
    repos: frozenset[Path]
    snapshots: frozenset[Path]
    files: frozenset[Path] = frozenset()
    cache_dir: Path | None = None

    @property
    def expected_freed_size_str(self) -> str:
        return format_size(self.expected_freed_size)

    def execute(self) -> None:
        """Delete, in an order that never leaves a ref or a link pointing at a deleted blob."""
        for path in self.files:
            path.unlink(missing_ok=True)
        for path in self.repos:
            _delete(path, "repo")
        for path in self.snapshots:
            _delete(path, "snapshot")
        for path in self.refs:
            _delete(path, "ref")
        for path in self.blobs:
            _delete(path, "blob")
        logger.debug("Cache deletion done, freed %s.", self.expected_freed_size_str)


@dataclass(frozen=True)
class HFCacheInfo:
    """The whole cache: repos, orphaned partial downloads, and problems met while scanning.

    ``size_on_disk`` counts every blob once, even when several repos share it.
    """

    size_on_disk: int
    repos: frozenset[CachedRepoInfo]
    incomplete_files: frozenset[CachedIncompleteFileInfo]
    warnings: list[CorruptedCacheException]
    cache_dir: Path | None = None

    @property
    def size_on_disk_str(self) -> str:
        return format_size(self.size_on_disk)

    @property
    def incomplete_size_on_disk(self) -> int:
        return sum(f.size_on_disk for f in self.incomplete_files)

    def delete_revisions(self, *revisions: str) -> DeleteCacheStrategy:
        """Plan the deletion of cached revisions (commit hashes, possibly of different repos).

        Blobs still used by a revision that is kept stay; a repo losing all its revisions is
        removed whole. Unknown hashes are logged and ignored.
        """
        wanted = set(revisions)
        by_repo: dict[CachedRepoInfo, set[CachedRevisionInfo]] = defaultdict(set)
        for repo in self.repos:
            for revision in repo.revisions:
                if revision.commit_hash in wanted:
                    by_repo[repo].add(revision)
                    wanted.discard(revision.commit_hash)
        if wanted:
            logger.warning("Revision(s) not found, not deleted: %s", ", ".join(sorted(wanted)))

        blobs: set[Path] = set()
        refs: set[Path] = set()
        repos: set[Path] = set()
        snapshots: set[Path] = set()
        freed: dict[Path, int] = {}
        for repo, doomed in by_repo.items():
            kept = repo.revisions - doomed
            if not kept:
                repos.add(repo.repo_path)
                for revision in repo.revisions:
                    freed.update({f.blob_path: f.size_on_disk for f in revision.files})
                continue
            still_used = {f.blob_path for revision in kept for f in revision.files}
            for revision in doomed:
                snapshots.add(revision.snapshot_path)
                refs.update(repo.repo_path / "refs" / ref for ref in revision.refs)
                for f in revision.files:
                    if revision.snapshot_path in f.blob_path.parents:
                        freed[f.blob_path] = f.size_on_disk  # a real file: goes with the snapshot
                    elif f.blob_path not in still_used:
                        blobs.add(f.blob_path)
                        freed[f.blob_path] = f.size_on_disk
        return DeleteCacheStrategy(
            expected_freed_size=sum(freed.values()),
            blobs=frozenset(blobs),
            refs=frozenset(refs),
            repos=frozenset(repos),
            snapshots=frozenset(snapshots),
            cache_dir=self.cache_dir,
        )

    def delete_files(self, *files: CachedFileInfo) -> DeleteCacheStrategy:
        """Plan the deletion of single snapshot entries; their blobs go only if nothing else uses them."""
        selected = set(files)
        kept = {
            f.blob_path
            for repo in self.repos
            for revision in repo.revisions
            for f in revision.files
            if f not in selected
        }
        freed = {f.blob_path: f.size_on_disk for f in selected if f.blob_path not in kept}
        entries = frozenset(f.file_path for f in selected)
        return DeleteCacheStrategy(
            expected_freed_size=sum(freed.values()),
            blobs=frozenset(freed.keys() - entries),
            refs=frozenset(),
            repos=frozenset(),
            snapshots=frozenset(),
            files=entries,
            cache_dir=self.cache_dir,
        )

    def export_as_table(self, *, verbosity: int = 0) -> str:
        """A plain-text table: one row per repo, or per revision with ``verbosity=1``."""
        repos = sorted(self.repos, key=lambda r: r.repo_path)
        if verbosity == 0:
            headers = ["REPO ID", "REPO TYPE", "SIZE ON DISK", "NB FILES", "LAST_ACCESSED", "LAST_MODIFIED"]
            headers += ["REFS", "LOCAL PATH"]
            rows = [
                [
                    r.repo_id,
                    r.repo_type,
                    f"{r.size_on_disk_str:>12}",
                    r.nb_files,
                    r.last_accessed_str,
                    r.last_modified_str,
                    ", ".join(sorted(r.refs)),
                    str(r.repo_path),
                ]
                for r in repos
            ]
        else:
            headers = ["REPO ID", "REPO TYPE", "REVISION", "SIZE ON DISK", "NB FILES", "LAST_MODIFIED"]
            headers += ["REFS", "LOCAL PATH"]
            rows = [
                [
                    r.repo_id,
                    r.repo_type,
                    rev.commit_hash,
                    f"{rev.size_on_disk_str:>12}",
                    rev.nb_files,
                    rev.last_modified_str,
                    ", ".join(sorted(rev.refs)),
                    str(rev.snapshot_path),
                ]
                for r in repos
                for rev in sorted(r.revisions, key=lambda rev: rev.commit_hash)
            ]
        return _tabulate(rows, headers)


def _tabulate(rows: list[list[str | int]], headers: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(*rows, headers, strict=True)]
    line = " ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*headers), line.format(*["-" * w for w in widths])]
    out += [line.format(*row) for row in rows]
    return "\n".join(out)


def _is_shared_store(path: Path) -> bool:
    marker = path / SHARED_BLOBS_MARKER
    try:
        return marker.read_text() == "1\n"
    except OSError:
        return False


def scan_cache_dir(cache_dir: str | Path | None = None) -> HFCacheInfo:
    """Scan a cache folder (default ``HF_HUB_CACHE``) and describe everything in it.

    Raises:
        CacheNotFound: the folder does not exist.
        ValueError: the path is a file.
    """
    root = Path(cache_dir if cache_dir is not None else constants.HF_HUB_CACHE).expanduser().resolve()
    if not root.exists():
        raise CacheNotFound(f"Cache directory not found: {root}. Pass cache_dir or set HF_HUB_CACHE.", cache_dir=root)
    if root.is_file():
        raise ValueError(f"Expected a cache directory but found a file: {root}.")

    repos: set[CachedRepoInfo] = set()
    problems: list[CorruptedCacheException] = []
    for entry in root.iterdir():
        if entry.name in FILES_TO_IGNORE or entry.name in (".locks", "CACHEDIR.TAG"):
            continue
        if entry.name == "blobs" and _is_shared_store(entry):
            continue
        try:
            repos.add(_scan_repo(entry))
        except CorruptedCacheException as err:
            problems.append(err)

    # Physical size: each blob once; a repo blob that links into the shared store counts as its target.
    physical: set[Path] = set()
    for repo in repos:
        for revision in repo.revisions:
            for f in revision.files:
                physical.add(Path(os.path.realpath(f.blob_path)) if f.blob_path.is_symlink() else f.blob_path)
    store = root / "blobs"
    if _is_shared_store(store):
        physical.update(p for p in store.glob("*/*") if p.is_file() and p.suffix not in (".refs", ".lock"))
    size = 0
    for path in physical:
        try:
            size += path.stat().st_size
        except OSError:
            pass
    return HFCacheInfo(
        size_on_disk=size,
        repos=frozenset(repos),
        incomplete_files=_scan_incomplete(root),
        warnings=problems,
        cache_dir=root,
    )


def _scan_incomplete(root: Path) -> frozenset[CachedIncompleteFileInfo]:
    found = set()
    for path in root.glob("*/blobs/*.incomplete"):
        try:
            found.add(CachedIncompleteFileInfo(file_path=path, size_on_disk=path.stat().st_size))
        except OSError:
            continue
    return frozenset(found)


def _read_refs(refs_path: Path) -> dict[str, set[str]]:
    by_commit: dict[str, set[str]] = defaultdict(set)
    if not refs_path.exists():
        return by_commit
    if refs_path.is_file():
        raise CorruptedCacheException(f"Refs directory cannot be a file: {refs_path}")
    for ref in refs_path.glob("**/*"):
        if ref.is_dir() or ref.name in FILES_TO_IGNORE:
            continue
        by_commit[ref.read_text()].add(ref.relative_to(refs_path).as_posix())
    return by_commit


def _scan_repo(repo_path: Path) -> CachedRepoInfo:
    if not repo_path.is_dir():
        raise CorruptedCacheException(f"Repo path is not a directory: {repo_path}")
    if "--" not in repo_path.name:
        raise CorruptedCacheException(f"Repo path is not a valid HuggingFace cache directory: {repo_path}")
    prefix, rest = repo_path.name.split("--", maxsplit=1)
    if prefix not in constants.REPO_TYPES_MAPPING:
        raise CorruptedCacheException(
            f"Repo type must be one of {sorted(constants.REPO_TYPES_MAPPING)}, found `{prefix}` ({repo_path})."
        )
    repo_id = rest.replace("--", "/")
    snapshots = repo_path / "snapshots"
    if not snapshots.is_dir():
        raise CorruptedCacheException(f"Snapshots dir doesn't exist in cached repo: {snapshots}")
    refs_by_commit = _read_refs(repo_path / "refs")

    stats: dict[Path, os.stat_result] = {}
    revisions: set[CachedRevisionInfo] = set()
    for revision_path in snapshots.iterdir():
        if revision_path.name in FILES_TO_IGNORE:
            continue
        if revision_path.is_file():
            raise CorruptedCacheException(f"Snapshots folder corrupted. Found a file: {revision_path}")
        files = set()
        for file_path in revision_path.glob("**/*"):
            if file_path.is_dir():
                continue
            # First hop only: a repo blob may itself link into the shared store.
            if file_path.is_symlink():
                blob = Path(os.path.abspath(file_path.parent / os.readlink(file_path)))
            else:
                blob = file_path
            if not blob.exists():
                raise CorruptedCacheException(f"Blob missing (broken symlink): {blob}")
            if blob not in stats:
                stats[blob] = blob.stat()
            st = stats[blob]
            files.add(CachedFileInfo(file_path.name, file_path, blob, st.st_size, st.st_atime, st.st_mtime))
        last_modified = max((stats[f.blob_path].st_mtime for f in files), default=revision_path.stat().st_mtime)
        revisions.add(
            CachedRevisionInfo(
                commit_hash=revision_path.name,
                snapshot_path=revision_path,
                size_on_disk=sum(stats[b].st_size for b in {f.blob_path for f in files}),
                files=frozenset(files),
                refs=frozenset(refs_by_commit.pop(revision_path.name, set())),
                last_modified=last_modified,
            )
        )
    if refs_by_commit:
        raise CorruptedCacheException(
            f"Reference(s) refer to missing commit hashes: {dict(refs_by_commit)} ({repo_path})."
        )
    if stats:
        last_accessed = max(s.st_atime for s in stats.values())
        last_modified = max(s.st_mtime for s in stats.values())
    else:
        st = repo_path.stat()
        last_accessed, last_modified = st.st_atime, st.st_mtime
    return CachedRepoInfo(
        repo_id=repo_id,
        repo_type=constants.REPO_TYPES_MAPPING[prefix],  # type: ignore[arg-type]
        repo_path=repo_path,
        size_on_disk=sum(s.st_size for s in stats.values()),
        nb_files=len(stats),
        revisions=frozenset(revisions),
        last_accessed=last_accessed,
        last_modified=last_modified,
    )
