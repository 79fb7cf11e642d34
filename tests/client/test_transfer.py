"""Transfers: resume, parallel ranges, verification, and faults (killed server, racing processes).

The faults a real server cannot produce on demand (a body cut mid-way, a server ignoring Range,
corrupted bytes) are played by a MockTransport; everything else runs against ``hubkit serve``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, HfApi

from hubkit import _transfer, hf_hub_download
from hubkit.errors import LocalEntryNotFoundError
from hubserver import ALICE

from .conftest import SeededRepo

HUB = "https://hub.example"
COMMIT = "b" * 40


class Counter:
    """A tqdm stand-in that records the initial offset and every byte reported."""

    instances: list[Counter] = []

    def __init__(self, **kwargs: object) -> None:
        self.initial = int(kwargs.get("initial") or 0)  # type: ignore[call-overload]
        self.total = kwargs.get("total")
        self.received = 0  # bytes that came over the wire (restarts do not subtract)
        self.net = 0
        Counter.instances.append(self)

    def update(self, n: int) -> None:
        self.net += n
        if n > 0:
            self.received += n

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _reset_counter() -> None:
    Counter.instances = []


def blobs_of(cache: Path, repo_id: str) -> Path:
    return cache / f"models--{repo_id.replace('/', '--')}" / "blobs"


# --- against the real hub --------------------------------------------------------------------


def test_resume_from_a_kept_partial(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    data = seeded.files["weights/model.bin"]
    etag = seeded.etag("weights/model.bin")
    blobs = blobs_of(cache, seeded.repo_id)
    blobs.mkdir(parents=True)
    (blobs / f"{etag}.resumable.incomplete").write_bytes(data[:1_000_000])
    path = hf_hub_download(seeded.repo_id, "weights/model.bin", tqdm_class=Counter, **kw)
    assert Path(path).read_bytes() == data
    (bar,) = Counter.instances
    assert bar.initial == 1_000_000 and bar.received == len(data) - 1_000_000
    assert not list(blobs.glob("*.incomplete"))


def test_a_corrupted_partial_is_detected_and_replaced(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    data = seeded.files["weights/model.bin"]
    etag = seeded.etag("weights/model.bin")
    blobs = blobs_of(cache, seeded.repo_id)
    blobs.mkdir(parents=True)
    (blobs / f"{etag}.resumable.incomplete").write_bytes(b"\xff" * 500_000)  # not a prefix of the file
    path = hf_hub_download(seeded.repo_id, "weights/model.bin", **kw)
    assert Path(path).read_bytes() == data and Path(path).resolve().name == etag
    assert not list(blobs.glob("*.incomplete"))


def test_local_dir_resume(seeded: SeededRepo, kw: dict, tmp_path: Path) -> None:
    from hubkit.cache.local_dir import get_local_download_paths

    data = seeded.files["weights/model.bin"]
    local = tmp_path / "local"
    base = get_local_download_paths(local, "weights/model.bin").incomplete_path(seeded.etag("weights/model.bin"))
    base.with_name(base.stem + ".resumable.incomplete").write_bytes(data[:123_456])
    path = hf_hub_download(seeded.repo_id, "weights/model.bin", local_dir=local, tqdm_class=Counter, **kw)
    assert Path(path).read_bytes() == data and Counter.instances[0].initial == 123_456


class Interrupt(Counter):
    """Ctrl-C once a megabyte has arrived."""

    def update(self, n: int) -> None:
        super().update(n)
        if self.received > 1_000_000:
            raise KeyboardInterrupt


def test_ctrl_c_keeps_the_bytes_for_the_next_call(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    data = seeded.files["weights/model.bin"]
    with pytest.raises(KeyboardInterrupt):
        hf_hub_download(seeded.repo_id, "weights/model.bin", tqdm_class=Interrupt, **kw)
    (kept,) = blobs_of(cache, seeded.repo_id).glob("*.resumable.incomplete")
    assert kept.name == f"{seeded.etag('weights/model.bin')}.resumable.incomplete"
    size = kept.stat().st_size
    assert 1_000_000 < size < len(data) and kept.read_bytes() == data[:size]
    path = hf_hub_download(seeded.repo_id, "weights/model.bin", tqdm_class=Counter, **kw)
    assert Path(path).read_bytes() == data and Counter.instances[-1].initial == size


def test_parallel_ranges(seeded: SeededRepo, kw: dict, monkeypatch) -> None:
    monkeypatch.setenv("HUBKIT_PARALLEL_THRESHOLD", str(512 * 1024))
    monkeypatch.setenv("HUBKIT_PARALLEL_CHUNK", str(256 * 1024 + 3))
    monkeypatch.setenv("HUBKIT_PARALLEL_WORKERS", "3")
    ran: list[int] = []
    original = _transfer._Parallel.run

    def spy(self: _transfer._Parallel, first: httpx.Response) -> None:
        ran.append(len(self.ranges))
        original(self, first)

    monkeypatch.setattr(_transfer._Parallel, "run", spy)
    path = hf_hub_download(seeded.repo_id, "weights/model.bin", tqdm_class=Counter, **kw)
    data = seeded.files["weights/model.bin"]
    assert Path(path).read_bytes() == data
    assert ran == [-(-len(data) // (256 * 1024 + 3))] and Counter.instances[0].received == len(data)


def _seed_big(hub, size: int) -> tuple[str, bytes]:
    api = HfApi(endpoint=hub.url, token=ALICE)
    api.create_repo("alice/big")
    data = os.urandom(size)
    api.create_commit("alice/big", operations=[CommitOperationAdd("big.bin", data)], commit_message="big")
    return "alice/big", data


class KillOnce(Counter):
    """Kills the hub once a third of the file has arrived; optionally restarts it a moment later."""

    hub = None
    restart_after: float | None = None

    def update(self, n: int) -> None:
        super().update(n)
        hub = KillOnce.hub
        if hub is not None and self.received > (self.total or 0) // 3:  # type: ignore[operator]
            KillOnce.hub = None
            hub.kill()
            if KillOnce.restart_after is not None:
                threading.Timer(KillOnce.restart_after, hub.start).start()


@pytest.mark.slow
@pytest.mark.parametrize("parallel", [False, True])
def test_server_killed_then_restarted_resumes(fresh_hub, tmp_path: Path, monkeypatch, parallel: bool) -> None:
    fresh_hub.start().provision()
    repo_id, data = _seed_big(fresh_hub, 24 * 1024 * 1024)
    if parallel:
        monkeypatch.setenv("HUBKIT_PARALLEL_THRESHOLD", str(4 * 1024 * 1024))
        monkeypatch.setenv("HUBKIT_PARALLEL_CHUNK", str(4 * 1024 * 1024))
    kw = {"endpoint": fresh_hub.url, "token": ALICE, "cache_dir": tmp_path / "cache"}
    # 1. the server dies mid-download and stays down: the call fails, the bytes are kept
    KillOnce.hub, KillOnce.restart_after = fresh_hub, None
    monkeypatch.setattr(_transfer, "STREAM_RETRIES", 2)
    with pytest.raises((httpx.TransportError, LocalEntryNotFoundError)):
        hf_hub_download(repo_id, "big.bin", tqdm_class=KillOnce, **kw)
    (kept,) = blobs_of(tmp_path / "cache", repo_id).glob("*.resumable.incomplete")
    kept_size = kept.stat().st_size
    assert 0 < kept_size < len(data)
    # 2. the server is back: the next call asks only for the rest
    fresh_hub.start()
    path = hf_hub_download(repo_id, "big.bin", tqdm_class=Counter, **kw)
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    bar = Counter.instances[-1]
    assert bar.initial == kept_size and bar.received == len(data) - kept_size


@pytest.mark.slow
def test_server_restarted_during_the_call_resumes_in_place(fresh_hub, tmp_path: Path, monkeypatch) -> None:
    fresh_hub.start().provision()
    repo_id, data = _seed_big(fresh_hub, 24 * 1024 * 1024)
    monkeypatch.setattr(_transfer, "STREAM_RETRIES", 120)
    monkeypatch.setattr(_transfer, "RETRY_PAUSE", 0.25)
    KillOnce.hub, KillOnce.restart_after = fresh_hub, 0.5
    path = hf_hub_download(repo_id, "big.bin", tqdm_class=KillOnce, endpoint=fresh_hub.url, token=ALICE,
                           cache_dir=tmp_path / "cache")  # fmt: skip
    assert Path(path).read_bytes() == data
    bar = Counter.instances[-1]
    assert bar.received == len(data)  # every byte came once: the transfer resumed, it did not restart


CONCURRENT = r"""
import sys, time, hubkit
start = float(sys.argv[5])
while time.time() < start:
    time.sleep(0.005)
