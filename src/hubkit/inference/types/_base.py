"""The base of every inference type: a dataclass that is also a plain ``dict``, parsed leniently.

Servers add fields over time and leave optional ones out, so parsing never fails on shape:
missing fields become ``None``, unknown ones are kept (as dict items and attributes), nested
objects become their typed classes when the annotation names one. Keys are normalised the way
the Hub's clients do (``content-type`` -> ``content_type``).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # only a hint for type checkers

    def dataclass_transform() -> Callable[[Any], Any]:
        return lambda f: f


__all__ = ["BaseInferenceType", "dataclass_with_extra", "normalize_key"]

T = TypeVar("T", bound="BaseInferenceType")
_HINTS: dict[type, dict[str, Any]] = {}


def normalize_key(key: str) -> str:
    """``"Content-Type"`` -> ``"content_type"``: how server keys map onto field names."""
    return key.replace("-", "_").replace(" ", "_").lower()


def _repr(self: BaseInferenceType) -> str:
    names = [f.name for f in dataclasses.fields(self)]
    names += [k for k in self.__dict__ if k not in names]
    return f"{type(self).__name__}({', '.join(f'{k}={self.__dict__[k]!r}' for k in names)})"


@dataclass_transform()
def dataclass_with_extra(cls: type[T]) -> type[T]:
    """``@dataclass`` whose repr also shows the extra fields a server sent."""
    cls = dataclasses.dataclass(cls)
    cls.__repr__ = _repr  # type: ignore[method-assign,assignment]
    return cls


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _typed_class(tp: Any) -> type[BaseInferenceType] | None:
    return tp if isinstance(tp, type) and issubclass(tp, BaseInferenceType) else None


def _coerce(tp: Any, value: Any) -> Any:
    """``value`` (decoded JSON) shaped by the annotation ``tp`` where it names inference types."""
    if value is None:
        return None
    target = _typed_class(tp)
    if target is not None:
        return target.parse_obj(value) if isinstance(value, (dict, list)) else value
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        for arm in get_args(tp):
            if arm is type(None):
                continue
            arm_origin = get_origin(arm)
            if isinstance(value, dict) and _typed_class(arm) is not None:
                return _coerce(arm, value)
            if isinstance(value, list) and arm_origin is list:
                return _coerce(arm, value)
        return value
    if origin is list and isinstance(value, list):
        (item,) = get_args(tp) or (Any,)
        return [_coerce(item, v) for v in value]
    return value


@dataclasses.dataclass
class BaseInferenceType(dict):  # type: ignore[type-arg]
    """Base class of the ``*Input``/``*Output``/``*Parameters`` types.

    An instance is a dataclass *and* a ``dict`` of the same values (``out.score == out["score"]``),
    so code written for either style works.
    """

    @classmethod
    def parse_obj(cls: type[T], data: bytes | str | list[Any] | dict[str, Any]) -> list[T] | T:
        """Parse a server answer (JSON bytes, text, list or dict) into instances of ``cls``."""
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode()
        if isinstance(data, str):
            data = json.loads(data)
        if isinstance(data, list):
            return [cls.parse_obj(item) for item in data]  # type: ignore[misc]
        if not isinstance(data, dict):
            raise ValueError(f"Invalid data type for {cls.__name__}: {type(data).__name__}")
        hints = _hints(cls)
        known = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
        values: dict[str, Any] = dict.fromkeys(known)
        extra: dict[str, Any] = {}
        for key, value in data.items():
            name = normalize_key(key)
            if name in known:
                values[name] = _coerce(hints.get(name, Any), value)
            else:
                extra[name] = value
        item = cls(**values)
        dict.update(item, extra)
        item.__dict__.update(extra)
        return item

    @classmethod
    def parse_obj_as_list(cls: type[T], data: bytes | str | list[Any] | dict[str, Any]) -> list[T]:
        """Parse an answer that must be a list."""
        out = cls.parse_obj(data)
        if not isinstance(out, list):
            raise ValueError(f"Invalid input data for {cls}. Expected a list, but got {type(out)}.")
        return out

    @classmethod
    def parse_obj_as_instance(cls: type[T], data: bytes | str | list[Any] | dict[str, Any]) -> T:
        """Parse an answer that must be a single object."""
        out = cls.parse_obj(data)
        if isinstance(out, list):
            raise ValueError(f"Invalid input data for {cls}. Expected a single instance, but got a list.")
        return out

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            dict.__setitem__(self, f.name, getattr(self, f.name))

    # attribute and item views stay in sync both ways
    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        if isinstance(key, str) and key in self.__dataclass_fields__ and getattr(self, key, None) is not value:
            object.__setattr__(self, key, value)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in self.__dataclass_fields__ or name in self:
            dict.__setitem__(self, name, value)
