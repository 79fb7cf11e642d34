"""The CAS refuses bad xorbs, shards and commits, and keeps repos' Xet content apart."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest

from hubkit.server.xet import chunking, hashing, shard, xorb

from .conftest import header


def build(data: bytes) -> tuple[bytes, bytes, shard.ShardFile, shard.ShardXorb]:
    """A one-xorb upload of ``data``: (xorb hash, xorb body, file block, xorb block)."""
    ends = chunking.chunk_ends(data)
    starts = [0, *ends[:-1]]
    pieces = [data[s:e] for s, e in zip(starts, ends, strict=True)]
    leaves = [(hashing.chunk_hash(p), len(p)) for p in pieces]
    xorb_hash = hashing.xorb_hash(leaves)
    body = b"".join(xorb.encode_chunk(p) for p in pieces)
    term = shard.Term(xorb_hash, len(data), 0, len(pieces))
    f = shard.ShardFile(
        hashing.file_hash(leaves),
        [term],
        [hashing.range_hash([h for h, _ in leaves])],
        hashlib.sha256(data).hexdigest(),
    )
    raw_starts = [sum(n for _, n in leaves[:i]) for i in range(len(leaves))]
    x = shard.ShardXorb(xorb_hash, [(h, s, n) for (h, n), s in zip(leaves, raw_starts, strict=True)], len(data))
    return xorb_hash, body, f, x


def cas_token(client, auth, repo: str, scope: str = "write") -> tuple[str, str]:
    r = client.get(f"/api/models/{repo}/xet-{scope}-token/main", headers=auth())
    assert r.status_code == 200, r.text
    body = r.json()
    assert r.headers["x-xet-access-token"] == body["accessToken"]
    assert r.headers["x-xet-cas-url"] == body["casUrl"] and int(r.headers["x-xet-token-expiration"]) == body["exp"]
    return body["casUrl"], body["accessToken"]


def post(url: str, token: str | None, content: bytes) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.post(url, content=content, headers=headers, timeout=60)


def upload(cas: str, token: str, data: bytes) -> shard.ShardFile:
    xh, body, f, x = build(data)
    assert post(f"{cas}/v1/xorbs/default/{hashing.to_str(xh)}", token, body).status_code == 200
    r = post(f"{cas}/v1/shards", token, shard.build_upload_shard([f], [x]))
    assert r.status_code == 200, r.text
    return f


def test_xorb_and_shard_validation(client, auth, new_repo) -> None:
    repo = new_repo()
    cas, token = cas_token(client, auth, repo)
    data = os.urandom(300_000)
    xh, body, f, x = build(data)
    url = f"{cas}/v1/xorbs/default/{hashing.to_str(xh)}"
    assert post(url, None, body).status_code == 401
    _, read_token = cas_token(client, auth, repo, "read")
    assert post(url, read_token, body).status_code == 403
    assert post(url, token, body[:-10]).status_code == 400  # truncated
    corrupt = bytearray(body)
    corrupt[100] ^= 0xFF
    r = post(url, token, bytes(corrupt))
    assert r.status_code == 400 and "hashes to" in r.text
    other = hashing.to_str(hashing.chunk_hash(b"another name"))
    assert post(f"{cas}/v1/xorbs/default/{other}", token, body).status_code == 400
    assert post(f"{cas}/v1/xorbs/elsewhere/{hashing.to_str(xh)}", token, body).status_code == 400

    good_shard = shard.build_upload_shard([f], [x])
    # the xorb is not uploaded yet: the shard references an unknown xorb
    r = post(f"{cas}/v1/shards", token, good_shard)
    assert r.status_code == 400 and "not uploaded" in r.text
    assert post(url, token, body).json() == {"was_inserted": True}
    assert post(url, token, body).json() == {"was_inserted": False}
    assert post(f"{cas}/v1/shards", token, good_shard[:-30]).status_code == 400
    bad_proof = shard.ShardFile(f.file_hash, f.terms, [hashing.ZERO], f.sha256)
    assert post(f"{cas}/v1/shards", token, shard.build_upload_shard([bad_proof], [])).status_code == 400
    bad_file_hash = shard.ShardFile(hashing.ZERO[:-1] + b"\x01", f.terms, f.range_hashes, f.sha256)
    assert post(f"{cas}/v1/shards", token, shard.build_upload_shard([bad_file_hash], [])).status_code == 400
    lie = shard.ShardFile(f.file_hash, f.terms, f.range_hashes, hashlib.sha256(b"other").hexdigest())
    r = post(f"{cas}/v1/shards", token, shard.build_upload_shard([lie], []))
    assert r.status_code == 400 and "sha256" in r.text
    # v2 reports errors inside the NDJSON stream
    r = post(f"{cas}/v2/shards", token, shard.build_upload_shard([lie], []))
    assert r.status_code == 200 and '"type": "error"' in r.text.splitlines()[-1]
    r = post(f"{cas}/v2/shards", token, good_shard)
    assert r.text.splitlines()[-1] == '{"type": "result", "result": 1}'


def test_commit_needs_verified_content_of_this_repo(client, auth, new_repo, commit) -> None:
    repo, other = new_repo(), new_repo(private=True)
    cas, token = cas_token(client, auth, repo)
    data = os.urandom(200_000)
    f = upload(cas, token, data)
    sha = hashlib.sha256(data).hexdigest()
    line = {"key": "lfsFile", "value": {"path": "x.bin", "algo": "sha256", "oid": sha, "size": len(data)}}
    wrong_size = {"key": "lfsFile", "value": {"path": "x.bin", "algo": "sha256", "oid": sha, "size": 5}}
    unknown = {"key": "lfsFile", "value": {"path": "y.bin", "algo": "sha256", "oid": "a" * 64, "size": 5}}
    assert commit(repo, header(), wrong_size).status_code == 400
    assert commit(repo, header(), unknown).status_code == 400
    assert commit(other, header(), line).status_code == 400  # registered for `repo` only
    assert commit(repo, header(), line).status_code == 200
    # tree and resolve advertise Xet; plain HTTP readers get the reconstructed bytes, with ranges
    entry = client.get(f"/api/models/{repo}/tree/main", headers=auth()).json()
    x = next(e for e in entry if e["path"] == "x.bin")
    assert x["xetHash"] == hashing.to_str(f.file_hash) and x["lfs"]["oid"] == sha
    h = client.head(f"/{repo}/resolve/main/x.bin", headers=auth())
    assert h.headers["x-xet-hash"] == x["xetHash"] and 'rel="xet-auth"' in h.headers["link"]
    assert client.get(f"/{repo}/resolve/main/x.bin", headers=auth()).content == data
    r = client.get(f"/{repo}/resolve/main/x.bin", headers={**auth(), "range": "bytes=100000-150000"})
    assert r.status_code == 206 and r.content == data[100000:150001]


def test_reconstruction_scoped_to_the_token_repo(hub, client, auth, new_repo) -> None:
    repo, other = new_repo(), new_repo()
    cas, token = cas_token(client, auth, repo)
    data = os.urandom(150_000)
    f = upload(cas, token, data)
    name = hashing.to_str(f.file_hash)
    _, other_token = cas_token(client, auth, other, "read")
    headers = {"authorization": f"Bearer {other_token}"}
    assert httpx.get(f"{cas}/v2/reconstructions/{name}", headers=headers).status_code == 404
    headers = {"authorization": f"Bearer {token}", "range": "bytes=1000-1999"}
    plan = httpx.get(f"{cas}/v2/reconstructions/{name}", headers=headers).json()
    (fetch,) = plan["xorbs"].values()
    url = fetch[0]["url"]
    span = fetch[0]["ranges"][0]["bytes"]
    rng = {"range": f"bytes={span['start']}-{span['end']}"}
    assert httpx.get(url, headers=rng).status_code == 206
    if url.startswith(hub.url):  # our signed URLs (in S3 mode the bucket presigns them)
        assert httpx.get(url.replace("sig=", "sig=0"), headers=rng).status_code == 403
        assert httpx.get(url, headers={"range": f"bytes=0-{span['end'] + 100}"}).status_code == 403
    v1 = httpx.get(f"{cas}/v1/reconstructions/{name}", headers={"authorization": f"Bearer {token}"}).json()
    assert v1["terms"] and v1["fetch_info"]


@pytest.mark.parametrize("scope", ["read", "write"])
def test_tokens_respect_repo_access(client, auth, new_repo, scope: str) -> None:
    repo = new_repo(private=True)
    r = client.get(f"/api/models/{repo}/xet-{scope}-token/main", headers=auth("bob"))
    assert r.status_code == 404 and r.headers["x-error-code"] == "RepoNotFound"
    public = new_repo()
    r = client.get(f"/api/models/{public}/xet-{scope}-token/main", headers=auth("bob"))
    assert r.status_code == (200 if scope == "read" else 403)


def test_admin_stats_count_cas_traffic(hub, client, auth, new_repo) -> None:
    admin_headers = {"authorization": f"Bearer {hub.admin_token}"}
    before = client.get("/api/admin/stats", headers=admin_headers).json().get("xet_xorb_bytes_received", 0)
    repo = new_repo()
    cas, token = cas_token(client, auth, repo)
    upload(cas, token, os.urandom(50_000))
    after = client.get("/api/admin/stats", headers=admin_headers).json()["xet_xorb_bytes_received"]
    assert after - before >= 50_000
    assert client.get("/api/admin/stats", headers=auth()).status_code == 403
