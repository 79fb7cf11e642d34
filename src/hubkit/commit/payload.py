"""The commit body: NDJSON lines built from planned items, with no network involved (§7.4).

``commit_lines`` is a generator of the JSON objects, one per line: the header first, then one
line per item in order. ``encode_ndjson`` serialises them the way huggingface_hub does
(Python's default JSON encoder, ASCII-only, a newline after every line, the last included).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .content import Content

__all__ = ["CommitItem", "Deletion", "InlineFile", "LfsFile", "commit_lines", "encode_ndjson"]


@dataclass(frozen=True)
class InlineFile:
    """A regular file, sent base64-encoded in the commit itself."""

    path: str
    content: Content


@dataclass(frozen=True)
class LfsFile:
    """A file whose bytes the Hub already holds, named by sha256 (``size`` is None for copies)."""

    path: str
    oid: str
    size: int | None


@dataclass(frozen=True)
class Deletion:
    path: str
    is_folder: bool


CommitItem = InlineFile | LfsFile | Deletion


def commit_lines(
    items: Iterable[CommitItem], *, summary: str, description: str = "", parent_commit: str | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON objects of a commit body, header first."""
    header: dict[str, Any] = {"summary": summary, "description": description}
    if parent_commit is not None:
        header["parentCommit"] = parent_commit
    yield {"key": "header", "value": header}
    for item in items:
        if isinstance(item, InlineFile):
            content = base64.b64encode(item.content.read_all()).decode("ascii")
            yield {"key": "file", "value": {"content": content, "path": item.path, "encoding": "base64"}}
        elif isinstance(item, LfsFile):
            value: dict[str, Any] = {"path": item.path, "algo": "sha256", "oid": item.oid}
            if item.size is not None:
                value["size"] = item.size
            yield {"key": "lfsFile", "value": value}
        elif isinstance(item, Deletion):
            yield {"key": "deletedFolder" if item.is_folder else "deletedFile", "value": {"path": item.path}}
        else:  # pragma: no cover - the type union is closed
            raise TypeError(f"Unknown commit item {item!r}")


def encode_ndjson(lines: Iterable[dict[str, Any]]) -> bytes:
    """One JSON document per line, each followed by a newline."""
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)
