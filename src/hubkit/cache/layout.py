"""The on-disk cache, as ``huggingface_hub`` lays it out (hub-protocol.md §3), and its primitives.

    {cache}/CACHEDIR.TAG
    {cache}/.locks/{repo_folder}/{etag}.lock
    {cache}/{repo_folder}/blobs/{etag}
    {cache}/{repo_folder}/refs/{revision}              bare 40-hex sha, no newline
    {cache}/{repo_folder}/snapshots/{sha}/{path}       relative symlink to ../../blobs/{etag}
    {cache}/{repo_folder}/.no_exist/{sha}/{path}       empty: "path does not exist at sha"
    {cache}/{repo_folder}/trees/{sha}.json             see ``tree.py``

Every write that another process may observe is atomic (temporary name + ``os.replace``), so
the cache stays consistent when file locks do not work: the locks below only avoid downloading
the same blob twice, correctness never depends on them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import constants
from .._paths import contained_path, repo_folder_name, validate_relative_filename

__all__ = [
    "_CACHED_NO_EXIST",
    "are_symlinks_supported",
    "create_cachedir_tag",
    "link_or_copy",
    "pointer_path",
    "read_ref",
    "try_to_load_from_cache",
    "weak_file_lock",
    "write_ref",
]

logger = logging.getLogger(__name__)

# Returned by try_to_load_from_cache for files known not to exist at a commit (transformers checks
# for it with `is`): one module-level object.
_CACHED_NO_EXIST: Any = object()

_symlinks_supported: dict[str, bool] = {}
_symlink_probe_lock = threading.Lock()


def unique_suffix() -> str:
    """Eight hex digits, as in ``{etag}.{8hex}.incomplete``."""
    return uuid.uuid4().hex[:8]


def are_symlinks_supported(cache_dir: str | Path | None = None) -> bool:
    """Whether symlinks can be created in ``cache_dir`` (probed once per folder per process).

    Always False when ``HF_HUB_DISABLE_SYMLINKS`` is set.
    """
    if constants.HF_HUB_DISABLE_SYMLINKS:
        return False
    raw = str(cache_dir if cache_dir is not None else constants.HF_HUB_CACHE)
    known = _symlinks_supported.get(raw)
    if known is not None:  # snapshot downloads ask once per file: skip resolve() when possible
        return known
    folder = str(Path(raw).expanduser().resolve())
    with _symlink_probe_lock:
        if folder not in _symlinks_supported:
            os.makedirs(folder, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=folder) as tmp:
                src = Path(tmp) / "probe_src"
                src.touch()
                try:
                    os.symlink("probe_src", Path(tmp) / "probe_dst")
                    _symlinks_supported[folder] = True
                except OSError:
                    _symlinks_supported[folder] = False
                    if not constants.HF_HUB_DISABLE_SYMLINKS_WARNING:
                        warnings.warn(
                            f"Symlinks are not supported in {folder}: cached files are copied into each snapshot,"
                            " which uses more disk space. Set HF_HUB_DISABLE_SYMLINKS_WARNING=1 to hide this.",
                            stacklevel=2,
                        )
        _symlinks_supported[raw] = _symlinks_supported[folder]
        return _symlinks_supported[folder]


def create_cachedir_tag(folder: str | Path) -> None:
    """Drop the standard ``CACHEDIR.TAG`` in ``folder`` unless one exists (best effort)."""
    tag = Path(folder) / "CACHEDIR.TAG"
    if tag.exists():
        return
    tmp = tag.with_name(f"CACHEDIR.TAG.{unique_suffix()}.tmp")
    try:
        tmp.write_text(constants.CACHEDIR_TAG_CONTENT)
        os.replace(tmp, tag)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def storage_folder(cache_dir: str, repo_id: str, repo_type: str) -> str:
    return os.path.join(cache_dir, repo_folder_name(repo_id=repo_id, repo_type=repo_type))


def pointer_path(storage: str, commit_hash: str, filename: str) -> str:
    """``snapshots/{commit}/{filename}`` inside a repo folder, refusing paths that escape it."""
    return contained_path(os.path.join(storage, "snapshots", commit_hash), filename)


def read_ref(storage: str, revision: str) -> str | None:
    """The commit a cached ref points to (file content verbatim), or None."""
    try:
        with open(contained_path(os.path.join(storage, "refs"), revision)) as f:
            return f.read()
    except (OSError, ValueError):
        return None


def write_ref(storage: str, revision: str, commit_hash: str) -> None:
    """Record ``refs/{revision}`` = ``commit_hash`` when it differs, atomically.

    Nothing is written when the revision is the commit itself or the ref is already right, so a
    read-only cache that is up to date keeps working.
    """
    if revision == commit_hash:
        return
    ref = Path(contained_path(os.path.join(storage, "refs"), revision))
    try:
        if ref.read_text() == commit_hash:
            return
    except OSError:
        pass
    ref.parent.mkdir(parents=True, exist_ok=True)
    tmp = ref.with_name(f"{ref.name}.{unique_suffix()}.tmp")
    try:
        tmp.write_text(commit_hash)
        os.replace(tmp, ref)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def mark_missing(storage: str, commit_hash: str, filename: str) -> None:
    """Create ``.no_exist/{commit}/{filename}`` (best effort): the file is known not to exist."""
    try:
        marker = Path(contained_path(os.path.join(storage, ".no_exist", commit_hash), filename))
        if not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    except (OSError, ValueError) as err:
        logger.warning("Could not record that %s does not exist: %s", filename, err)


try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

LOCK_FILE_MODE = 0o664  # group-writable, as huggingface_hub creates them, so users sharing a cache can wait


def _flock(lock_path: str | Path) -> int | None:
    """A descriptor holding ``flock`` on ``lock_path``, or None where the filesystem has no locks."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), LOCK_FILE_MODE)
    try:
        with contextlib.suppress(OSError):
            os.fchmod(fd, LOCK_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("Waiting for the lock %s (another download of the same file)", lock_path)
            fcntl.flock(fd, fcntl.LOCK_EX)
        return fd
    except OSError as err:  # ENOLCK, ENOSYS...: a filesystem without locks
        os.close(fd)
        logger.debug("No file lock on %s (%s): going on without", lock_path, err)
        return None


@contextlib.contextmanager
def weak_file_lock(lock_path: str | Path) -> Iterator[None]:
    """Hold an inter-process lock on ``lock_path`` if the filesystem allows it, else go on without.

    The same ``flock`` on the same files as ``huggingface_hub`` (through ``filelock``), so both
    libraries serialise downloads of one blob. Disabled by ``HUBKIT_DISABLE_FILE_LOCKS``.
    """
    if constants.HUBKIT_DISABLE_FILE_LOCKS:
        yield
        return
    try:
        Path(lock_path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        logger.debug("No lock folder for %s (%s): going on without", lock_path, err)
        yield
        return
    if fcntl is not None:
        # flock directly: ~10x cheaper than filelock, which counts when a snapshot has 1,000 files
        try:
            fd = _flock(lock_path)
        except OSError as err:
            logger.debug("No file lock on %s (%s): going on without", lock_path, err)
            fd = None
        try:
            yield
        finally:
            if fd is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
        return
    yield from _filelock(lock_path)


def _filelock(lock_path: str | Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = None
    try:
        candidate = FileLock(str(lock_path), timeout=10, mode=LOCK_FILE_MODE)
        while lock is None:
            try:
                candidate.acquire(timeout=10)
                lock = candidate
            except Timeout:
                logger.info("Still waiting for the lock %s", lock_path)
    except (OSError, NotImplementedError) as err:
        logger.debug("No file lock on %s (%s): going on without", lock_path, err)
    try:
        yield
    finally:
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.release()


def _copy(src: str, dst: str) -> None:
    try:
        shutil.copy2(src, dst)
    except OSError:  # e.g. a mount that refuses metadata
        shutil.copyfile(src, dst)


def link_or_copy(blob: str, pointer: str, *, new_blob: bool, symlinks: bool) -> None:
    """Make ``pointer`` show the content of ``blob``: a relative symlink, else a move or a copy.

    The pointer appears atomically (built under a temporary name, then ``os.replace``), so a
    concurrent reader sees either the old entry or the complete new one. Without symlinks a new
    blob is moved into the snapshot (nobody else references it) and an existing one is copied.
    """
    folder = os.path.dirname(pointer)
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(pointer)}.{unique_suffix()}.tmp")
    try:
        if symlinks:
            try:
                target = os.path.relpath(blob, folder)
            except ValueError:  # another drive on Windows: only an absolute target works
                target = os.path.abspath(blob)
            try:
                os.symlink(target, tmp)
                os.replace(tmp, pointer)
                return
            except OSError as err:  # not allowed here after all (e.g. a FAT mount): fall back
                logger.debug("symlink failed for %s: %s", pointer, err)
        if new_blob:
            os.replace(blob, pointer)
        else:
            _copy(blob, tmp)
            os.replace(tmp, pointer)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def try_to_load_from_cache(
    repo_id: str,
    filename: str,
    cache_dir: str | Path | None = None,
    revision: str | None = None,
    repo_type: str | None = None,
) -> str | Any | None:
    """Look a file up in the cache without any network access.

    Args:
        repo_id: ``namespace/name`` of the repo.
        filename: path of the file in the repo.
        cache_dir: the cache folder (default ``HF_HUB_CACHE``).
        revision: branch, tag or commit (default ``"main"``); names are resolved through ``refs/``.
        repo_type: ``"model"`` (default), ``"dataset"``, ``"space"`` or ``"kernel"``.

    Returns:
        The path of the cached file; ``_CACHED_NO_EXIST`` if the file is known not to exist at that
        revision; ``None`` if nothing is known.

    Raises:
        ValueError: invalid ``repo_type`` or ``filename``.
    """
    from .._paths import validate_repo_id

    validate_repo_id(repo_id)
    revision = revision or constants.DEFAULT_REVISION
    repo_type = repo_type or "model"
    if repo_type not in constants.REPO_TYPES_WITH_KERNEL:
        raise ValueError(f"Invalid repo type: {repo_type}. Accepted: {constants.REPO_TYPES_WITH_KERNEL}")
    validate_relative_filename(filename)
    cache_dir = str(cache_dir if cache_dir is not None else constants.HF_HUB_CACHE)
    storage = storage_folder(cache_dir, repo_id, repo_type)
    if not os.path.isdir(storage):
        return None
    commit = read_ref(storage, revision) if os.path.isdir(os.path.join(storage, "refs")) else None
    commit = commit if commit is not None else revision
    try:
        if os.path.isfile(contained_path(os.path.join(storage, ".no_exist", commit), filename)):
            return _CACHED_NO_EXIST
        snapshot = os.path.join(storage, "snapshots", commit)
        if not os.path.isdir(snapshot):
            return None
        cached = contained_path(snapshot, filename)
    except ValueError:  # a ref file whose content is not a usable folder name
        return None
    return cached if os.path.isfile(cached) else None
