"""fsspec's own conformance suite (``fsspec.tests.abstract``) run on HfFileSystem against ``hubkit serve``.

Each test gets a fresh dataset repo as its root. A git tree holds no empty folders, which the
suite supports (``supports_empty_directories`` is False: it adds a dummy file where it needs one).
"""

# ruff: noqa: F811

from __future__ import annotations

import posixpath
from collections.abc import Callable

import fsspec.tests.abstract as abstract
import pytest

from hubkit.fs import HfFileSystem
from hubserver import ALICE

from .test_fs_fixtures import hfh_alice, new_dataset  # noqa: F401


class HubFixtures(abstract.AbstractFixtures):
    @pytest.fixture
    def fs(self, hub) -> HfFileSystem:
        return HfFileSystem(endpoint=hub.url, token=ALICE, skip_instance_cache=True)

    @pytest.fixture
    def fs_path(self, new_dataset) -> str:
        return str(new_dataset(name="conformance"))

    @pytest.fixture
    def fs_join(self) -> Callable[..., str]:
        return posixpath.join

    @pytest.fixture
    def supports_empty_directories(self) -> bool:
        return False


class TestHubCopy(abstract.AbstractCopyTests, HubFixtures):
    pass


class TestHubGet(abstract.AbstractGetTests, HubFixtures):
    pass


class TestHubPut(abstract.AbstractPutTests, HubFixtures):
    pass


class TestHubPipe(abstract.AbstractPipeTests, HubFixtures):
    pass


class TestHubOpen(abstract.AbstractOpenTests, HubFixtures):
    pass
