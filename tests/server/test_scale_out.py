"""Several processes on one database and store, crash safety, garbage collection."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import httpx
import pytest
from huggingface_hub import HfApi, hf_hub_download

from hubkit.server.hub import make_store
from hubserver import HubProcess, admin

from .conftest import file_line, header, ndjson


def _commit(url: str, token: str, repo: str, name: str) -> str | None:
    body = ndjson(header(name), file_line(name, name.encode()))
    try:
        r = httpx.post(
            f"{url}/api/models/{repo}/commit/main",
            content=body,
            headers={"authorization": f"Bearer {token}", "content-type": "application/x-ndjson"},
            timeout=60,
        )
    except httpx.TransportError:
        return None
    return r.json()["commitOid"] if r.status_code == 200 else None


def _history(url: str, token: str, repo: str) -> list[dict]:
    api = HfApi(endpoint=url, token=token)
    return [{"id": c.commit_id, "title": c.title} for c in api.list_repo_commits(repo)]


@pytest.mark.slow
def test_two_processes_eight_writers_lose_nothing(fresh_hub: HubProcess, tmp_path: Path) -> None:
    first = fresh_hub.start()
    second = HubProcess(first.data_dir, env=first.env).start()
    try:
        token = first.admin_token
        HfApi(endpoint=first.url, token=token).create_repo("admin/race")
        acked: list[tuple[str, str]] = []
        lock = threading.Lock()
        # the issue's figure: 30 s of contention (HUBKIT_RACE_SECONDS shortens it for local runs)
        stop = time.monotonic() + float(os.environ.get("HUBKIT_RACE_SECONDS", "30"))

        def writer(i: int) -> None:
            url = (first, second)[i % 2].url
            n = 0
            while time.monotonic() < stop:
                name = f"w{i}/c{n}.txt"
                n += 1
                oid = _commit(url, token, "admin/race", name)
                assert oid is not None, name
                with lock:
                    acked.append((name, oid))

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        history = _history(second.url, token, "admin/race")
        ids = [c["id"] for c in history]
        assert {oid for _, oid in acked} <= set(ids)
        assert len(ids) == len(acked) + 1  # linear: every commit once, plus the initial commit
        files = set(HfApi(endpoint=first.url, token=token).list_repo_files("admin/race"))
        assert {name for name, _ in acked} <= files
        # throughput is measured in bench/, not asserted here: just make sure every writer got through
        assert {name.split("/")[0] for name, _ in acked} == {f"w{i}" for i in range(8)}
    finally:
        second.stop()


@pytest.mark.slow
def test_sigkill_during_commits_leaves_old_or_new_state(fresh_hub: HubProcess) -> None:
    hub = fresh_hub.start()
    token = hub.admin_token
    HfApi(endpoint=hub.url, token=token).create_repo("admin/crash")
    acked: list[str] = []
    stop = threading.Event()

    def writer(i: int) -> None:
        n = 0
        while not stop.is_set():
            oid = _commit(hub.url, token, "admin/crash", f"k{i}/{n}.txt")
            n += 1
            if oid:
                acked.append(oid)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    hub.kill()  # SIGKILL in the middle of commits
    stop.set()
    for t in threads:
        t.join()
    hub.start()
    history = _history(hub.url, token, "admin/crash")
    assert set(acked) <= {c["id"] for c in history}
    store = make_store(hub.settings())
    for c in history:  # every commit the branch reaches is complete in the store
        assert store.exists(f"commit/{c['id']}")
    api = HfApi(endpoint=hub.url, token=token)
    files = api.list_repo_files("admin/crash")
    assert len(files) == len(history)  # .gitattributes + one file per commit
    assert _commit(hub.url, token, "admin/crash", "after-restart.txt") is not None


def test_gc_removes_only_what_nothing_references(fresh_hub: HubProcess, tmp_path: Path) -> None:
    hub = fresh_hub.start()
    api = HfApi(endpoint=hub.url, token=hub.admin_token)
    api.create_repo("admin/keep")
    api.create_repo("admin/gone")
    keep, gone, orphan = os.urandom(2_000_000), os.urandom(2_000_000), os.urandom(1_000_000)
    api.upload_file(path_or_fileobj=keep, path_in_repo="keep.bin", repo_id="admin/keep")
    api.upload_file(path_or_fileobj=gone, path_in_repo="gone.bin", repo_id="admin/gone")
    # an upload that was never committed
    oid = hashlib.sha256(orphan).hexdigest()
    batch = httpx.post(
        f"{hub.url}/admin/keep.git/info/lfs/objects/batch",
        json={"operation": "upload", "objects": [{"oid": oid, "size": len(orphan)}]},
        headers={"authorization": f"Bearer {hub.admin_token}"},
    ).json()
    action = batch["objects"][0]["actions"]
    assert httpx.put(action["upload"]["href"], content=orphan).status_code == 200
    httpx.post(action["verify"]["href"], json={"oid": oid, "size": len(orphan)},
               headers={"authorization": f"Bearer {hub.admin_token}"}).raise_for_status()  # fmt: skip
    api.delete_repo("admin/gone")

    store = make_store(hub.settings())
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in (("keep", keep), ("gone", gone))}
    dry = admin(hub.data_dir, "gc", "--grace-hours", "0", "--dry-run", env=hub.env)
    assert dry.startswith("would delete") and store.exists(f"lfs/{sha['gone']}")
    out = admin(hub.data_dir, "gc", "--grace-hours", "0", env=hub.env)
    assert out.startswith("deleted") and not out.startswith("deleted 0 ")
    store = make_store(hub.settings())  # a fresh view: stores remember objects they have seen
    assert not store.exists(f"lfs/{sha['gone']}") and not store.exists(f"lfs/{oid}")
    assert store.exists(f"lfs/{sha['keep']}")
    path = hf_hub_download("admin/keep", "keep.bin", endpoint=hub.url, token=hub.admin_token, cache_dir=tmp_path)
    assert Path(path).read_bytes() == keep
    assert api.list_repo_commits("admin/keep")  # history intact
    # with the default grace period, young objects are never touched
    api.create_repo("admin/young")
    api.upload_file(path_or_fileobj=b"young", path_in_repo="y.txt", repo_id="admin/young")
    api.delete_repo("admin/young")
    assert admin(hub.data_dir, "gc", env=hub.env).startswith("deleted 0 objects")
