"""Multipart LFS uploads: parts in any order and in parallel, checked at completion."""

from __future__ import annotations

import hashlib
import os
import threading

import httpx
import pytest

from .conftest import header


@pytest.mark.slow
def test_parts_in_any_order_then_completion(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    data = os.urandom(70 * 1024 * 1024)
    oid = hashlib.sha256(data).hexdigest()
    r = client.post(
        f"/{repo}.git/info/lfs/objects/batch",
        json={"operation": "upload", "transfers": ["basic", "multipart"], "objects": [{"oid": oid, "size": len(data)}]},
        headers=auth(),
    )
    action = r.json()["objects"][0]["actions"]["upload"]
    head = action["header"]
    if "chunk_size" not in head:
        pytest.skip("this hub does not use multipart for 70 MiB")
    chunk = int(head["chunk_size"])
    urls = [head[str(n)] for n in range(1, len(head))]
    etags: dict[int, str] = {}

    def put(n: int) -> None:
        r = httpx.put(urls[n - 1], content=data[(n - 1) * chunk : n * chunk], timeout=120)
        r.raise_for_status()
        etags[n] = r.headers["etag"]

    complete = action["href"]
    parts = lambda: [{"partNumber": n, "etag": etags[n]} for n in sorted(etags)]  # noqa: E731
    threads = [threading.Thread(target=put, args=(n,)) for n in reversed(range(2, len(urls) + 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if complete.startswith(str(client.base_url)):  # our own multipart (S3 mode completes in the bucket)
        assert httpx.post(complete, json={"oid": oid, "parts": parts()}).status_code == 400  # part 1 missing
    put(1)
    bad = parts()
    bad[0] = {"partNumber": 1, "etag": '"0000"'}
    assert httpx.post(complete, json={"oid": oid, "parts": bad}).status_code == 400
    assert httpx.post(complete, json={"oid": oid, "parts": parts()}).status_code == 200
    line = {"key": "lfsFile", "value": {"path": "big.bin", "algo": "sha256", "oid": oid, "size": len(data)}}
    assert commit(repo, header(), line).status_code == 200
    r = client.get(f"/{repo}/resolve/main/big.bin", headers={**auth(), "range": "bytes=67108860-67108870"},
                   follow_redirects=True)  # fmt: skip
    assert r.content == data[67108860:67108871]
