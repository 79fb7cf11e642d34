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

from backends import ScaleServices, backend, start_scale_services
from hubserver import ALICE, ALICE_READ, BOB, HubProcess


@pytest.fixture(scope="session")
def scale_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleServices | None]:
    """PostgreSQL + S3 when the suite runs in scale-out mode (HUBKIT_TEST_BACKEND=scale)."""
    if backend() != "scale":
        yield None
        return
    services = start_scale_services(tmp_path_factory.mktemp("services"))
    os.environ.update(services.env())  # tests open the bucket too (and so do the hubs they start)
    yield services
    services.stop()


def _backend_env(services: ScaleServices | None) -> dict[str, str]:
    if services is None:
        return {}
    return {
        **services.env(),
        "HUBKIT_DATABASE_URL": services.new_database(),
        "HUBKIT_STORAGE_URL": f"s3://{services.bucket}/{uuid.uuid4().hex[:12]}",
    }


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory, scale_services: ScaleServices | None) -> Iterator[HubProcess]:
    """One hub for the session; tests isolate themselves with unique repo names."""
    proc = HubProcess(tmp_path_factory.mktemp("hub") / "data", env=_backend_env(scale_services))
    proc.start().provision()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_hub(tmp_path: Path, scale_services: ScaleServices | None) -> Iterator[HubProcess]:
    """A hub of its own (own database and bucket prefix), for tests that restart or reconfigure it."""
    proc = HubProcess(tmp_path / "data", env=_backend_env(scale_services))
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
