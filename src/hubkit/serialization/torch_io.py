"""Saving and loading torch state dicts as (sharded) safetensors checkpoints.

The layout is the one ``transformers``, ``huggingface_hub`` and the Hub understand: one
``model.safetensors``, or shards ``model-00001-of-0000N.safetensors`` plus
``model.safetensors.index.json`` (``{"metadata": {"total_size": ...}, "weight_map": {tensor:
shard}}``). Loading is safe by default: pickle files are only read with ``safe=False``, and an
index can neither point outside its folder nor at a pickle shard.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import namedtuple
from collections.abc import Iterable
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import constants
from .sharding import MAX_SHARD_SIZE, StateDictSplit, split_state_dict_into_shards_factory
from .torch_storage import get_torch_storage_id, get_torch_storage_size, remove_shared_names

if TYPE_CHECKING:
    import torch

__all__ = [
    "load_state_dict_from_file",
    "load_torch_model",
    "save_torch_model",
    "save_torch_state_dict",
    "split_torch_state_dict_into_shards",
]

logger = logging.getLogger(__name__)

MAX_INDEX_FILE_SIZE = 10 * 1024 * 1024  # an index is a name -> file map: anything bigger is not one


def split_torch_state_dict_into_shards(
    state_dict: dict[str, torch.Tensor],
    *,
    filename_pattern: str = constants.SAFETENSORS_WEIGHTS_FILE_PATTERN,
    max_shard_size: int | str = MAX_SHARD_SIZE,
) -> StateDictSplit:
    """Split a torch state dict into shards of at most ``max_shard_size`` (see
    ``split_state_dict_into_shards_factory``); tensors sharing storage stay together."""
    return split_state_dict_into_shards_factory(
        state_dict,
        max_shard_size=max_shard_size,
        filename_pattern=filename_pattern,
        get_storage_size=get_torch_storage_size,
        get_storage_id=get_torch_storage_id,
    )


def save_torch_model(
    model: torch.nn.Module,
    save_directory: str | Path,
    *,
    filename_pattern: str | None = None,
    force_contiguous: bool = True,
    max_shard_size: int | str = MAX_SHARD_SIZE,
    metadata: dict[str, str] | None = None,
    safe_serialization: bool = True,
    is_main_process: bool = True,
    shared_tensors_to_discard: list[str] | None = None,
) -> None:
    """Save ``model.state_dict()`` with ``save_torch_state_dict`` (same arguments)."""
    save_torch_state_dict(
        state_dict=model.state_dict(),
        save_directory=save_directory,
        filename_pattern=filename_pattern,
        force_contiguous=force_contiguous,
        max_shard_size=max_shard_size,
        metadata=metadata,
        safe_serialization=safe_serialization,
        is_main_process=is_main_process,
        shared_tensors_to_discard=shared_tensors_to_discard,
    )


def _old_checkpoint_files(filename_pattern: str) -> re.Pattern[str]:
    """Files a previous save with this pattern left (single file, shards, index), nothing else."""
    prefix, _, suffix = filename_pattern.partition("{suffix}")
    return re.compile(re.escape(prefix) + r"(-\d{5}-of-\d{5})?" + re.escape(suffix) + r"(\.index\.json)?")


def save_torch_state_dict(
    state_dict: dict[str, torch.Tensor],
    save_directory: str | Path,
    *,
    filename_pattern: str | None = None,
    force_contiguous: bool = True,
    max_shard_size: int | str = MAX_SHARD_SIZE,
    metadata: dict[str, str] | None = None,
    safe_serialization: bool = True,
    is_main_process: bool = True,
    shared_tensors_to_discard: list[str] | None = None,
) -> None:
    """Save a torch state dict in ``save_directory``, sharded when bigger than ``max_shard_size``.

    Args:
        state_dict: tensor name -> tensor.
        save_directory: where to write (must exist).
        filename_pattern: file names with ``{suffix}`` (default ``model{suffix}.safetensors``).
        force_contiguous: make tensors contiguous first (safetensors needs it).
        max_shard_size: ``int`` bytes or ``"5GB"``-style string.
        metadata: extra metadata, written in the index (sharded) or the file (single).
        safe_serialization: ``False`` writes pickle files with ``torch.save`` (discouraged).
        is_main_process: only the main process removes the files of a previous save (in
            distributed training every process may call this).
        shared_tensors_to_discard: names to drop first among tensors sharing memory.

    Tensors sharing memory are stored once; the dropped names are written in the metadata
    (``{dropped: kept}``) so they can be tied again on load.
    """
    directory = str(save_directory)
    if filename_pattern is None:
        filename_pattern = (
            constants.SAFETENSORS_WEIGHTS_FILE_PATTERN if safe_serialization else constants.PYTORCH_WEIGHTS_FILE_PATTERN
        )
    metadata = dict(metadata or {})
    if safe_serialization:
        try:
            from safetensors.torch import save_file
        except ImportError as err:
            raise ImportError("Saving as safetensors needs the `safetensors` package: pip install safetensors") from err
        state_dict = dict(state_dict)
        for kept, dropped in remove_shared_names(state_dict, discard_names=shared_tensors_to_discard).items():
            for name in dropped:
                metadata.setdefault(name, kept)  # a value the caller chose is not overwritten
                del state_dict[name]
        if force_contiguous:
            state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    else:
        from torch import save as save_file  # type: ignore[assignment]

        logger.warning(
            "Saving with pickle (safe_serialization=False): loading pickle files runs code from the file. "
            "Prefer safetensors to share a model."
        )

    split = split_torch_state_dict_into_shards(
        state_dict, filename_pattern=filename_pattern, max_shard_size=max_shard_size
    )

    if is_main_process:
        old = _old_checkpoint_files(filename_pattern)
        for filename in os.listdir(directory):
            if old.fullmatch(filename):
                try:
                    os.remove(os.path.join(directory, filename))
                except OSError as err:
                    logger.warning("Could not remove '%s' left by a previous save: %s", filename, err)

    file_metadata = {"format": "pt"}
    if not split.is_sharded:
        file_metadata.update(metadata)
    for filename, names in split.filename_to_tensors.items():
        shard = {name: state_dict[name] for name in names}
        path = os.path.join(directory, filename)
        if safe_serialization:
            save_file(shard, path, metadata=file_metadata)
        else:
            save_file(shard, path)  # type: ignore[call-arg]

    if split.is_sharded:
        index = {"metadata": {**split.metadata, **metadata}, "weight_map": split.tensor_to_filename}
        index_name = filename_pattern.format(suffix="") + ".index.json"
        with open(os.path.join(directory, index_name), "w") as f:
            json.dump(index, f, indent=2)
        logger.info("Saved %d shards and %s in %s", len(split.filename_to_tensors), index_name, directory)
    else:
        logger.info("Saved %s", os.path.join(directory, next(iter(split.filename_to_tensors))))


# --- loading -------------------------------------------------------------------------------


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_torch_model`` could not match, like torch's own ``load_state_dict`` result."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _is_safetensors(filename: str | os.PathLike[str]) -> bool:
    return str(filename).lower().endswith(".safetensors")


def load_torch_model(
    model: torch.nn.Module,
    checkpoint_path: str | os.PathLike[str],
    *,
    strict: bool = False,
    safe: bool = True,
    weights_only: bool = True,
    map_location: str | torch.device | None = None,
    mmap: bool = False,
    filename_pattern: str | None = None,
) -> NamedTuple:
    """Load a checkpoint (a file, or a folder with one file or an index and shards) into ``model``.

    Args:
        model: the module to fill.
        checkpoint_path: a checkpoint file or folder.
        strict: raise when the checkpoint's keys and the model's differ.
        safe: load safetensors only (``False`` allows pickle files, which run code when loaded).
        weights_only, mmap: passed to ``torch.load`` for pickle files.
        map_location: the device to load to (a single file; shards load to CPU first).
        filename_pattern: the checkpoint's file names (default ``model{suffix}.safetensors``,
            falling back to ``pytorch_model{suffix}.bin`` when ``safe=False`` and there is no
            safetensors index).

    Returns:
        ``(missing_keys, unexpected_keys)``.
    """
    path = Path(checkpoint_path)
    if not path.exists():
        raise FileNotFoundError(f"Checkpoint path {path} does not exist")
    if path.is_file():
        state_dict = load_state_dict_from_file(
            path, map_location=map_location, weights_only=weights_only, mmap=mmap, safe=safe
        )
        return model.load_state_dict(state_dict, strict=strict)  # type: ignore[no-any-return]

    if filename_pattern is None:
        filename_pattern = constants.SAFETENSORS_WEIGHTS_FILE_PATTERN
        if not (path / (filename_pattern.format(suffix="") + ".index.json")).is_file() and not safe:
            filename_pattern = constants.PYTORCH_WEIGHTS_FILE_PATTERN
    elif safe and not _is_safetensors(filename_pattern.format(suffix="")):
        raise ValueError(
            f"`filename_pattern={filename_pattern!r}` does not describe safetensors files but `safe=True`. "
            "Pass `safe=False` to allow loading pickled weights (this executes code from the files)."
        )
    index_path = path / (filename_pattern.format(suffix="") + ".index.json")
    if index_path.is_file():
        return _load_sharded(
            model, path, index_path, filename_pattern, strict=strict, weights_only=weights_only, safe=safe
        )

    # one weights file: safetensors first, pickle only when allowed and unambiguous
    files = list(path.glob("*.safetensors"))
    if len(files) != 1 and not safe:
        files = list(path.glob("*.bin"))
    if len(files) == 1:
        state_dict = load_state_dict_from_file(
            files[0], map_location=map_location, weights_only=weights_only, mmap=mmap, safe=safe
        )
        return model.load_state_dict(state_dict, strict=strict)  # type: ignore[no-any-return]
    raise ValueError(
        f"Directory '{path}' does not contain a valid checkpoint. "
        "Expected either a sharded checkpoint with an index file, or a single model file."
    )


def _read_index(index_path: Path, filename_pattern: str) -> dict[str, Any]:
    if index_path.stat().st_size > MAX_INDEX_FILE_SIZE:
        raise ValueError(f"Invalid index file '{index_path}': larger than {MAX_INDEX_FILE_SIZE} bytes.")
    index = json.loads(index_path.read_text(encoding="utf-8"))
    if not isinstance(index, dict) or not isinstance(index.get("weight_map"), dict):
        raise ValueError(f"Invalid index file '{index_path}': expected a JSON object with a 'weight_map' object.")
    extension = Path(filename_pattern.format(suffix="")).suffix
    for shard in index["weight_map"].values():
        if not isinstance(shard, str):
            raise ValueError(f"Invalid index file '{index_path}': all 'weight_map' values must be strings.")
        # read as a Windows path too, so "..\\x", "C:x" and "\\\\server\\x" are refused on any OS
        win = PureWindowsPath(shard)
        if win.drive or win.root or ".." in win.parts:
            raise ValueError(
                f"Invalid shard filename '{shard}' in index file '{index_path}'. "
                "Shard filenames must be relative paths without '..' components."
            )
        if not shard.endswith(extension):
            raise ValueError(
                f"Invalid shard filename '{shard}' in index file '{index_path}'. "
                f"Expected '{extension}' extension to match the index format."
            )
    return index


def _load_sharded(
    model: torch.nn.Module, folder: Path, index_path: Path, filename_pattern: str, *, strict: bool,
    weights_only: bool, safe: bool,
) -> NamedTuple:  # fmt: skip
    index = _read_index(index_path, filename_pattern)
    loaded: set[str] = set()
    for shard in sorted(set(index["weight_map"].values())):
        state_dict = load_state_dict_from_file(folder / shard, map_location="cpu", weights_only=weights_only, safe=safe)
        loaded.update(state_dict)
        model.load_state_dict(state_dict, strict=False)  # one shard never holds every key
        del state_dict
    # what was loaded is what the shards held: the index cannot hide or invent tensors
    extra = loaded - set(index["weight_map"])
    if extra:
        logger.warning("Shard files contain tensors absent from the index: %s", sorted(extra))
    model_keys = set(model.state_dict())
    if strict:
        _check_strict(model, loaded, model_keys)
    return _IncompatibleKeys(missing_keys=list(model_keys - loaded), unexpected_keys=list(loaded - model_keys))


def _check_strict(model: torch.nn.Module, loaded: Iterable[str], model_keys: set[str]) -> None:
    loaded = set(loaded)
    missing, unexpected = model_keys - loaded, loaded - model_keys
    if missing or unexpected:
        message = f"Error(s) in loading state_dict for {model.__class__.__name__}"
        if missing:
            message += "\nMissing key(s): " + ",".join(f'"{k}"' for k in sorted(missing)) + "."
        if unexpected:
            message += "\nUnexpected key(s): " + ",".join(f'"{k}"' for k in sorted(unexpected)) + "."
        raise RuntimeError(message)


def load_state_dict_from_file(
    checkpoint_file: str | os.PathLike[str],
    map_location: str | torch.device | None = None,
    weights_only: bool = True,
    mmap: bool = False,
    *,
    safe: bool = True,
) -> dict[str, torch.Tensor] | Any:
    """The state dict in one checkpoint file.

    With ``safe=True`` (the default) the file is read as safetensors whatever its name: a pickle
    file fails to load instead of running. ``safe=False`` reads ``.bin``/pickle files with
    ``torch.load`` (``weights_only`` and ``mmap`` passed on).
    """
    path = Path(checkpoint_file)
    if not path.is_file():
        raise FileNotFoundError(
            f"No checkpoint file found at '{path}'. Please verify the path is correct and the file has been "
            "properly downloaded."
        )
    if safe or _is_safetensors(path):
        try:
            return _load_safetensors(path, map_location)
        except (ImportError, OSError):
            raise
        except Exception as err:
            if safe:
                raise ValueError(
                    f"Cannot load '{path}' as safetensors. If this is a pickle checkpoint, pass `safe=False` to "
                    "allow it (this executes arbitrary code at load time)."
                ) from err
            raise
    import torch

    if not weights_only:
        logger.warning("Loading '%s' with torch.load(weights_only=False): only load files you trust.", path)
    return torch.load(path, map_location=map_location, weights_only=weights_only, mmap=mmap)


def _load_safetensors(path: Path, map_location: str | torch.device | None) -> dict[str, torch.Tensor]:
    try:
        from safetensors import safe_open
        from safetensors.torch import load_file
    except ImportError as err:
        raise ImportError("Loading safetensors needs the `safetensors` package: pip install safetensors") from err
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
    if metadata is not None and metadata.get("format") not in ("pt", "mlx"):
        raise OSError(
            f"The safetensors archive passed at {path} does not contain the valid metadata. Make sure you save "
            "your model with the `save_torch_model` method."
        )
    device = "cpu" if map_location is None else str(getattr(map_location, "type", map_location))
    if device == "meta":
        logger.warning("Meta device is not supported with safetensors. Falling back to CPU device.")
        device = "cpu"
    return load_file(str(path), device=device)  # type: ignore[no-any-return]