print(hubkit.hf_hub_download(sys.argv[1], sys.argv[2], endpoint=sys.argv[3], token=sys.argv[4], cache_dir=sys.argv[6]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("locks", ["0", "1"])
def test_eight_processes_one_blob(hub, tmp_path: Path, locks: str, unique: str) -> None:
    import time

    api = HfApi(endpoint=hub.url, token=ALICE)
    repo_id = f"alice/race-{unique}"
    api.create_repo(repo_id)
    data = os.urandom(12 * 1024 * 1024)
    api.create_commit(repo_id, operations=[CommitOperationAdd("w.bin", data)], commit_message="w")
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "HUBKIT_DISABLE_FILE_LOCKS": "1" if locks == "0" else "0",
        "HUBKIT_PARALLEL_THRESHOLD": "4194304",
    }
    start = str(time.time() + 1.5)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, repo_id, "w.bin", hub.url, ALICE, start, str(cache)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    paths = {o.strip() for o, _ in outs}
    assert len(paths) == 1
    blobs = list(blobs_of(cache, repo_id).iterdir())
    assert [b.name for b in blobs] == [hashlib.sha256(data).hexdigest()]
    assert Path(paths.pop()).read_bytes() == data


# --- faults a real server does not produce on demand -------------------------------------


class _Broken(httpx.SyncByteStream):
    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut = data, cut

    def __iter__(self):
        yield self.data[: self.cut]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def _range_server(data: bytes, *, cut_first: int | None, honour_range: bool = True, corrupt: bool = False):
    sha = hashlib.sha256(data).hexdigest()
    served = {"gets": 0}
    ranges: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{sha}"', "Accept-Ranges": "bytes"}
        if request.method == "HEAD":
            return httpx.Response(200, headers={**headers, "Content-Length": str(len(data))})
        served["gets"] += 1
        body = bytes(len(data)) if corrupt else data
        rng = request.headers.get("range")
        ranges.append(rng)
        if rng and honour_range:
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng)
            assert m
            a, b = int(m.group(1)), int(m.group(2) or len(data) - 1) + 1
            part = {**headers, "Content-Range": f"bytes {a}-{b - 1}/{len(data)}", "Content-Length": str(b - a)}
            return httpx.Response(206, headers=part, content=body[a:b])
        headers["Content-Length"] = str(len(data))
        if cut_first is not None and served["gets"] == 1:
            return httpx.Response(200, headers=headers, stream=_Broken(body, cut_first))
        return httpx.Response(200, headers=headers, content=body)

    return handler, ranges


