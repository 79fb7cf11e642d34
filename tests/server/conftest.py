"""Helpers for raw-HTTP protocol tests against a real hub."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest


def ndjson(*lines: dict) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def header(summary: str = "test", **extra: str) -> dict:
    return {"key": "header", "value": {"summary": summary, "description": "", **extra}}


def file_line(path: str, content: bytes) -> dict:
    return {"key": "file", "value": {"path": path, "content": base64.b64encode(content).decode(), "encoding": "base64"}}


@pytest.fixture
def client(hub) -> httpx.Client:
    with httpx.Client(base_url=hub.url, timeout=60) as c:
        yield c


@pytest.fixture
def auth(tokens) -> Callable[[str], dict[str, str]]:
    return lambda who="alice": {"authorization": f"Bearer {tokens[who]}"}


@pytest.fixture
def new_repo(client: httpx.Client, auth, unique: str) -> Callable[..., str]:
    """Create a repo (alice's by default) and return its id."""
    count = [0]

    def make(private: bool = False, repo_type: str = "model", owner: str = "alice") -> str:
        count[0] += 1
        name = f"t-{unique}-{count[0]}"
        body = {"name": name, "organization": owner, "type": repo_type, "private": private}
        if repo_type == "space":
            body["sdk"] = "static"
        r = client.post("/api/repos/create", json=body, headers=auth("bob" if owner == "bob" else "alice"))
        assert r.status_code == 200, r.text
        return f"{owner}/{name}"

    return make


@pytest.fixture
def commit(client: httpx.Client, auth) -> Callable[..., httpx.Response]:
    def do(repo_id: str, *lines: dict, revision: str = "main", who: str = "alice") -> httpx.Response:
        return client.post(
            f"/api/models/{repo_id}/commit/{revision}",
            content=ndjson(*lines),
            headers={**auth(who), "content-type": "application/x-ndjson"},
        )

    return do
