"""Fixtures of the compatibility tests: the real huggingface_hub's client, as alice and as bob."""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi

from hubserver import ALICE, BOB


@pytest.fixture
def alice(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=ALICE)


@pytest.fixture
def bob(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=BOB)
