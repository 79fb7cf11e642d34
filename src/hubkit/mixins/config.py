"""A model's ``config.json`` from its ``__init__`` arguments, and back.

``ModelHubMixin`` records the arguments a model was built with (defaults included) so that
``from_pretrained`` can build the same model again. Only JSON-able values are recorded, plus
dataclasses (as dicts) and values of types the class registered an encoder/decoder for.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import asdict, is_dataclass
from typing import Any

__all__ = ["decode_arg", "encode_arg", "init_annotations", "is_jsonable"]

_SCALARS = (int, float, str, bool, type(None))
_UNIONS = (typing.Union, types.UnionType)


def is_jsonable(obj: Any, _seen: set[int] | None = None) -> bool:
    """Whether ``obj`` is made of JSON types only (scalars, lists/tuples, dicts with str keys).

    A structure that contains itself is not JSON-able.
    """
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return False
    seen.add(id(obj))
    try:
        if isinstance(obj, _SCALARS):
            return True
        if isinstance(obj, (list, tuple)):
            return all(is_jsonable(item, seen) for item in obj)
        if isinstance(obj, dict):
            return all(isinstance(k, str) and is_jsonable(v, seen) for k, v in obj.items())
        return False
    finally:
        seen.discard(id(obj))


def _optional_inner(annotation: Any) -> Any | None:
    """``X`` for ``X | None`` / ``Optional[X]`` (one non-None member), else None."""
    if typing.get_origin(annotation) in _UNIONS:
        args = typing.get_args(annotation)
        if len(args) == 2 and type(None) in args:
            return next(a for a in args if a is not type(None))
    return None


def init_annotations(cls: type) -> dict[str, Any]:
    """The annotations of ``cls.__init__``'s parameters, evaluated when written as strings
    (``from __future__ import annotations``); unresolvable ones stay as written."""
    params = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    try:
        hints = typing.get_type_hints(cls.__init__)  # type: ignore[misc]
    except Exception:  # a name only importable under TYPE_CHECKING, a typo...
        hints = {}
    return {name: hints.get(name, p.annotation) for name, p in params.items()}


def encode_arg(value: Any, coders: dict[type, tuple[Any, Any]]) -> Any:
    """A value as it goes in ``config.json``: dataclasses as dicts, custom types encoded."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    for kind, (encoder, _) in coders.items():
        if isinstance(value, kind):
            return None if value is None else encoder(value)
    return value


def _load_dataclass(datacls: type, data: Any) -> Any:
    fields = datacls.__dataclass_fields__  # type: ignore[attr-defined]
    return datacls(**{k: v for k, v in data.items() if k in fields})


def decode_arg(expected: Any, value: Any, coders: dict[type, tuple[Any, Any]]) -> Any:
    """A value from ``config.json`` turned back into the type ``__init__`` expects (dataclasses
    and registered custom types; anything else is returned as is)."""
    inner = _optional_inner(expected)
    if inner is not None:
        if value is None:
            return None
        expected = inner
    if is_dataclass(expected) and isinstance(expected, type):
        return _load_dataclass(expected, value)
    for kind, (_, decoder) in coders.items():
        if inspect.isclass(expected) and issubclass(expected, kind):
            return decoder(value)
    return value
