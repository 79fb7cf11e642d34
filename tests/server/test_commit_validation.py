"""Bad commits get a clear 4xx and change nothing."""

from __future__ import annotations

import base64
import hashlib
import threading

import httpx
import pytest

from .conftest import file_line, header, ndjson

HOSTILE_PATHS = [
    "../evil.txt",
    "a/../../evil.txt",
    "a/../b.txt",
    "/etc/passwd",
    "C:evil.txt",
    "C:/evil.txt",
    "\\\\server\\share\\evil.txt",
    "a\\..\\evil.txt",
    "a\x00b.txt",
    "a\nb.txt",
    ".git/config",
    "sub/.git/hooks/post-checkout",
    ".GIT/config",
    "a//b.txt",
    "./a.txt",
    "a/./b.txt",
    "dir/",
    "",
]


def _files(client, auth, repo: str) -> set[str]:
    r = client.get(f"/api/models/{repo}/tree/main?recursive=true", headers=auth())
    return {e["path"] for e in r.json()}


def _head(client, auth, repo: str) -> str:
    return client.get(f"/api/models/{repo}", headers=auth()).json()["sha"]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_rejected(client, auth, new_repo, commit, path: str) -> None:
    repo = new_repo()
    before = _head(client, auth, repo)
    r = commit(repo, header(), file_line("fine.txt", b"ok"), file_line(path, b"x"))
    assert r.status_code == 400, (path, r.status_code, r.text)
    assert r.json()["error"]
    assert _head(client, auth, repo) == before
    assert _files(client, auth, repo) == {".gitattributes"}


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all\n",
        b'{"key": "header", "value": {"summary": "x"}}\n{broken\n',
        b'{"key": "file", "value": {"path": "a.txt", "content": "eA==", "encoding": "base64"}}\n',  # no header
        b'{"key": "header", "value": {"summary": ""}}\n',
        b'{"key": "header", "value": {"summary": "x"}}\n{"key": "rename", "value": {"path": "a"}}\n',
        b'{"key": "header", "value": {"summary": "x"}}\n{"key": "file", "value": {"path": "a.txt", '
        b'"content": "###not-base64###", "encoding": "base64"}}\n',
        b'{"key": "header", "value": {"summary": "x"}}\n[1, 2, 3]\n',
        b'{"key": "header", "value": {"summary": "x", "parentCommit": "xyz"}}\n',
        b'{"key": "header", "value": {"summary": "x"}}\n{"key": "lfsFile", "value": {"path": "a.bin", '
        b'"algo": "sha256", "oid": "not-a-sha", "size": 3}}\n',
    ],
)
def test_malformed_payloads_rejected(client, auth, new_repo, body: bytes) -> None:
    repo = new_repo()
    before = _head(client, auth, repo)
    r = client.post(
        f"/api/models/{repo}/commit/main", content=body, headers={**auth(), "content-type": "application/x-ndjson"}
    )
    assert r.status_code == 400, (body, r.text)
    assert isinstance(r.json(), dict) and r.json()["error"]
    assert _head(client, auth, repo) == before


def test_file_folder_collisions(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    assert commit(repo, header(), file_line("a/b.txt", b"1"), file_line("f", b"2")).status_code == 200
    before = _head(client, auth, repo)
    assert commit(repo, header(), file_line("a", b"file over folder")).status_code == 400
    assert commit(repo, header(), file_line("f/inside.txt", b"folder over file")).status_code == 400
    assert commit(repo, header(), file_line("x.txt", b"1"), file_line("x.txt/y", b"2")).status_code == 400
    assert _head(client, auth, repo) == before


def test_delete_missing_entry(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    r = commit(repo, header(), {"key": "deletedFile", "value": {"path": "nope.txt"}})
    assert r.status_code == 404 and r.headers["x-error-code"] == "EntryNotFound"
    assert "doesn't exist" in r.json()["error"]
    r = commit(repo, header(), {"key": "deletedFolder", "value": {"path": "nope/"}})
    assert r.status_code == 404


def _batch(client, auth, repo: str, oid: str, size: int, who: str = "alice") -> dict:
    r = client.post(
        f"/{repo}.git/info/lfs/objects/batch",
        json={
            "operation": "upload",
            "transfers": ["basic", "multipart"],
            "objects": [{"oid": oid, "size": size}],
            "hash_algo": "sha256",
        },
        headers={**auth(who), "accept": "application/vnd.git-lfs+json"},
    )
    assert r.status_code == 200, r.text
    return r.json()["objects"][0]


def test_lfs_upload_with_wrong_hash_or_size_is_refused(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    data = b"real content " * 1000
    oid = hashlib.sha256(data).hexdigest()
    obj = _batch(client, auth, repo, oid, len(data))
    href, verify = obj["actions"]["upload"]["href"], obj["actions"]["verify"]["href"]
    line = {"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": oid, "size": len(data)}}
    for bad in (b"x" * len(data), data[:-1], data + b"!"):  # wrong bytes, short, long
        status = httpx.put(href, content=bad).status_code
        if status == 200:  # S3 mode: the bucket takes any bytes, the verify step checks them
            r = client.post(verify, json={"oid": oid, "size": len(data)}, headers=auth())
            assert r.status_code == 400, r.text
        else:
            assert status == 400
        assert commit(repo, header(), line).status_code == 400  # nothing usable was stored
    assert httpx.put(href, content=data).status_code == 200
    assert client.post(verify, json={"oid": oid, "size": len(data)}, headers=auth()).status_code == 200
    assert commit(repo, header(), line).status_code == 200
    # a second batch for the same object needs no upload
    assert "actions" not in _batch(client, auth, repo, oid, len(data))


def test_signed_upload_urls_cannot_be_tampered(hub, client, auth, new_repo) -> None:
    repo = new_repo()
    data = b"abc"
    oid = hashlib.sha256(data).hexdigest()
    href = _batch(client, auth, repo, oid, len(data))["actions"]["upload"]["href"]
    if not href.startswith(hub.url):
        pytest.skip("S3 mode: upload URLs are presigned by the bucket, which checks them")
    other = hashlib.sha256(b"xyz").hexdigest()
    assert httpx.put(href.replace(oid, other), content=b"xyz").status_code == 403
    assert httpx.put(href.split("?")[0], content=data).status_code == 403
    assert httpx.put(href.replace("sig=", "sig=0"), content=data).status_code == 403


def test_lfs_object_of_another_repo_cannot_be_linked(client, auth, new_repo, commit) -> None:
    """Knowing the sha256 of someone else's private file must not give access to it."""
    secret_repo = new_repo(private=True)
    data = b"private weights" * 100
    oid = hashlib.sha256(data).hexdigest()
    href = _batch(client, auth, secret_repo, oid, len(data))["actions"]["upload"]["href"]
    assert httpx.put(href, content=data).status_code == 200
    line = {"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": oid, "size": len(data)}}
    assert commit(secret_repo, header(), line).status_code == 200

    bob_repo = new_repo(owner="bob")
    r = client.post(
        f"/api/models/{bob_repo}/commit/main",
        content=ndjson(header(), line),
        headers={**auth("bob"), "content-type": "application/x-ndjson"},
    )
    assert r.status_code == 400
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(data)}\n".encode()
    r = client.post(
        f"/api/models/{bob_repo}/commit/main",
        content=ndjson(header(), file_line("w.bin", pointer)),
        headers={**auth("bob"), "content-type": "application/x-ndjson"},
    )
    assert r.status_code == 400
    # the batch API asks bob to upload the bytes himself rather than claiming they exist
    assert "actions" in _batch(client, auth, bob_repo, oid, len(data), who="bob")


