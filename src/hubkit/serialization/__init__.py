"""Checkpoints: sharding state dicts, saving and loading torch weights as safetensors, DDUF files.

Nothing here imports torch or safetensors until a function needs them (``pip install
'hubkit[torch]'``).
"""

from __future__ import annotations

from .dduf import DDUFEntry, export_entries_as_dduf, export_folder_as_dduf, read_dduf_file
from .sharding import StateDictSplit, parse_size_to_int, split_state_dict_into_shards_factory
from .torch_io import (
    load_state_dict_from_file,
    load_torch_model,
    save_torch_model,
    save_torch_state_dict,
    split_torch_state_dict_into_shards,
)
from .torch_storage import get_torch_storage_id, get_torch_storage_size

__all__ = [
    "DDUFEntry",
    "StateDictSplit",
    "export_entries_as_dduf",
    "export_folder_as_dduf",
    "get_torch_storage_id",
    "get_torch_storage_size",
    "load_state_dict_from_file",
    "load_torch_model",
    "parse_size_to_int",
    "read_dduf_file",
    "save_torch_model",
    "save_torch_state_dict",
    "split_state_dict_into_shards_factory",
    "split_torch_state_dict_into_shards",
]
