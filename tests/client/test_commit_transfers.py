"""LFS transfers (basic, multipart with parallel parts, verify) and Xet, against a real hub.

What a real server cannot easily produce (a 500 in the middle of a part, a missing ETag) is
played with ``httpx.MockTransport`` at the end of the file.
"""

# Fixtures come from conftest_commit (imported below); test arguments shadow those imports.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import httpx
import pytest
from huggingface_hub import HfApi as HfhApi

import hubkit
from hubkit import CommitOperationAdd, _http
from hubkit.commit import lfs
from hubkit.commit.content import BytesContent
from hubkit.commit.lfs import LfsObject, TransferPool
from hubkit.commit.target import RepoTarget

from .conftest_commit import Recorder, hfh, new_repo, recorder, tree  # noqa: F401

MiB = 1024 * 1024


def _write_random(path: Path, size: int) -> str:
    h = hashlib.sha256()
    with path.open("wb") as f:
        left = size
        while left:
            block = os.urandom(min(left, 8 * MiB))
            h.update(block)
            f.write(block)
            left -= len(block)
    return h.hexdigest()


class InFlight:
    """Counts concurrent requests whose URL contains ``fragment`` (request hook → response hook)."""

    def __init__(self, fragment: str) -> None:
        self.fragment, self.now, self.peak = fragment, 0, 0
        self.lock = threading.Lock()

    def start(self, request: httpx.Request) -> None:
        if self.fragment in str(request.url):
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)

    def end(self, response: httpx.Response) -> None:
        if self.fragment in str(response.request.url):
            with self.lock:
                self.now -= 1


@pytest.mark.slow
def test_200mb_file_through_parallel_multipart(
    api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder, tmp_path: Path
) -> None:
    repo = new_repo()
    big = tmp_path / "big.bin"
    sha = _write_random(big, 200 * 1000 * 1000)
    parts = InFlight("/multipart/")
    client = _http.get_session()  # the recorder's client: add the concurrency probe to it
    client.event_hooks["request"].append(parts.start)
    client.event_hooks["response"].append(parts.end)
    info = api.upload_file(path_or_fileobj=big, path_in_repo="big.bin", repo_id=repo)
    assert tree(hfh, repo)["big.bin"] == (tree(hfh, repo)["big.bin"][0], 200 * 1000 * 1000, sha)
    assert info.oid == hfh.repo_info(repo).sha
    puts = list({r.url.path: r for r in recorder.matching("PUT", "/multipart/")}.values())  # a retry may repeat one
    assert len(puts) >= 10  # the hub asks for 16 MiB parts
    assert parts.peak > 1, "parts were sent one after the other"
    completion = [r for r in recorder.matching("POST", "/multipart/")]
    assert len(completion) == 1
    body = json.loads(completion[0].content)
    assert body["oid"] == sha and [p["partNumber"] for p in body["parts"]] == list(range(1, len(puts) + 1))
    for request in [*puts, *completion]:  # pre-signed URLs: no token, no Hub user-agent
        assert "authorization" not in request.headers
        assert "hubkit" not in request.headers.get("user-agent", "")
    assert len(recorder.matching("POST", "objects/verify")) == 1
    assert all("authorization" in r.headers for r in recorder.matching("POST", "objects/"))


def test_many_small_lfs_files_and_duplicates(api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder) -> None:
    repo = new_repo()
    blobs = {f"d/{i:03d}.bin": os.urandom(4000) for i in range(300)}
    blobs["d/dup.bin"] = blobs["d/000.bin"]  # the same content twice: sent once
    api.create_commit(repo, [CommitOperationAdd(p, b) for p, b in blobs.items()], commit_message="many")
    files = tree(hfh, repo)
    assert {p: files[p][2] for p in blobs} == {p: hashlib.sha256(b).hexdigest() for p, b in blobs.items()}
    assert len(recorder.matching("POST", "objects/batch")) == 2  # 256 objects per batch request
    assert len({r.url.path for r in recorder.matching("PUT", "/api/lfs/")}) == 300  # (a retry may repeat one)
    assert len(recorder.matching("POST", "/preupload/")) == 2


