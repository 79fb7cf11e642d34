"""Fixtures of the client tests: repos seeded on the real hub with the real huggingface_hub.

The content is created with huggingface_hub (our client has no upload yet) and read back with
hubkit, so every test also checks that both ends agree on the wire.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, HfApi

import hubkit
from hubkit import _http, _transfer
from hubserver import ALICE, BOB

LFS_SIZE = 3 * 1024 * 1024 + 17  # stored through LFS (*.bin), several read chunks


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


@dataclass
class SeededRepo:
    """A model repo with regular, nested and LFS files, two commits, a branch, a tag and a PR."""

    repo_id: str
    files: dict[str, bytes]  # at main
    first_commit: str
    main_commit: str
    dev_commit: str
    pr_commit: str
    pr_revision: str
    old_files: dict[str, bytes] = field(default_factory=dict)  # at first_commit

    def etag(self, path: str, at: dict[str, bytes] | None = None) -> str:
        data = (at or self.files)[path]
        return hashlib.sha256(data).hexdigest() if path.endswith(".bin") else git_blob_sha1(data)


@pytest.fixture(autouse=True)
def _client_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts online, without an implicit token, and with short retry pauses."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HF_HUB_CACHE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setattr(_transfer, "RETRY_PAUSE", 0.05)
    monkeypatch.setattr(_http, "_sleep", lambda s: None)


@pytest.fixture
def api(hub) -> hubkit.HfApi:
    """hubkit's client, as alice."""
    return hubkit.HfApi(endpoint=hub.url, token=ALICE)


@pytest.fixture
def bob(hub) -> hubkit.HfApi:
    """hubkit's client, as bob."""
    return hubkit.HfApi(endpoint=hub.url, token=BOB)


@pytest.fixture(scope="session")
def alice_api(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=ALICE)


@pytest.fixture(scope="session")
def seeded(alice_api: HfApi) -> SeededRepo:
    repo_id = "alice/client-seed"
    alice_api.create_repo(repo_id)
    old = {"config.json": b'{"version": 1}\n', "README.md": b"# seed\n"}
    first = alice_api.create_commit(
        repo_id, operations=[CommitOperationAdd(p, d) for p, d in old.items()], commit_message="first"
    ).oid
    lfs = os.urandom(LFS_SIZE)
    new = {
        "config.json": b'{"version": 2}\n',
        "nested/deeper/notes.txt": b"hello from a nested folder\n",
        "weights/model.bin": lfs,
        "tiny.bin": b"\x00\x01",
        "with space & sign.txt": b"odd name\n",
    }
    main = alice_api.create_commit(
        repo_id, operations=[CommitOperationAdd(p, d) for p, d in new.items()], commit_message="second"
    ).oid
    alice_api.create_branch(repo_id, branch="dev")
    dev = alice_api.create_commit(
        repo_id, operations=[CommitOperationAdd("dev-only.txt", b"dev\n")], commit_message="dev", revision="dev"
    ).oid
    alice_api.create_tag(repo_id, tag="v1", revision=first)
    pr = alice_api.create_commit(
        repo_id, operations=[CommitOperationAdd("pr.txt", b"from a pr\n")], commit_message="pr", create_pr=True
    )
    return SeededRepo(
        repo_id=repo_id,
        files={**old, **new},
        first_commit=first,
        main_commit=main,
        dev_commit=dev,
        pr_commit=pr.oid,
        pr_revision=pr.pr_revision or "",
        old_files=old,
    )


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def kw(hub, tokens, cache: Path) -> dict[str, object]:
    """Common keyword arguments: our hub, alice's token, a fresh cache."""
    return {"endpoint": hub.url, "token": tokens["alice"], "cache_dir": cache}


@pytest.fixture
def private_repo(alice_api: HfApi, unique: str) -> Iterator[str]:
    repo_id = f"alice/private-{unique}"
    alice_api.create_repo(repo_id, private=True)
    alice_api.create_commit(repo_id, operations=[CommitOperationAdd("secret.txt", b"s3cret\n")], commit_message="s")
    yield repo_id


@pytest.fixture
def mock_transport() -> Iterator[Callable[[Callable[[httpx.Request], httpx.Response]], list[httpx.Request]]]:
    """Install a MockTransport behind the shared client; returns the list of requests seen."""

    def install(handler: Callable[[httpx.Request], httpx.Response]) -> list[httpx.Request]:
        seen: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        hooks = {"request": [_http.on_request]}
        transport = httpx.MockTransport(record)
        _http.set_client_factory(lambda: httpx.Client(transport=transport, event_hooks=hooks, follow_redirects=True))
        return seen

    yield install
    _http.set_client_factory(_http.default_client_factory)
