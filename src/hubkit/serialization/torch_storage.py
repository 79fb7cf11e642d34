"""What a torch tensor occupies: its storage's identity and size, and which tensors share one.

safetensors refuses tensors that share memory (tied embeddings, views): before saving, one name
per shared storage is kept and the others are recorded in the file's metadata
(``{removed_name: kept_name}``), as ``huggingface_hub`` and ``transformers`` do, so loaders
can tie them again. Everything here needs torch, imported on first use.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

__all__ = ["get_torch_storage_id", "get_torch_storage_size", "remove_shared_names", "storage_ptr"]


def _subclass_parts(tensor: torch.Tensor) -> list[Any] | None:
    """The inner tensors of a wrapper subclass (e.g. quantized tensors), or None."""
    try:
        from torch.utils._python_dispatch import is_traceable_wrapper_subclass
    except ImportError:  # torch < 2.1
        return None
    if not is_traceable_wrapper_subclass(tensor):
        return None
    names, _ = tensor.__tensor_flatten__()  # type: ignore[attr-defined]
    return [getattr(tensor, n) for n in names]


def _dtensor(tensor: torch.Tensor) -> Any:
    try:
        from torch.distributed.tensor import DTensor
    except ImportError:
        return None
    return tensor if isinstance(tensor, DTensor) else None


@functools.lru_cache
def _itemsize(dtype: torch.dtype) -> int:
    import torch

    return torch.empty((), dtype=dtype).element_size()


def storage_ptr(tensor: torch.Tensor) -> int | tuple[Any, ...]:
    """The address of a tensor's storage (0 when it has none, e.g. on the meta device)."""
    parts = _subclass_parts(tensor)
    if parts is not None:
        return tuple(storage_ptr(p) for p in parts)
    try:
        return tensor.untyped_storage().data_ptr()  # type: ignore[no-any-return]
    except Exception:  # meta or exotic storage
        return 0


def _unique_id(tensor: torch.Tensor) -> int | tuple[Any, ...]:
    dtensor = _dtensor(tensor)
    if dtensor is not None:
        return dtensor.to_local().untyped_storage().data_ptr()  # type: ignore[no-any-return]
    parts = _subclass_parts(tensor)
    if parts is not None:
        return tuple(_unique_id(p) for p in parts)
    if tensor.device.type == "xla":  # XLA tensors have no storage: torch_xla numbers them
        import torch_xla  # type: ignore[import-not-found]

        return torch_xla._XLAC._xla_get_tensor_id(tensor)  # type: ignore[no-any-return]
    return storage_ptr(tensor)


def get_torch_storage_size(tensor: torch.Tensor) -> int:
    """Bytes of the storage behind ``tensor`` (all of it, even if the tensor views only part)."""
    dtensor = _dtensor(tensor)
    if dtensor is not None:
        return int(dtensor.nbytes)  # the full, unsharded tensor
    parts = _subclass_parts(tensor)
    if parts is not None:
        return sum(get_torch_storage_size(p) for p in parts)
    try:
        return int(tensor.untyped_storage().nbytes())
    except (AttributeError, NotImplementedError, RuntimeError):
        return tensor.nelement() * _itemsize(tensor.dtype)


def get_torch_storage_id(tensor: torch.Tensor) -> tuple[torch.device, int | tuple[Any, ...], int] | None:
    """An id that two tensors have in common exactly when they share storage (``None`` on the
    meta device, where nothing is shared). Valid while the tensor lives."""
    if tensor.device.type == "meta":
        return None
    return tensor.device, _unique_id(tensor), get_torch_storage_size(tensor)


def _end_ptr(tensor: torch.Tensor) -> int:
    if tensor.nelement():
        return int(tensor.view(-1)[-1].data_ptr()) + _itemsize(tensor.dtype)
    return int(tensor.data_ptr())


def _groups_sharing_storage(state_dict: dict[str, torch.Tensor]) -> list[set[str]]:
    """Names whose tensors overlap in memory, grouped (groups of one included)."""
    by_storage: dict[Any, set[str]] = {}
    for name, tensor in state_dict.items():
        if tensor.device.type == "meta":
            continue
        ptr, size = storage_ptr(tensor), get_torch_storage_size(tensor)
        if ptr != 0 and size != 0:
            by_storage.setdefault((tensor.device, ptr, size), set()).add(name)
    groups: list[set[str]] = []
    for names in sorted(by_storage.values(), key=lambda s: sorted(s)):
        if len(names) < 2:
            groups.append(names)
            continue
        # one storage may hold disjoint slices: only names whose bytes overlap are really shared
        spans = sorted((state_dict[n].data_ptr(), _end_ptr(state_dict[n]), n) for n in names)
        _, last_stop, first = spans[0]
        groups.append({first})
        for start, stop, name in spans[1:]:
            if start >= last_stop:
                groups.append({name})
            else:
                groups[-1].add(name)
            last_stop = stop
    return groups


def _covers_storage(tensor: torch.Tensor) -> bool:
    parts = _subclass_parts(tensor)
    if parts is not None:
        return all(_covers_storage(p) for p in parts)
    return tensor.data_ptr() == storage_ptr(tensor) and tensor.nelement() * _itemsize(
        tensor.dtype
    ) == get_torch_storage_size(tensor)


def remove_shared_names(
    state_dict: dict[str, torch.Tensor], *, discard_names: list[str] | None = None
) -> dict[str, list[str]]:
    """Which names to drop before saving: kept name -> names sharing its storage.

    The kept name is the first (alphabetically) of those covering the whole storage, preferring
    names not in ``discard_names``. Raises ``RuntimeError`` when no name covers the storage
    (saving would write more bytes than the tensors hold).
    """
    discard = set(discard_names or [])
    removed: dict[str, list[str]] = {}
    for group in _groups_sharing_storage(state_dict):
        if len(group) < 2:
            continue
        complete = sorted(n for n in group if _covers_storage(state_dict[n]))
        if not complete:
            raise RuntimeError(
                f"Cannot save the state dict: the tensors {sorted(group)} share memory but none of them covers "
                "the whole storage, so saving would store more than the tensors hold. See "
                "https://huggingface.co/docs/safetensors/torch_shared_tensors."
            )
        preferred = [n for n in complete if n not in discard]
        keep = (preferred or complete)[0]
        removed[keep] = [n for n in sorted(group) if n != keep]
    return removed
