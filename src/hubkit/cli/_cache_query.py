"""The little languages of ``hubkit cache``: ``--filter``, ``--sort``, and ``rm`` targets.

Pure functions over plain records (dicts built from the cache scan), so every rule is tested
from fixed data, without a cache on disk.

Filters (``--filter``, repeatable, all must hold)::

    type==model        type!=dataset           the repo type (``=`` and ``==`` are the same)
    size>1GB           size<=500MiB            bytes on disk; units B kB MB GB TB, KiB MiB GiB TiB
    accessed>30d       modified<2h             age: more / less than that long ago;
                                               units s m h d w mo y
    refs==main         refs!=main              has (or has not) this ref
    name==org/*        name!=*-test            repo id, as a glob

Sorts (``--sort KEY[:asc|:desc]``): ``name`` (default ascending), ``size``, ``accessed``,
``modified`` (default descending: biggest and most recent first).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

__all__ = [
    "CacheQueryError",
    "Target",
    "parse_duration",
    "parse_filter",
    "parse_size",
    "parse_sort",
    "parse_target",
]

Record = Mapping[str, Any]
Predicate = Callable[[Record, float], bool]


class CacheQueryError(ValueError):
    """A filter, sort or target the user wrote that cannot be understood."""


_FILTER = re.compile(r"^\s*(?P<key>[a-z_]+)\s*(?P<op>==|!=|>=|<=|=|>|<)\s*(?P<value>.*?)\s*$")
_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
               "t": 1000**4, "tb": 1000**4, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}  # fmt: skip
_TIME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mo": 30 * 86400, "y": 365 * 86400}
_NUMBER = re.compile(r"^(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)$")
_TYPES = {"model", "dataset", "space", "kernel"}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
}


def _number(value: str, units: Mapping[str, int], what: str) -> float:
    match = _NUMBER.match(value.strip().lower())
    if match is None or match["unit"] not in units:
        known = ", ".join(u for u in units if u)
        raise CacheQueryError(f"Cannot read {what} {value!r}: a number and a unit ({known}).")
    return float(match["num"]) * units[match["unit"]]


def parse_size(value: str) -> int:
    """``"1.5GB"`` -> 1500000000; ``"2MiB"`` -> 2097152; a bare number is bytes."""
    return int(_number(value, _SIZE_UNITS, "size"))


def parse_duration(value: str) -> float:
    """``"7d"`` -> 604800.0 seconds (a bare number is seconds)."""
    return _number(value, {**_TIME_UNITS, "": 1}, "duration")


def parse_filter(expression: str) -> Predicate:
    """A predicate ``(record, now) -> bool`` for one ``--filter`` expression."""
    match = _FILTER.match(expression)
    if match is None:
        raise CacheQueryError(f"Cannot read filter {expression!r}: write KEY OP VALUE, e.g. size>1GB.")
    key, op, value = match["key"], match["op"], match["value"]
    op = "==" if op == "=" else op
    if key == "type":
        wanted = value.lower().removesuffix("s")
        if op not in ("==", "!=") or wanted not in _TYPES:
            raise CacheQueryError(f"Filter {expression!r}: use type==model|dataset|space|kernel (or !=).")
        return lambda r, now: (r.get("repo_type") == wanted) == (op == "==")
    if key in ("name", "id"):
        if op not in ("==", "!="):
            raise CacheQueryError(f"Filter {expression!r}: names compare with == or != (globs allowed).")
        return lambda r, now: fnmatch.fnmatchcase(str(r.get("repo_id", "")), value) == (op == "==")
    if key == "refs":
        if op not in ("==", "!="):
            raise CacheQueryError(f"Filter {expression!r}: refs compare with == or !=.")
        return lambda r, now: (value in (r.get("refs") or ())) == (op == "==")
    if key == "size":
        if op not in _COMPARE:
            raise CacheQueryError(f"Filter {expression!r}: sizes compare with >, <, >= or <=.")
        limit, compare = parse_size(value), _COMPARE[op]
        return lambda r, now: compare(float(r.get("size_on_disk") or 0), limit)
    if key in ("accessed", "modified"):
        if op not in _COMPARE:
            raise CacheQueryError(f"Filter {expression!r}: ages compare with >, <, >= or <= (e.g. {key}>7d).")
        age, compare, field = parse_duration(value), _COMPARE[op], f"last_{key}"
        return lambda r, now: compare(now - float(r.get(field) or 0), age)
    raise CacheQueryError(f"Unknown filter key {key!r}: one of type, size, accessed, modified, refs, name.")


_SORT_KEYS: dict[str, tuple[Callable[[Record], Any], bool]] = {
    # key -> (value to sort by, descending by default)
    "name": (lambda r: (str(r.get("repo_id", "")).lower(), str(r.get("repo_type", "")), str(r.get("revision", ""))),
             False),
    "size": (lambda r: r.get("size_on_disk") or 0, True),
    "accessed": (lambda r: r.get("last_accessed") or 0, True),
    "modified": (lambda r: r.get("last_modified") or 0, True),
}  # fmt: skip


def parse_sort(expression: str) -> tuple[Callable[[Record], Any], bool]:
    """``(key function, reverse)`` for ``--sort name|size|accessed|modified[:asc|:desc]``."""
    key, _, order = expression.strip().lower().partition(":")
    if key not in _SORT_KEYS:
        raise CacheQueryError(f"Unknown sort key {key!r}: one of {', '.join(_SORT_KEYS)} (with :asc or :desc).")
    if order not in ("", "asc", "desc"):
        raise CacheQueryError(f"Unknown sort order {order!r}: asc or desc.")
    function, descending = _SORT_KEYS[key]
    return function, (order == "desc") if order else descending


_HEX = re.compile(r"^[0-9a-f]{7,40}$")
_TYPE_PREFIXES = {"model": "model", "models": "model", "dataset": "dataset", "datasets": "dataset",
                  "space": "space", "spaces": "space", "kernel": "kernel", "kernels": "kernel"}  # fmt: skip


class Target(NamedTuple):
    """What one ``cache rm`` argument designates: a repo (all revisions), one revision of a
    repo (``revision`` is a ref name or a hash), or a revision by hash alone (``repo_id`` None)."""

    repo_id: str | None
    repo_type: str | None
    revision: str | None = None


def parse_target(text: str, default_type: str = "model") -> Target:
    """Read ``model/org/name``, ``datasets/org/name``, ``hf://spaces/org/name``, ``org/name``,
    ``org/name@revision`` or a bare commit hash (7 to 40 hex digits)."""
    value = text.strip().removeprefix("hf://")
    if _HEX.match(value):
        return Target(None, None, value)
    value, _, revision = value.partition("@")
    parts = [p for p in value.split("/") if p]
    repo_type = default_type
    if len(parts) >= 2 and parts[0] in _TYPE_PREFIXES:  # a user named `model` writes model/model/x
        repo_type = _TYPE_PREFIXES[parts.pop(0)]
    if not 1 <= len(parts) <= 2:
        raise CacheQueryError(f"Cannot read {text!r}: write TYPE/ORG/NAME, ORG/NAME[@REVISION] or a commit hash.")
    return Target("/".join(parts), repo_type, revision or None)
