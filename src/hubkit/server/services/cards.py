"""Repo cards: the YAML metadata at the top of README.md, and the tags derived from it."""

from __future__ import annotations

from typing import Any

import yaml

from ...cards.card import YAML_BLOCK
from ..storage.gitstore import LRU, GitStore

_cards: LRU[str, dict[str, Any] | None] = LRU(5000)
MAX_NODES = 100_000  # values in the metadata once YAML aliases are expanded


class CardError(ValueError):
    pass


def _expanded_size(value: Any) -> int:
    """How many values the metadata holds once aliases are expanded (YAML's ``&a``/``*a`` let a
    few lines stand for billions of values, which anything walking or serialising the metadata
    would expand). Shared values are counted once per use, in linear time; cycles are refused."""
    sizes: dict[int, int] = {}

    def size(v: Any) -> int:
        if not isinstance(v, (dict, list)):
            return 1
        key = id(v)
        if key in sizes:
            if sizes[key] < 0:
                raise CardError("The metadata block of README.md refers to itself (recursive YAML alias)")
            return sizes[key]
        sizes[key] = -1
        children = [*v.keys(), *v.values()] if isinstance(v, dict) else v
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise CardError(f"The metadata block of README.md holds more than {MAX_NODES} values")
        sizes[key] = total
        return total

    return size(value)


def parse_front_matter(text: str) -> dict[str, Any] | None:
    """The YAML metadata block of a card, None if there is none; CardError if it is invalid.

    The block is found as the Hub (and huggingface_hub) find it, so all agree on where it is.
    """
    m = YAML_BLOCK.search(text.removeprefix("\ufeff"))
    if not m:
        return None
    try:
        data = yaml.safe_load(m.group(2))
    except (yaml.YAMLError, RecursionError) as err:
        raise CardError(f"Invalid YAML in the metadata block of README.md: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CardError("The metadata block of README.md must be a YAML mapping")
    try:
        _expanded_size(data)
    except RecursionError:
        raise CardError("The metadata block of README.md is nested too deeply") from None
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
