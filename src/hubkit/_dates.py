"""Dates as the Hub sends them: ISO-8601 UTC with a trailing ``Z`` and any fraction length."""

from __future__ import annotations

import re
from datetime import datetime, timezone

_ISO_Z = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$")


def parse_datetime(value: str) -> datetime:
    """An aware UTC datetime; the fraction is truncated or padded to microseconds."""
    m = _ISO_Z.match(value)
    if not m:
        raise ValueError(f"Cannot parse {value!r} as a Hub date (expected YYYY-MM-DDTHH:MM:SS[.fff]Z)")
    fraction = (m.group(2) or "0")[:6].ljust(6, "0")
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    return base.replace(microsecond=int(fraction), tzinfo=timezone.utc)


def parse_datetime_or_none(value: object) -> datetime | None:
    """Lenient variant for optional fields: None (not an exception) when absent or malformed."""
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None