@pytest.mark.parametrize("honour_range", [True, False])
def test_truncated_body_is_resumed(mock_transport, tmp_path: Path, honour_range: bool) -> None:
    data = os.urandom(300_000)
    handler, ranges = _range_server(data, cut_first=100_000, honour_range=honour_range)
    mock_transport(handler)
    path = hf_hub_download("org/name", "f.bin", endpoint=HUB, cache_dir=tmp_path, tqdm_class=Counter)
    assert Path(path).read_bytes() == data
    assert ranges == [None, "bytes=100000-"]
    bar = Counter.instances[0]
    assert bar.received == (len(data) if honour_range else len(data) + 100_000)


def test_corrupted_content_never_enters_the_cache(mock_transport, tmp_path: Path) -> None:
    handler, ranges = _range_server(os.urandom(50_000), cut_first=None, corrupt=True)
    mock_transport(handler)
    with pytest.raises(OSError, match="Consistency check failed"):
        hf_hub_download("org/name", "f.bin", endpoint=HUB, cache_dir=tmp_path)
    assert len(ranges) == 2  # tried twice, from scratch
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.parent.name in ("blobs", "snapshots")]
    assert not list(tmp_path.rglob("*.incomplete"))


def test_head_retried_on_503_when_nothing_is_cached(mock_transport, tmp_path: Path) -> None:
    data = b"hello"
    sha1 = hashlib.sha1(b"blob 5\x00" + data).hexdigest()
    answers = iter([503, 503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{sha1}"', "Content-Length": "5"}
        if request.method == "HEAD":
            status = next(answers)
            return httpx.Response(status, headers=headers if status == 200 else {})
        return httpx.Response(200, headers=headers, content=data)

    mock_transport(handler)
    path = hf_hub_download("org/name", "f.txt", endpoint=HUB, cache_dir=tmp_path)
    assert Path(path).read_bytes() == data
