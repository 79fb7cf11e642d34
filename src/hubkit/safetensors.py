"""Safetensors headers: what tensors a file holds, without reading the tensors.

A safetensors file starts with an 8-byte little-endian length, then that many bytes of JSON
describing each tensor (dtype, shape, byte offsets) plus optional ``__metadata__``. Reading
the header is enough to know a model's parameter count per dtype. This module parses headers
(``TensorInfo``, ``SafetensorsFileMetadata``, ``SafetensorsRepoMetadata``) from bytes, local
files and folders; the Hub side (reading only the header bytes by HTTP Range) is in
``hubkit.api.safetensors``. The server parses headers with the same functions.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import constants
from .errors import NotASafetensorsRepoError, SafetensorsParsingError

__all__ = [
    "SafetensorsFileMetadata",
    "SafetensorsRepoMetadata",
    "TensorInfo",
    "count_parameters",
    "file_metadata_from_header",
    "get_local_safetensors_metadata",
    "header_length",
    "parse_header",
    "parse_local_safetensors_file_metadata",
]

FILENAME_T = str
TENSOR_NAME_T = str
DTYPE_T = Literal["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "U3", "BOOL"]


@dataclass
class TensorInfo:
    """One tensor of a safetensors file: ``dtype`` (``"F32"``...), ``shape``, ``data_offsets``
    (start and end of its bytes after the header) and ``parameter_count`` (product of the shape;
    1 for a scalar)."""

    dtype: DTYPE_T
    shape: list[int]
    data_offsets: tuple[int, int]
    parameter_count: int = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.parameter_count = math.prod(self.shape) if self.shape else 1
        except TypeError:
            self.parameter_count = 1


def _count_by_dtype(pairs: Any) -> dict[DTYPE_T, int]:
    counts: dict[Any, int] = {}
    for dtype, count in pairs:
        counts[dtype] = counts.get(dtype, 0) + count
    return counts


@dataclass
class SafetensorsFileMetadata:
    """The header of one safetensors file: its ``metadata`` (``__metadata__``), its ``tensors``
    by name, and ``parameter_count`` per dtype."""

    metadata: dict[str, str]
    tensors: dict[TENSOR_NAME_T, TensorInfo]
    parameter_count: dict[DTYPE_T, int] = field(init=False)

    def __post_init__(self) -> None:
        self.parameter_count = _count_by_dtype((t.dtype, t.parameter_count) for t in self.tensors.values())


@dataclass
class SafetensorsRepoMetadata:
    """The safetensors weights of a repo (or folder): one ``model.safetensors``, or the shards
    listed by ``model.safetensors.index.json``.

    ``metadata`` is the index's ``metadata`` (sharded models only), ``weight_map`` maps each
    tensor to its file, ``files_metadata`` holds each file's header, ``parameter_count`` the
    parameters per dtype over all files.
    """

    metadata: dict[str, Any] | None
    sharded: bool
    weight_map: dict[TENSOR_NAME_T, FILENAME_T]
    files_metadata: dict[FILENAME_T, SafetensorsFileMetadata]
    parameter_count: dict[DTYPE_T, int] = field(init=False)

    def __post_init__(self) -> None:
        self.parameter_count = _count_by_dtype(
            pair for f in self.files_metadata.values() for pair in f.parameter_count.items()
        )


# --- parsing -------------------------------------------------------------------------------


def _fail(filename: str, context: str, why: str) -> SafetensorsParsingError:
    return SafetensorsParsingError(f"Failed to parse safetensors header for '{filename}' ({context}): {why}")


def header_length(first_bytes: bytes, filename: str, context: str) -> int:
    """The header's length, from the first 8 bytes of the file (checked against the maximum)."""
    if len(first_bytes) < 8:
        raise _fail(filename, context, "file is too small to be a valid safetensors file.")
    (length,) = struct.unpack("<Q", first_bytes[:8])
    if length > constants.SAFETENSORS_MAX_HEADER_LENGTH:
        raise _fail(
            filename,
            context,
            "safetensors header is too big. Maximum supported size is "
            f"{constants.SAFETENSORS_MAX_HEADER_LENGTH} bytes (got {length}).",
        )
    return int(length)


def file_metadata_from_header(header: Any, filename: str, context: str) -> SafetensorsFileMetadata:
    """A ``SafetensorsFileMetadata`` from a header already decoded from JSON."""
    if not isinstance(header, dict):
        raise _fail(filename, context, "header format not recognized. The header must be a JSON object.")
    try:
        tensors = {
            name: TensorInfo(dtype=info["dtype"], shape=info["shape"], data_offsets=tuple(info["data_offsets"]))  # type: ignore[arg-type]
            for name, info in header.items()
            if name != "__metadata__"
        }
    except (KeyError, IndexError, TypeError) as err:
        raise _fail(
            filename, context, "header format not recognized. Please make sure this is a correctly formatted file."
        ) from err
    metadata = header.get("__metadata__", {})
    return SafetensorsFileMetadata(metadata=metadata, tensors=tensors)


