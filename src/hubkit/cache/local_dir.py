"""Bookkeeping of ``local_dir`` downloads, in ``local_dir/.cache/huggingface/`` (hub-protocol.md §3.5).

local_dir/{path}                                       the file itself (no symlink)
local_dir/.cache/huggingface/.gitignore                "*"
local_dir/.cache/huggingface/CACHEDIR.TAG
local_dir/.cache/huggingface/download/{path}.metadata  commit sha, etag, unix time (3 lines)
local_dir/.cache/huggingface/download/{path}.lock
local_dir/.cache/huggingface/download/{dir}/{b64sha1}.{etag}[.{8hex}].incomplete
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .._paths import contained_path
from .layout import create_cachedir_tag, unique_suffix, weak_file_lock

__all__ = [
    "LocalDownloadFileMetadata",
    "LocalDownloadFilePaths",
    "get_local_download_paths",
    "read_download_metadata",
    "write_download_metadata",
]

logger = logging.getLogger(__name__)


@dataclass
class LocalDownloadFilePaths:
    """Where a ``local_dir`` download puts its file, lock and metadata."""

    file_path: Path
    lock_path: Path
    metadata_path: Path

    def incomplete_path(self, etag: str) -> Path:
        """Base name for temporary files of this download (the SHA-1 prefix keeps it short)."""
        short = base64.urlsafe_b64encode(hashlib.sha1(self.metadata_path.name.encode()).digest()).decode()
        return self.metadata_path.parent / f"{short}.{etag}.incomplete"


@dataclass
class LocalDownloadFileMetadata:
    """What the last download of a ``local_dir`` file recorded."""

    filename: str
    commit_hash: str
    etag: str
    timestamp: float


def huggingface_dir(local_dir: Path) -> Path:
    """``local_dir/.cache/huggingface``, created with its ``.gitignore`` and ``CACHEDIR.TAG``."""
    path = local_dir / ".cache" / "huggingface"
    path.mkdir(parents=True, exist_ok=True)
    create_cachedir_tag(path)
    gitignore = path / ".gitignore"
    if not gitignore.exists():
        tmp = path / f".gitignore.{unique_suffix()}.tmp"
        try:
            tmp.write_text("*")
            os.replace(tmp, gitignore)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return path


def get_local_download_paths(local_dir: Path, filename: str) -> LocalDownloadFilePaths:
    """Paths for ``filename`` in ``local_dir`` (validated to stay inside it); parents are created."""
    file_path = Path(contained_path(local_dir, filename))
    download_dir = huggingface_dir(local_dir) / "download"
    metadata_path = Path(contained_path(download_dir, filename + ".metadata"))
    lock_path = metadata_path.with_suffix(".lock")
    file_path.parent.mkdir(parents=True, exist_ok=True)
    metadata_path.parent.mkdir(parents=True, exist_ok=True)
    return LocalDownloadFilePaths(file_path=file_path, lock_path=lock_path, metadata_path=metadata_path)


def read_download_metadata(local_dir: Path, filename: str) -> LocalDownloadFileMetadata | None:
    """The recorded metadata if it is still valid for the file on disk, else None.

    Valid means: it parses, and the file exists and was not modified more than a second after
    the metadata was written. An unparsable metadata file is deleted.
    """
    paths = get_local_download_paths(local_dir, filename)
    with weak_file_lock(paths.lock_path):
        if not paths.metadata_path.exists():
            return None
        try:
            with paths.metadata_path.open() as f:
                commit_hash = f.readline().strip()
                etag = f.readline().strip()
                timestamp = float(f.readline().strip())
            metadata = LocalDownloadFileMetadata(filename, commit_hash, etag, timestamp)
        except (OSError, ValueError) as err:
            logger.warning("Removing invalid metadata file %s: %s", paths.metadata_path, err)
            with contextlib.suppress(OSError):
                paths.metadata_path.unlink()
            return None
        try:
            if paths.file_path.stat().st_mtime - 1 <= metadata.timestamp:
                return metadata
        except FileNotFoundError:
            return None
    return None


def write_download_metadata(local_dir: Path, filename: str, commit_hash: str, etag: str) -> None:
    """Record that ``filename`` in ``local_dir`` is ``etag`` at ``commit_hash``, as of now."""
    paths = get_local_download_paths(local_dir, filename)
    with weak_file_lock(paths.lock_path):
        tmp = paths.metadata_path.with_name(f"{paths.metadata_path.name}.{unique_suffix()}.tmp")
        try:
            tmp.write_text(f"{commit_hash}\n{etag}\n{time.time()}\n")
            os.replace(tmp, paths.metadata_path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
