"""Splitting a state dict into shards of bounded size, whatever the tensor library.

The split walks the state dict in key order and starts a new shard when the next tensor would
overflow the current one (no bin packing: keys stay in order, which keeps the layout
predictable). A tensor bigger than the limit gets a shard of its own. Tensors sharing storage
are counted once and written next to the first of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["MAX_SHARD_SIZE", "StateDictSplit", "parse_size_to_int", "split_state_dict_into_shards_factory"]

logger = logging.getLogger(__name__)

TensorT = TypeVar("TensorT")
MAX_SHARD_SIZE = "5GB"
SIZE_UNITS = {"TB": 10**12, "GB": 10**9, "MB": 10**6, "KB": 10**3}


@dataclass
class StateDictSplit:
    """How a state dict is split: ``filename_to_tensors``, ``tensor_to_filename``, the index
    ``metadata`` (``total_size`` in bytes), and ``is_sharded`` (more than one file)."""

    is_sharded: bool = field(init=False)
    metadata: dict[str, Any]
    filename_to_tensors: dict[str, list[str]]
    tensor_to_filename: dict[str, str]

    def __post_init__(self) -> None:
        self.is_sharded = len(self.filename_to_tensors) > 1


def parse_size_to_int(size_as_str: str) -> int:
    """Bytes in a size written with a decimal unit: ``"5GB"`` -> 5_000_000_000 (TB, GB, MB, KB)."""
    text = size_as_str.strip()
    unit = text[-2:].upper()
    if unit not in SIZE_UNITS:
        raise ValueError(f"Unit '{unit}' not supported. Supported units are TB, GB, MB, KB. Got '{size_as_str}'.")
    try:
        value = float(text[:-2].strip())
    except ValueError as err:
        raise ValueError(f"Could not parse the size value from '{size_as_str}': {err}") from err
    return int(value * SIZE_UNITS[unit])


def _check_pattern(filename_pattern: str) -> None:
    if "{suffix}" not in filename_pattern or re.search(r"\{(?!suffix\})", filename_pattern):
        raise ValueError(f"filename_pattern must contain '{{suffix}}' and no other field: {filename_pattern!r}")


def split_state_dict_into_shards_factory(
    state_dict: dict[str, TensorT],
    *,
    get_storage_size: Callable[[TensorT], int],
    filename_pattern: str,
    get_storage_id: Callable[[TensorT], Any | None] = lambda tensor: None,
    max_shard_size: int | str = MAX_SHARD_SIZE,
) -> StateDictSplit:
    """Split ``state_dict`` into shards of at most ``max_shard_size`` bytes (``int`` or ``"5GB"``).

    Args:
        state_dict: tensor name -> tensor.
        get_storage_size: bytes a tensor takes on disk.
        filename_pattern: file names, formatted with ``suffix`` (``""`` for a single file,
            ``"-00001-of-00003"`` for shards): ``"model{suffix}.safetensors"``.
        get_storage_id: an id of a tensor's storage (``None`` when unknown); tensors with the
            same id share memory and are stored once, in the shard of the first one.
        max_shard_size: the limit per shard; a tensor bigger than it gets a shard to itself.

    Returns:
        a ``StateDictSplit``.
    """
    _check_pattern(filename_pattern)
    limit = parse_size_to_int(max_shard_size) if isinstance(max_shard_size, str) else max_shard_size
    shared: dict[Any, list[str]] = {}  # storage id -> tensor names sharing it, first one stored
    shards: list[list[str]] = []
    current: list[str] = []
    current_size = 0
    total_size = 0
    for name, tensor in state_dict.items():
        if isinstance(tensor, str):  # bitsandbytes puts strings in state dicts: nothing to store
            logger.info("Skipping tensor %s as it is a string (bnb serialization)", name)
            continue
        storage_id = get_storage_id(tensor)
        if storage_id is not None:
            if storage_id in shared:
                shared[storage_id].append(name)
                continue
            shared[storage_id] = [name]
        size = get_storage_size(tensor)
        total_size += size
        if size > limit:
            shards.append([name])
            continue
        if current and current_size + size > limit:
            shards.append(current)
            current, current_size = [], 0
        current.append(name)
        current_size += size
    if current:
        shards.append(current)

    # names sharing storage go in the shard of the one that was stored
    home = {name: i for i, shard in enumerate(shards) for name in shard}
    for names in shared.values():
        first = names[0]
        if first in home:
            shards[home[first]].extend(n for n in names[1:] if n not in shards[home[first]])

    count = len(shards)
    if count <= 1:
        filename = filename_pattern.format(suffix="")
        names = shards[0] if shards else []
        return StateDictSplit(
            metadata={"total_size": total_size},
            filename_to_tensors={filename: names},
            tensor_to_filename=dict.fromkeys(names, filename),
        )
    filename_to_tensors: dict[str, list[str]] = {}
    tensor_to_filename: dict[str, str] = {}
    for i, names in enumerate(shards):
        filename = filename_pattern.format(suffix=f"-{i + 1:05d}-of-{count:05d}")
        filename_to_tensors[filename] = names
        tensor_to_filename.update(dict.fromkeys(names, filename))
    return StateDictSplit(
        metadata={"total_size": total_size},
        filename_to_tensors=filename_to_tensors,
        tensor_to_filename=tensor_to_filename,
    )