def count_parameters(header: Any, filename: str, context: str) -> dict[str, int]:
    """Parameters per dtype of a decoded header, checked strictly (dtype a string, shape a list of
    non-negative integers, data offsets present): the fast path of the hub's indexing, which
    needs the counts and not one object per tensor."""
    if not isinstance(header, dict):
        raise _fail(filename, context, "header format not recognized. The header must be a JSON object.")
    counts: dict[str, int] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        except (KeyError, TypeError):
            raise _fail(filename, context, f"tensor {name!r} lacks dtype, shape or data_offsets.") from None
        if not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(offsets, list):
            raise _fail(filename, context, f"tensor {name!r} has a malformed dtype, shape or data_offsets.")
        count = 1
        for dim in shape:
            if type(dim) is not int or dim < 0:
                raise _fail(filename, context, f"tensor {name!r} has a malformed shape.")
            count *= dim
        counts[dtype] = counts.get(dtype, 0) + count
    return counts


def parse_header(header_bytes: bytes, filename: str, context: str) -> SafetensorsFileMetadata:
    """A ``SafetensorsFileMetadata`` from the raw JSON header (the bytes after the length)."""
    try:
        header = json.loads(header_bytes.decode(errors="ignore"))
    except json.JSONDecodeError as err:
        raise _fail(filename, context, "header is not json-encoded string.") from err
    return file_metadata_from_header(header, filename, context)


# --- local files ---------------------------------------------------------------------------


def parse_local_safetensors_file_metadata(path: str | Path) -> SafetensorsFileMetadata:
    """The header of a local safetensors file (only the header is read).

    Raises ``SafetensorsParsingError`` for a file that is not valid safetensors,
    ``FileNotFoundError`` when it does not exist.
    """
    path = Path(path)
    context = f"path '{path}'"
    with open(path, "rb") as f:
        length = header_length(f.read(8), path.name, context)
        header = f.read(length)
    if len(header) < length:
        raise _fail(
            path.name,
            context,
            f"file is truncated. Expected {length} bytes of metadata but got {len(header)}.",
        )
    return parse_header(header, path.name, context)


def _single(file_metadata: SafetensorsFileMetadata, name: str) -> SafetensorsRepoMetadata:
    return SafetensorsRepoMetadata(
        metadata=None,
        sharded=False,
        weight_map=dict.fromkeys(file_metadata.tensors, name),
        files_metadata={name: file_metadata},
    )


def read_index(data: bytes, where: str) -> dict[str, Any]:
    """A ``*.safetensors.index.json`` checked for shape: an object whose ``weight_map`` maps
    tensor names to shard file names (plain names, no folders going up)."""
    try:
        index = json.loads(data)
    except ValueError as err:
        raise SafetensorsParsingError(f"Invalid safetensors index {where}: not JSON ({err})") from None
    if not isinstance(index, dict) or not isinstance(index.get("weight_map", {}), dict):
        raise SafetensorsParsingError(f"Invalid safetensors index {where}: expected an object with a 'weight_map'")
    shards = index.get("weight_map", {}).values()
    if not all(isinstance(shard, str) for shard in shards):
        raise SafetensorsParsingError(f"Invalid safetensors index {where}: shard names must be strings")
    for shard in set(shards):  # thousands of tensors, a few shards: check each name once
        if not shard or shard.startswith(("/", "\\")) or ".." in shard.replace("\\", "/").split("/"):
            raise SafetensorsParsingError(f"Invalid safetensors index {where}: bad shard name {shard!r}")
    return index


def get_local_safetensors_metadata(path: str | Path) -> SafetensorsRepoMetadata:
    """The safetensors weights of a local file or folder (``model.safetensors``, or the shards
    of ``model.safetensors.index.json``), from their headers only.

    Raises ``NotASafetensorsRepoError`` for a folder with neither file, ``FileNotFoundError``
    when ``path`` does not exist.
    """
    path = Path(path)
    if path.is_file():
        return _single(parse_local_safetensors_file_metadata(path), path.name)
    if not path.is_dir():
        raise FileNotFoundError(f"Path '{path}' does not exist.")
    single = path / constants.SAFETENSORS_SINGLE_FILE
    if single.exists():
        return _single(parse_local_safetensors_file_metadata(single), constants.SAFETENSORS_SINGLE_FILE)
    index_path = path / constants.SAFETENSORS_INDEX_FILE
    if index_path.exists():
        index = read_index(index_path.read_bytes(), f"'{index_path}'")
        weight_map = index.get("weight_map", {})
        files = {name: parse_local_safetensors_file_metadata(path / name) for name in sorted(set(weight_map.values()))}
        return SafetensorsRepoMetadata(
            metadata=index.get("metadata"), sharded=True, weight_map=weight_map, files_metadata=files
        )
    raise NotASafetensorsRepoError(
        f"'{path}' is not a valid safetensors folder. Couldn't find '{constants.SAFETENSORS_INDEX_FILE}' or "
        f"'{constants.SAFETENSORS_SINGLE_FILE}' files."
    )
