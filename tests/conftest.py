"""Fixtures: a real ``hubkit serve`` process per test session, provisioned with two users."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# The real huggingface_hub reads its environment at import time: isolate it before any import.
# The compat suite runs twice in CI: through Git LFS (default here) and, with
# HUBKIT_TEST_XET=1, through Xet as a default huggingface_hub install does.
if os.environ.get("HUBKIT_TEST_XET") != "1":
    os.environ["HF_HUB_DISABLE_XET"] = "1"
else:
    os.environ.pop("HF_HUB_DISABLE_XET", None)
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hubkit-tests-hf-home-")
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HF_ENDPOINT", None)

from hubserver import ALICE, ALICE_READ, BOB, HubProcess


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One hub for the session; tests isolate themselves with unique repo names."""
    proc = HubProcess(tmp_path_factory.mktemp("hub") / "data").start().provision()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_hub(tmp_path: Path) -> Iterator[HubProcess]:
    """A hub of its own, for tests that restart or reconfigure the server."""
    proc = HubProcess(tmp_path / "data")
    yield proc
    proc.stop()


@pytest.fixture(autouse=True)
def _isolated_hf_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def tokens() -> dict[str, str]:
    return {"alice": ALICE, "alice_read": ALICE_READ, "bob": BOB}
