"""Per-file progress of ``upload_large_folder``, kept next to the files (hub-protocol.md §3.8).

``folder/.cache/huggingface/upload/{path}.metadata`` holds eight lines, in the format of
huggingface_hub 1.x so either library can resume the other's upload:

    timestamp (float, when written) | size | should_ignore (0/1/empty) | sha256 (or empty)
    upload mode (regular/lfs/empty) | remote oid (or empty) | is_uploaded (0/1) | is_committed (0/1)

A record counts only while the file's mtime is not after the timestamp (an edited file starts
over). An upload that was never committed is assumed gone after 20 hours (the Hub deletes
uncommitted objects). Records are replaced atomically (temporary file + rename), so a process
killed at any moment leaves either the old record or the new one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["UPLOAD_GC_SECONDS", "FileRecord", "read_record", "upload_state_dir", "write_record"]

logger = logging.getLogger(__name__)

UPLOAD_GC_SECONDS = 20 * 3600


@dataclass
class FileRecord:
    """What is known about one file of the folder (defaults mean: not known yet)."""

    size: int
    timestamp: float | None = None
    should_ignore: bool | None = None
    sha256: str | None = None
    upload_mode: str | None = None
    remote_oid: str | None = None
    is_uploaded: bool = False
    is_committed: bool = False

    def serialize(self, now: float) -> str:
        def opt(value: object) -> str:
            if value is None:
                return ""
            return str(int(value)) if isinstance(value, bool) else str(value)

        lines = [
            str(now),
            str(self.size),
            opt(self.should_ignore),
            opt(self.sha256),
            opt(self.upload_mode),
            opt(self.remote_oid),
            str(int(self.is_uploaded)),
            str(int(self.is_committed)),
        ]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> FileRecord:
        lines = text.split("\n")
        if len(lines) < 8:
            raise ValueError("truncated metadata")
        mode = lines[4].strip() or None
        if mode not in (None, "regular", "lfs"):
            raise ValueError(f"invalid upload mode {mode!r}")
        ignore = lines[2].strip()
        return cls(
            timestamp=float(lines[0]),
            size=int(lines[1]),
            should_ignore=None if ignore == "" else bool(int(ignore)),
            sha256=lines[3].strip() or None,
            upload_mode=mode,
            remote_oid=lines[5].strip() or None,
            is_uploaded=bool(int(lines[6])),
            is_committed=bool(int(lines[7])),
        )


def upload_state_dir(folder: Path) -> Path:
    """``folder/.cache/huggingface/upload`` (created, with the cache folder's tag and .gitignore)."""
    from ..cache.local_dir import huggingface_dir

    path = huggingface_dir(folder) / "upload"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _metadata_path(state_dir: Path | str, path_in_folder: str) -> str:
    # path_in_folder comes from listing the folder itself (no "..", no absolute part): plain
    # string joins, as this runs once per file of folders with 100k files.
    return os.path.join(state_dir, *path_in_folder.split("/")) + ".metadata"


def read_record(state_dir: Path | str, path_in_folder: str, file_path: Path | str) -> FileRecord:
    """The valid record of a file, or a fresh one that knows only its size."""
    st = os.stat(file_path)
    meta = _metadata_path(state_dir, path_in_folder)
    try:
        with open(meta) as f:
            record = FileRecord.parse(f.read())
    except FileNotFoundError:
        return FileRecord(size=st.st_size)
    except (OSError, ValueError) as err:
        logger.warning("Ignoring invalid upload metadata %s: %s", meta, err)
        with contextlib.suppress(OSError):
            os.unlink(meta)
        return FileRecord(size=st.st_size)
    assert record.timestamp is not None
    if st.st_mtime > record.timestamp or st.st_size != record.size:
        return FileRecord(size=st.st_size)  # changed since: start over
    if record.is_uploaded and not record.is_committed and time.time() - record.timestamp > UPLOAD_GC_SECONDS:
        record.is_uploaded = False
    return record


def write_record(state_dir: Path | str, path_in_folder: str, record: FileRecord) -> None:
    """Replace the record of a file atomically; sets ``record.timestamp``."""
    meta = _metadata_path(state_dir, path_in_folder)
    now = time.time()
    tmp = f"{meta}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        try:
            f = open(tmp, "w")  # noqa: SIM115 - closed just below
        except FileNotFoundError:
            os.makedirs(os.path.dirname(meta), exist_ok=True)
            f = open(tmp, "w")  # noqa: SIM115
        with f:
            f.write(record.serialize(now))
        os.replace(tmp, meta)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    record.timestamp = now
