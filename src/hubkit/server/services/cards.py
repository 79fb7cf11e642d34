"""Repo cards: the YAML metadata at the top of README.md, and the tags derived from it."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..storage.gitstore import LRU, GitStore

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_EMPTY_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n---[ \t]*(?:\r?\n|\Z)")
_cards: LRU[str, dict[str, Any] | None] = LRU(5000)


class CardError(ValueError):
    pass


def parse_front_matter(text: str) -> dict[str, Any] | None:
    """The YAML metadata block of a card, None if there is none; CardError if it is invalid."""
    if _EMPTY_FRONT_MATTER.match(text):
        return {}
    m = _FRONT_MATTER.match(text)
    if not m:
        return None
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as err:
        raise CardError(f"Invalid YAML in the metadata block of README.md: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CardError("The metadata block of README.md must be a YAML mapping")
    return data


def card_data(git: GitStore, root_tree: str) -> dict[str, Any] | None:
    entry = git.entry_at(root_tree, "README.md")
    if entry is None or entry.is_dir:
        return None

    def load() -> dict[str, Any] | None:
        info = git.blob_info(entry.oid)
        if info.lfs or info.size > 5_000_000:
            return None
        try:
            data = parse_front_matter(git.blob_bytes(entry.oid).decode("utf-8", "replace"))
        except CardError:
            return None
        return _jsonable(data) if data is not None else None

    return _cards.get_or(entry.oid, load)


def _jsonable(value: Any) -> Any:
    """YAML may hold dates and other non-JSON scalars: render them as strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def card_tags(repo_type: str, card: dict[str, Any] | None) -> list[str]:
    tags: list[str] = []

    def add(value: Any, prefix: str = "") -> None:
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, (str, int, float)) and str(v):
                tag = f"{prefix}{v}"
                if tag not in tags:
                    tags.append(tag)

    if card:
        add(card.get("tags", []))
        if repo_type == "model":
            add(card.get("library_name", []))
            add(card.get("pipeline_tag", []))
            add(card.get("datasets", []), "dataset:")
        add(card.get("language", []))
        add(card.get("license", []), "license:")
    tags.append("region:us")
    return tags