def test_xet_upload_when_the_hub_offers_it(
    api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, hub
) -> None:
    pytest.importorskip("hf_xet")
    monkeypatch.delenv("HF_HUB_DISABLE_XET", raising=False)
    repo = new_repo()
    data = os.urandom(3 * MiB)
    api.create_commit(
        repo, [CommitOperationAdd("x.bin", data), CommitOperationAdd("y.txt", b"text\n")], commit_message="xet"
    )
    assert recorder.matching("GET", "/xet-write-token/main")
    assert not recorder.matching("POST", "objects/batch")
    entry = next(e for e in hfh.list_repo_tree(repo) if e.path == "x.bin")
    assert entry.lfs.sha256 == hashlib.sha256(data).hexdigest() and entry.xet_hash
    path = hubkit.hf_hub_download(repo, "x.bin", endpoint=hub.url, token=hfh.token, cache_dir=hub.data_dir.parent / "c")
    assert Path(path).read_bytes() == data
    # switched off: Git LFS again
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    recorder.clear()
    api.create_commit(repo, [CommitOperationAdd("z.bin", os.urandom(1000))], commit_message="lfs")
    assert recorder.matching("POST", "objects/batch") and not recorder.matching("GET", "xet-write-token")


# --- faults a real server does not produce ---------------------------------------------------


def _target() -> RepoTarget:
    return RepoTarget("https://hub.test", "alice/r", "model", headers={"authorization": "Bearer hf_x"})


def test_retried_put_rewinds_progress_and_parts_complete(mock_transport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lfs, "SMALL_BODY", 0)  # stream even these small parts
    data = os.urandom(10_000)
    oid = hashlib.sha256(data).hexdigest()
    failures = {"part2": 1}
    completed: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "PUT" and path.endswith("/part2") and failures["part2"]:
            failures["part2"] -= 1
            request.read()
            return httpx.Response(500)
        if request.method == "PUT":
            assert "authorization" not in request.headers
            assert int(request.headers["content-length"]) == len(request.read())
            return httpx.Response(200, headers={"ETag": f'"etag-{path[-1]}"'})
        if path == "/complete":
            completed.append(json.loads(request.read()))
            return httpx.Response(200, json={})
        assert path == "/verify" and request.headers["authorization"] == "Bearer hf_x"
        return httpx.Response(200, json={})

    mock_transport(handler)
    seen: list[int] = []
    answer = {
        "oid": oid,
        "size": len(data),
        "actions": {
            "upload": {
                "href": "https://hub.test/complete",
                "header": {"chunk_size": "4000", **{str(i): f"https://s3.test/part{i}" for i in (1, 2, 3)}},
            },
            "verify": {"href": "https://hub.test/verify"},
        },
    }
    with TransferPool(_target(), 3, seen.append) as pool:
        pool.add(LfsObject(oid, len(data), BytesContent(data), "x.bin"), answer)
        pool.join()
    assert sum(seen) == len(data) and min(seen) < 0  # the failed attempt was taken back
    assert completed == [{"oid": oid, "parts": [{"partNumber": i, "etag": f'"etag-{i}"'} for i in (1, 2, 3)]}]


def test_transfer_errors_are_reported(mock_transport) -> None:
    mock_transport(lambda request: httpx.Response(200))  # no ETag on a part
    data = b"x" * 10
    obj = LfsObject(hashlib.sha256(data).hexdigest(), 10, BytesContent(data), "x.bin")
    parts = {"chunk_size": 5, "1": "https://s3.test/u1", "2": "https://s3.test/u2"}
    answer = {"actions": {"upload": {"href": "https://hub.test/c", "header": parts}}}
    with pytest.raises(RuntimeError, match=r"x\.bin") as err, TransferPool(_target(), 2, lambda n: None) as pool:
        pool.add(obj, answer)
        pool.join()
    assert "etag" in str(err.value.__cause__).lower()
    bad_count = {"actions": {"upload": {"href": "https://hub.test/c", "header": {"chunk_size": 5, "1": parts["1"]}}}}
    with pytest.raises(ValueError, match="Invalid server response"), TransferPool(_target(), 1, lambda n: None) as pool:
        pool.add(obj, bad_count)


def test_verify_on_another_host_gets_no_token(mock_transport) -> None:
    seen: dict[str, httpx.Request] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request
        return httpx.Response(200, json={})

    mock_transport(handler)
    data = b"payload"
    obj = LfsObject(hashlib.sha256(data).hexdigest(), len(data), BytesContent(data), "x.bin")
    for verify_host in ("hub.test", "elsewhere.test"):
        answer = {
            "actions": {
                "upload": {"href": "https://s3.test/put"},
                "verify": {"href": f"https://{verify_host}/verify"},
            }
        }
        with TransferPool(_target(), 1, lambda n: None) as pool:
            pool.add(obj, answer)
            pool.join()
    assert "authorization" not in seen["s3.test"].headers
    assert seen["hub.test"].headers["authorization"] == "Bearer hf_x"
    assert "authorization" not in seen["elsewhere.test"].headers
