"""DDUF: a diffusion pipeline in one file (an uncompressed ZIP64 archive).

The format's rules: entries are stored, never compressed (so each can be memory-mapped in
place); only ``.json``, ``.model``, ``.safetensors`` and ``.txt`` files; at most one folder
level; ``model_index.json`` at the root names every folder, and each folder holds a config
(``config.json``, ``tokenizer_config.json``, ``preprocessor_config.json`` or
``scheduler_config.json``).
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import struct
import zipfile
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DDUFCorruptedFileError, DDUFExportError, DDUFInvalidEntryNameError

__all__ = ["DDUFEntry", "export_entries_as_dduf", "export_folder_as_dduf", "read_dduf_file"]

logger = logging.getLogger(__name__)

DDUF_ALLOWED_ENTRIES = {".json", ".model", ".safetensors", ".txt"}
DDUF_FOLDER_REQUIRED_ENTRIES = {
    "config.json",
    "tokenizer_config.json",
    "preprocessor_config.json",
    "scheduler_config.json",
}
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, (version..sizes), name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"


@dataclass
class DDUFEntry:
    """One file inside a DDUF archive: its name, and where its bytes are (``offset``, ``length``)."""

    filename: str
    length: int
    offset: int
    dduf_path: Path = field(repr=False)

    @contextmanager
    def as_mmap(self) -> Generator[bytes, None, None]:
        """The entry's bytes, memory-mapped from the archive (no copy of the file)."""
        with self.dduf_path.open("rb") as f, mmap.mmap(f.fileno(), length=0, access=mmap.ACCESS_READ) as mm:
            yield mm[self.offset : self.offset + self.length]

    def read_text(self, encoding: str = "utf-8") -> str:
        """The entry decoded as text."""
        with self.dduf_path.open("rb") as f:
            f.seek(self.offset)
            return f.read(self.length).decode(encoding=encoding)


def _entry_name(name: str) -> str:
    """The entry name checked against the format's rules, leading/trailing slashes removed."""
    if "." + name.rsplit(".", 1)[-1] not in DDUF_ALLOWED_ENTRIES:
        raise DDUFInvalidEntryNameError(f"File type not allowed: {name}")
    if "\\" in name:
        raise DDUFInvalidEntryNameError(f"Entry names must use UNIX separators ('/'). Got {name}.")
    name = name.strip("/")
    if name.count("/") > 1:
        raise DDUFInvalidEntryNameError(f"DDUF only supports 1 level of directory. Got {name}.")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise DDUFInvalidEntryNameError(f"Entry names must not contain empty, '.' or '..' parts. Got {name}.")
    return name


def _check_structure(index: Any, names: Iterable[str]) -> None:
    names = set(names)
    if not isinstance(index, dict):
        raise DDUFCorruptedFileError(f"Invalid 'model_index.json' content. Must be a dictionary. Got {type(index)}.")
    for folder in sorted({n.split("/")[0] for n in names if "/" in n}):
        if folder not in index:
            raise DDUFCorruptedFileError(f"Missing required entry '{folder}' in 'model_index.json'.")
        if not any(f"{folder}/{required}" in names for required in DDUF_FOLDER_REQUIRED_ENTRIES):
            raise DDUFCorruptedFileError(
                f"Missing required file in folder '{folder}'. Must contains at least one of "
                f"{DDUF_FOLDER_REQUIRED_ENTRIES}."
            )


def _data_offset(f: Any, info: zipfile.ZipInfo) -> int:
    """Where an entry's bytes start: after its local header, whose name and extra fields may
    differ in length from the central directory's copy."""
    f.seek(info.header_offset)
    raw = f.read(_LOCAL_HEADER.size)
    if len(raw) < _LOCAL_HEADER.size:
        raise DDUFCorruptedFileError("Incomplete local file header.")
    signature, name_len, extra_len = _LOCAL_HEADER.unpack(raw)
    if signature != _LOCAL_SIGNATURE:
        raise DDUFCorruptedFileError(f"Bad local file header for {info.filename}.")
    return int(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)


