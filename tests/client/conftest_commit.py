"""Fixtures of the commit tests (imported by the ``test_commit_*`` modules that use them).

Repos are created with the real huggingface_hub, so these tests do not depend on hubkit's own
repo management; what they check is hubkit's commit path against a real ``hubkit serve``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from huggingface_hub import HfApi as HfhApi

from hubkit import _http
from hubserver import ALICE


@pytest.fixture
def hfh(hub) -> HfhApi:
    """The real huggingface_hub, as alice."""
    return HfhApi(endpoint=hub.url, token=ALICE)


@pytest.fixture
def new_repo(hfh: HfhApi, unique: str) -> Callable[..., str]:
    """Create a fresh repo (``new_repo("name", repo_type="dataset")``); returns its id."""
    counter = iter(range(1000))

    def make(name: str = "repo", repo_type: str | None = None, private: bool = False) -> str:
        repo_id = f"alice/{name}-{unique}-{next(counter)}"
        hfh.create_repo(repo_id, repo_type=repo_type, private=private)
        return repo_id

    return make


@dataclass
class Recorder:
    """Requests sent by hubkit's shared client: method, URL and headers of each."""

    requests: list[httpx.Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: httpx.Request) -> None:
        with self.lock:
            self.requests.append(request)

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def matching(self, method: str, fragment: str) -> list[httpx.Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method and fragment in str(r.url)]

    @property
    def uploads(self) -> list[httpx.Request]:
        """Requests that carry file bytes (LFS PUTs) or a commit."""
        return self.matching("PUT", "/api/lfs/") + self.matching("POST", "/commit/")


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """Record every request of hubkit's shared client (the real network is used)."""
    rec = Recorder()

    def factory() -> httpx.Client:
        client = _http.default_client_factory()
        client.event_hooks["request"].append(rec.record)
        return client

    _http.set_client_factory(factory)
    yield rec
    _http.set_client_factory(_http.default_client_factory)


def tree(hfh: HfhApi, repo_id: str, repo_type: str | None = None, revision: str | None = None) -> dict[str, tuple]:
    """path -> (blob id, size, LFS sha256 or None) of every file, as the server lists them."""
    out = {}
    for entry in hfh.list_repo_tree(repo_id, repo_type=repo_type, revision=revision, recursive=True):
        if hasattr(entry, "blob_id"):
            out[entry.path] = (entry.blob_id, entry.size, entry.lfs.sha256 if entry.lfs else None)
    return out
