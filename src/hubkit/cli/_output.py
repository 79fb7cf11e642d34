"""Rendering of command results: pure functions from data to text, no I/O and no library imports.

Every listing goes through ``render``: a human table (default), JSON, CSV, or one id per line
(``-q``). Tables are sized to their content and never cut a value unless a width is asked for
(``--truncate``): an id that does not fit the terminal wraps, which is better than an id that
cannot be copied. Values keep their raw form in JSON and CSV (bytes, ISO dates), and their
human form in tables (``1.2 MB``, ``3 days ago``).
"""

from __future__ import annotations

import enum
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from pathlib import PurePath
from typing import Any, NamedTuple

__all__ = [
    "FORMATS",
    "Column",
    "format_age",
    "format_cell",
    "format_size",
    "render",
    "render_csv",
    "render_json",
    "render_key_values",
    "render_table",
    "to_jsonable",
]

FORMATS = ("table", "json", "csv")
ELLIPSIS = "…"


class Column(NamedTuple):
    """One column of a listing: the record ``key`` (also the CSV header), the table ``header``,
    and how a value shows in a table (``human``; default ``format_cell``)."""

    key: str
    header: str
    human: Callable[[Any], str] | None = None

    def cell(self, record: Mapping[str, Any]) -> str:
        value = record.get(self.key)
        return self.human(value) if self.human is not None else format_cell(value)


# --- value formatting --------------------------------------------------------------------------


def format_size(num: float | None) -> str:
    """Bytes as a short decimal size (``1.2 MB``), as the Hub and ``huggingface_hub`` show them."""
    if num is None:
        return ""
    value = float(num)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(value) < 1000.0 or unit == "PB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000.0
    raise AssertionError("unreachable")


_AGES = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400), ("hour", 3600),
         ("minute", 60), ("second", 1))  # fmt: skip


def format_age(ts: float | datetime | None, now: float | None = None) -> str:
    """A timestamp (epoch seconds or datetime) as ``3 days ago``; ``now`` is injectable for tests."""
    if ts is None:
        return ""
    if isinstance(ts, datetime):
        ts = ts.timestamp() if ts.tzinfo else ts.replace(tzinfo=timezone.utc).timestamp()
    delta = (time.time() if now is None else now) - float(ts)
    if delta < 1:
        return "just now" if delta > -1 else "in the future"
    for name, seconds in _AGES:
        if delta >= seconds:
            count = int(delta // seconds)
            return f"{count} {name}{'s' if count > 1 else ''} ago"
    return "just now"


def format_cell(value: Any) -> str:
    """A value as a table cell: lists joined by commas, dates to the minute, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return ", ".join(format_cell(v) for v in items)
    if isinstance(value, Mapping):
        return json.dumps(to_jsonable(value), sort_keys=True)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def to_jsonable(value: Any) -> Any:
    """Plain JSON data from what the library returns: dataclasses (public fields), dates as ISO
    strings, paths and enums as strings, sets as sorted lists, other objects by their public
    attributes."""
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    fields = getattr(type(value), "__dataclass_fields__", None)  # a dataclass, without importing dataclasses
    if isinstance(fields, dict):
        return {name: to_jsonable(getattr(value, name)) for name in fields if not name.startswith("_")}
    attrs = getattr(value, "__dict__", None)
    if isinstance(attrs, dict):
        return {k: to_jsonable(v) for k, v in attrs.items() if not k.startswith("_")}
    return str(value)


# --- renderers -----------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns a string takes in a terminal (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def _cut(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for char in text:
        if _width(out + char) > width - 1:
            break
        out += char
    return out + ELLIPSIS


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _clean(cell: str) -> str:
    # one record, one line: a newline inside a value would break both the eye and `cut`/`awk`
    return cell.replace("\r", "").replace("\n", " ").replace("\t", " ")


def render_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, max_width: int | None = None) -> str:
    """Rows under headers, columns separated by two spaces, each as wide as its widest value.

    Nothing is cut unless ``max_width`` is given: then the widest columns shrink (with ``…``)
    until the table fits, never below the width of their header.
    """
    table = [[_clean(str(c)) for c in headers], *([_clean(str(c)) for c in row] for row in rows)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(headers))]
    if max_width is not None:
        floor = [max(_width(h), 4) for h in table[0]]
        total = sum(widths) + 2 * (len(widths) - 1)
        while total > max_width:
            widest = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
            if widths[widest] <= floor[widest]:
                break
            widths[widest] -= 1
            total -= 1
        table = [[_cut(cell, w) for cell, w in zip(row, widths, strict=True)] for row in table]
    rule = ["-" * w for w in widths]
    lines = [table[0], rule, *table[1:]]
    return "\n".join("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines)


def render_json(data: Any) -> str:
    """Indented JSON of ``to_jsonable(data)``; non-ASCII is kept readable."""
    return json.dumps(to_jsonable(data), indent=2, ensure_ascii=False)


def render_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """A CSV with one header line of column keys and raw values (lists joined by ``;``)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for record in records:
        writer.writerow([_csv_value(record.get(c.key)) for c in columns])
    return buffer.getvalue().rstrip("\n")


def _csv_value(value: Any) -> str:
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_csv_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def render(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    fmt: str = "table",
    quiet: bool = False,
    id_key: str = "id",
    max_width: int | None = None,
) -> str:
    """A listing in the asked format; ``quiet`` wins and prints one ``id_key`` value per line.

    JSON holds the whole records (every field, not only the table's columns), so scripts get
    everything the table shows and more.
    """
    if quiet:
        return "\n".join(str(r.get(id_key, "")) for r in records)
    if fmt == "json":
        return render_json(list(records))
    if fmt == "csv":
        return render_csv(records, columns)
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    return render_table(
        [c.header for c in columns], ([c.cell(r) for c in columns] for r in records), max_width=max_width
    )


def render_key_values(pairs: Sequence[tuple[str, Any]], *, max_width: int | None = None) -> str:
    """A two-column ``name  value`` block for one object (``info`` and ``env`` commands)."""
    width = max((len(k) for k, _ in pairs), default=0)
    lines = []
    for key, value in pairs:
        cell = _clean(format_cell(value))
        if max_width is not None:
            cell = _cut(cell, max(max_width - width - 2, 8))
        lines.append(f"{key.ljust(width)}  {cell}".rstrip())
    return "\n".join(lines)
