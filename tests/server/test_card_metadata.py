"""The hub's reading of README metadata: found where the Hub finds it, hostile YAML refused."""

from __future__ import annotations

import pytest

from hubkit.server.services.card_validation import validate
from hubkit.server.services.cards import CardError, parse_front_matter


def test_card_metadata_bombs_are_refused() -> None:
    """YAML aliases make a few lines stand for billions of values: the hub refuses such metadata
    (validate-yaml error, no card index) instead of expanding it."""
    levels = "".join(f"l{i + 1}: &l{i + 1} [{', '.join([f'*l{i}'] * 10)}]\n" for i in range(9))
    bomb = f"---\nl0: &l0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n{levels}---\n"
    with pytest.raises(CardError, match="more than"):
        parse_front_matter(bomb)
    assert "more than" in validate(bomb, "model").errors[0]
    with pytest.raises(CardError, match="refers to itself"):
        parse_front_matter("---\na: &a [*a]\n---\n")
    assert parse_front_matter("\ufeff\n---\nlicense: mit\n---\n") == {"license": "mit"}