def read_dduf_file(dduf_path: os.PathLike[str] | str) -> dict[str, DDUFEntry]:
    """The entries of a DDUF file by name, checked against the format (``DDUFCorruptedFileError``)."""
    path = Path(dduf_path)
    entries: dict[str, DDUFEntry] = {}
    with zipfile.ZipFile(str(path), "r") as zf, path.open("rb") as raw:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                raise DDUFCorruptedFileError("Data must not be compressed in DDUF file.")
            try:
                _entry_name(info.filename)
            except DDUFInvalidEntryNameError as err:
                raise DDUFCorruptedFileError(f"Invalid entry name in DDUF file: {info.filename}") from err
            entries[info.filename] = DDUFEntry(
                filename=info.filename, offset=_data_offset(raw, info), length=info.file_size, dduf_path=path
            )
    if "model_index.json" not in entries:
        raise DDUFCorruptedFileError("Missing required 'model_index.json' entry in DDUF file.")
    try:
        index = json.loads(entries["model_index.json"].read_text())
    except ValueError as err:
        raise DDUFCorruptedFileError("'model_index.json' is not valid JSON.") from err
    _check_structure(index, entries)
    logger.info("Read DDUF file %s: %d entries", path, len(entries))
    return entries


def _content_bytes(content: str | Path | bytes) -> bytes:
    if isinstance(content, (str, Path)):
        return Path(content).read_bytes()
    if isinstance(content, bytes):
        return content
    raise DDUFExportError(f"Invalid content type. Must be str, Path or bytes. Got {type(content)}.")


def export_entries_as_dduf(
    dduf_path: str | os.PathLike[str], entries: Iterable[tuple[str, str | Path | bytes]]
) -> None:
    """Write a DDUF file from ``(name in archive, content)`` pairs; content is a path or bytes.

    Raises ``DDUFExportError`` for a duplicate or forbidden name, a missing or invalid
    ``model_index.json``, or a folder without its config.
    """
    names: set[str] = set()
    index = None
    with zipfile.ZipFile(str(dduf_path), "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries:
            if name in names:
                raise DDUFExportError(f"Can't add duplicate entry: {name}")
            names.add(name)
            try:
                clean = _entry_name(name)
            except DDUFInvalidEntryNameError as err:
                raise DDUFExportError(f"Invalid entry name: {name}") from err
            if clean == "model_index.json":
                try:
                    index = json.loads(_content_bytes(content).decode())
                except ValueError as err:
                    raise DDUFExportError("Failed to parse 'model_index.json'.") from err
            with archive.open(clean, "w", force_zip64=True) as out:
                if isinstance(content, (str, Path)):
                    with Path(content).open("rb") as src:
                        shutil.copyfileobj(src, out, 8 * 1024 * 1024)
                elif isinstance(content, bytes):
                    out.write(content)
                else:
                    raise DDUFExportError(f"Invalid content type for {name}. Must be str, Path or bytes.")
    if index is None:
        raise DDUFExportError("Missing required 'model_index.json' entry in DDUF file.")
    try:
        _check_structure(index, names)
    except DDUFCorruptedFileError as err:
        raise DDUFExportError("Invalid DDUF file structure.") from err
    logger.info("Wrote DDUF file %s", dduf_path)


def export_folder_as_dduf(dduf_path: str | os.PathLike[str], folder_path: str | os.PathLike[str]) -> None:
    """Write a DDUF file from a pipeline folder (files of other types, and deeper folders, are skipped)."""
    folder = Path(folder_path)

    def files() -> Iterable[tuple[str, Path]]:
        for path in sorted(folder.glob("**/*")):
            if not path.is_file() or path.suffix not in DDUF_ALLOWED_ENTRIES:
                continue
            relative = path.relative_to(folder)
            if len(relative.parts) >= 3:
                logger.debug("Skipping '%s': DDUF allows one folder level", path)
                continue
            yield relative.as_posix(), path

    export_entries_as_dduf(dduf_path, files())
