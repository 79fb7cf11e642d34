"""A hostile repo or server cannot make the client write outside the cache or the local_dir.

Our own server refuses such names, so a MockTransport plays the hostile hub here (and only here).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest

from hubkit import hf_hub_download, snapshot_download, try_to_load_from_cache
from hubkit._paths import check_commit_hash, check_etag, contained_path, validate_relative_filename
from hubkit.errors import FileMetadataError, LocalEntryNotFoundError

HUB = "https://evil.example"
COMMIT = "c" * 40

HOSTILE_NAMES = [
    "../escape.txt",
    "a/../../escape.txt",
    "a/..",
    "..\\escape.txt",
    "a\\..\\..\\escape.txt",
    "/etc/passwd",
    "\\windows\\system32",
    "C:\\Windows\\evil.dll",
    "C:evil.txt",
    "a/C:evil.txt",
    "\\\\attacker\\share\\x",
    "//attacker/share/x",
    "a/b\x00.txt",
    "",
    "folder/",
]
SAFE_NAMES = ["a.txt", "a/b/c.txt", "..hidden", "a/..b/c", "dots.../x", "./a.txt", "a/./b", "a b/ü.txt"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        validate_relative_filename(name)
    with pytest.raises(ValueError):
        contained_path(tmp_path, name)


@pytest.mark.parametrize("name", SAFE_NAMES)
def test_safe_names_are_kept(name: str, tmp_path: Path) -> None:
    validate_relative_filename(name)
    assert contained_path(tmp_path, name).startswith(str(tmp_path) + os.sep)


@pytest.mark.parametrize("etag", ["../../x", "a/b", "", ".", "..", "a b", "x\x00", "W/", '"'])
def test_hostile_etags_are_refused(etag: str) -> None:
    with pytest.raises(FileMetadataError):
        check_etag(etag, "test")


@pytest.mark.parametrize("commit", ["../../x", "main", "A" * 40, "a" * 39, "a" * 40 + "/x"])
def test_hostile_commits_are_refused(commit: str) -> None:
    with pytest.raises(FileMetadataError):
        check_commit_hash(commit, "test")


def _evil_hub(tree: list[dict], head_headers: dict[str, str] | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/revision/main"):
            return httpx.Response(200, json={"id": "evil/repo", "sha": COMMIT})
        if "/tree/" in path:
            return httpx.Response(200, json=tree)
        data = b"payload"
        etag = hashlib.sha1(b"blob 7\x00" + data).hexdigest()
        headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{etag}"'}
        headers.update(head_headers or {})
        return httpx.Response(200, content=b"" if request.method == "HEAD" else data, headers=headers)

    return handler


def _nothing_outside(root: Path, allowed: Path) -> None:
    for p in root.rglob("*"):
        assert p == allowed or allowed in p.parents or p in allowed.parents, p


@pytest.mark.parametrize("name", ["../../escape.txt", "/tmp/escape.txt", "sub/../../../escape.txt", "C:x.txt"])
def test_hostile_tree_listing(mock_transport, tmp_path: Path, name: str) -> None:
    oid = "1" * 40
    listing = [{"type": "file", "path": p, "oid": oid, "size": 7} for p in ("ok.txt", name)]
    mock_transport(_evil_hub(listing))
    cache, local = tmp_path / "cache", tmp_path / "local"
    with pytest.raises(ValueError):
        snapshot_download("evil/repo", endpoint=HUB, cache_dir=cache)
    with pytest.raises(ValueError):
        snapshot_download("evil/repo", endpoint=HUB, cache_dir=cache, local_dir=local)
    assert not (tmp_path / "escape.txt").exists() and not Path("/tmp/escape.txt").exists()
    _nothing_outside(tmp_path, cache)


@pytest.mark.parametrize(
    "headers",
    [{"X-Repo-Commit": "../../../../escape"}, {"ETag": '"../../../escape"'}, {"X-Linked-Etag": '"/abs/path"'}],
)
def test_hostile_metadata_headers(mock_transport, tmp_path: Path, headers: dict[str, str]) -> None:
    mock_transport(_evil_hub([], headers))
    cache = tmp_path / "cache"
    with pytest.raises(LocalEntryNotFoundError) as info:
        hf_hub_download("evil/repo", "file.txt", endpoint=HUB, cache_dir=cache)
    assert isinstance(info.value.__cause__, FileMetadataError)
    _nothing_outside(tmp_path, cache)
    assert not (tmp_path / "escape").exists()


def test_hostile_names_given_by_the_caller(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        hf_hub_download("a/b", "../x", cache_dir=tmp_path, local_files_only=True)
    with pytest.raises(ValueError):
        try_to_load_from_cache("a/b", "../../x", cache_dir=tmp_path)
    with pytest.raises(ValueError):
        hf_hub_download("a/b", "x", revision="../../../x", cache_dir=tmp_path, local_files_only=True)