def test_concurrent_writers_lose_no_update(client, auth, new_repo) -> None:
    repo = new_repo()
    errors: list[str] = []

    def writer(i: int) -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            for j in range(5):
                body = ndjson(header(f"w{i}-{j}"), file_line(f"w{i}/{j}.txt", f"{i}-{j}".encode()))
                r = c.post(
                    f"/api/models/{repo}/commit/main",
                    content=body,
                    headers={**auth(), "content-type": "application/x-ndjson"},
                )
                if r.status_code != 200:
                    errors.append(r.text)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    files = _files(client, auth, repo)
    assert {f"w{i}/{j}.txt" for i in range(4) for j in range(5)} <= files
    commits = client.get(f"/api/models/{repo}/commits/main", headers=auth()).json()
    assert len(commits) == 21


def test_parent_commit_race_one_wins(client, auth, new_repo) -> None:
    repo = new_repo()
    head = _head(client, auth, repo)
    results: list[int] = []

    def writer(i: int) -> None:
        body = ndjson(header(f"race {i}", parentCommit=head), file_line(f"r{i}.txt", b"x"))
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            r = c.post(
                f"/api/models/{repo}/commit/main",
                content=body,
                headers={**auth(), "content-type": "application/x-ndjson"},
            )
            results.append(r.status_code)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 412, 412, 412]


def test_content_is_base64_decoded_exactly(client, auth, new_repo) -> None:
    repo = new_repo()
    payload = bytes(range(256)) * 3
    r = client.post(
        f"/api/models/{repo}/commit/main",
        content=ndjson(
            header(),
            {
                "key": "file",
                "value": {"path": "bytes.dat", "content": base64.b64encode(payload).decode(), "encoding": "base64"},
            },
        ),
        headers={**auth(), "content-type": "application/x-ndjson"},
    )
    assert r.status_code == 200
    assert client.get(f"/{repo}/resolve/main/bytes.dat", headers=auth()).content == payload


def test_cross_repo_duplicate_grants_only_what_the_source_holds(client, auth, new_repo, commit) -> None:
    source, target = new_repo(), new_repo()
    data = b"shared weights" * 1000
    oid = hashlib.sha256(data).hexdigest()
    obj = _batch(client, auth, source, oid, len(data))
    assert httpx.put(obj["actions"]["upload"]["href"], content=data).status_code == 200
    client.post(obj["actions"]["verify"]["href"], json={"oid": oid, "size": len(data)}, headers=auth())
    line = {"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": oid, "size": len(data)}}
    assert commit(target, header(), line).status_code == 400  # not the target's yet
    body = {"target": {"type": "model", "name": target}, "files": [{"sha256": oid}, {"sha256": "b" * 64}]}
    r = client.post(f"/api/models/{source}/lfs-files/duplicate", json=body, headers=auth())
    assert r.status_code == 200 and [f["sha256"] for f in r.json()["failed"]] == ["b" * 64]
    assert commit(target, header(), line).status_code == 200
    # bob may read the source but not write the target: refused
    r = client.post(f"/api/models/{source}/lfs-files/duplicate", json=body, headers=auth("bob"))
    assert r.status_code == 403
