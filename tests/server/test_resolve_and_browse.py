"""Resolve (HEAD/GET/Range), tree pagination, paths-info, commits, dates."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest

from .conftest import file_line, header

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_head_and_get_headers_for_regular_file(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    data = b"hello world\n"
    assert commit(repo, header(), file_line("dir/a b#c.txt", data)).status_code == 200
    sha = client.get(f"/api/models/{repo}", headers=auth()).json()["sha"]
    url = f"/{repo}/resolve/main/dir/a%20b%23c.txt"
    h = client.head(url, headers={**auth(), "accept-encoding": "identity"})
    assert h.status_code == 200
    assert h.headers["x-repo-commit"] == sha
    assert h.headers["etag"] == f'"{_git_blob_oid(data)}"'
    assert h.headers["content-length"] == str(len(data))
    assert h.headers["accept-ranges"] == "bytes"
    assert "x-linked-etag" not in h.headers
    g = client.get(url, headers=auth())
    assert g.content == data and g.headers["etag"] == h.headers["etag"]
    # the commit sha works as a revision too, and so does an unencoded special ref form
    assert client.get(f"/{repo}/resolve/{sha}/dir/a%20b%23c.txt", headers=auth()).content == data


def test_ranges(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    data = bytes(range(256)) * 40
    assert commit(repo, header(), file_line("r.dat", data)).status_code == 200
    url = f"/{repo}/resolve/main/r.dat"
    r = client.get(url, headers={**auth(), "range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    r = client.get(url, headers={**auth(), "range": "bytes=10000-"})
    assert r.status_code == 206 and r.content == data[10000:]
    r = client.get(url, headers={**auth(), "range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = client.get(url, headers={**auth(), "range": "bytes=100-99999"})
    assert r.status_code == 206 and r.content == data[100:]
    r = client.get(url, headers={**auth(), "range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(data)}"
    etag = r.headers.get("etag") or client.head(url, headers=auth()).headers["etag"]
    r = client.get(url, headers={**auth(), "range": "bytes=0-9", "if-range": etag})
    assert r.status_code == 206
    r = client.get(url, headers={**auth(), "range": "bytes=0-9", "if-range": '"stale"'})
    assert r.status_code == 200 and r.content == data
    r = client.get(url, headers={**auth(), "range": "bytes=0-1,5-6"})
    assert r.status_code == 200 and r.content == data


def test_lfs_file_headers_and_range(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    data = bytes(range(256)) * 100
    oid = hashlib.sha256(data).hexdigest()
    batch = client.post(
        f"/{repo}.git/info/lfs/objects/batch",
        json={"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": len(data)}]},
        headers=auth(),
    ).json()
    assert httpx.put(batch["objects"][0]["actions"]["upload"]["href"], content=data).status_code == 200
    line = {"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": oid, "size": len(data)}}
    assert commit(repo, header(), line).status_code == 200
    h = client.head(f"/{repo}/resolve/main/w.bin", headers=auth())
    assert h.headers["etag"] == f'"{oid}"' and h.headers["x-linked-etag"] == f'"{oid}"'
    assert h.headers["x-linked-size"] == str(len(data))
    if h.status_code == 302:  # S3 mode: a presigned URL on the bucket's origin, usable without a token
        assert not h.headers["location"].startswith(str(client.base_url))
        r = httpx.get(h.headers["location"], headers={"range": "bytes=1000-1999"})
    else:
        assert h.status_code == 200 and h.headers["content-length"] == str(len(data))
        g = client.get(f"/{repo}/resolve/main/w.bin")
        anonymous_head = client.head(f"/{repo}/resolve/main/w.bin")
        varying = {"x-request-id", "date"}
        for answer in (g, anonymous_head):
            assert {k: v for k, v in answer.headers.items() if k not in varying} == {
                k: v for k, v in h.headers.items() if k not in varying
            }
        assert g.content == data
        ranged = client.head(f"/{repo}/resolve/main/w.bin", headers={"range": "bytes=10-19"})
        assert ranged.status_code == 206 and ranged.headers["content-range"] == f"bytes 10-19/{len(data)}"
        assert ranged.headers["content-length"] == "10"
        r = client.get(f"/{repo}/resolve/main/w.bin", headers={**auth(), "range": "bytes=1000-1999"})
    assert r.status_code == 206 and r.content == data[1000:2000]
    tree = client.get(f"/api/models/{repo}/tree/main", headers=auth()).json()
    entry = next(e for e in tree if e["path"] == "w.bin")
    assert entry["lfs"]["oid"] == oid and entry["size"] == len(data) and entry["lfs"]["pointerSize"] > 100
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(data)}\n".encode()
    assert entry["oid"] == _git_blob_oid(pointer)


def test_tree_pagination_links_are_absolute_and_complete(hub, client, auth, new_repo, commit) -> None:
    repo = new_repo()
    lines = [file_line(f"d/{i:03d}.txt", str(i).encode()) for i in range(25)]
    assert commit(repo, header(), *lines).status_code == 200
    url = f"/api/models/{repo}/tree/main?recursive=true&expand=false&limit=10"
    seen: list[str] = []
    pages = 0
    while url:
        r = client.get(url, headers=auth())
        assert r.status_code == 200
        seen += [e["path"] for e in r.json()]
        pages += 1
        link = r.headers.get("link")
        url = re.match(r'<([^>]+)>; rel="next"', link).group(1) if link else None
        if url:
            assert url.startswith(hub.url + "/")
    assert pages == 3
    assert len(seen) == len(set(seen)) == 27  # .gitattributes, d, 25 files


def test_tree_folder_path_encodings(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    assert commit(repo, header(), file_line("a/b/c.txt", b"c")).status_code == 200
    enc = client.get(f"/api/models/{repo}/tree/main/a%2Fb", headers=auth()).json()
    multi = client.get(f"/api/models/{repo}/tree/main/a/b", headers=auth()).json()
    assert [e["path"] for e in enc] == [e["path"] for e in multi] == ["a/b/c.txt"]


def test_paths_info_form_and_json(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    assert commit(repo, header(), file_line("x/1.txt", b"1"), file_line("2.txt", b"2")).status_code == 200
    r = client.post(
        f"/api/models/{repo}/paths-info/main", data={"paths": ["2.txt", "nope", "x"], "expand": "True"}, headers=auth()
    )
    items = r.json()
    assert [i["path"] for i in items] == ["2.txt", "x"]
    assert items[1]["type"] == "directory" and ISO_Z.match(items[0]["lastCommit"]["date"])
    r = client.post(f"/api/models/{repo}/paths-info/main", json={"paths": ["x/1.txt"]}, headers=auth())
    assert [i["path"] for i in r.json()] == ["x/1.txt"]
    r = client.post(
        f"/api/models/{repo}/paths-info/main", data={"paths": [str(i) for i in range(1001)]}, headers=auth()
    )
    assert r.status_code == 413


def test_repo_info_shape_and_dates(client, auth, new_repo) -> None:
    for repo_type in ("model", "dataset", "space"):
        repo = new_repo(repo_type=repo_type)
        info = client.get(f"/api/{repo_type}s/{repo}", headers=auth()).json()
        assert info["id"] == repo and info["author"] == "alice" and len(info["sha"]) == 40
        assert ISO_Z.match(info["lastModified"]) and ISO_Z.match(info["createdAt"])
        assert info["siblings"] == [{"rfilename": ".gitattributes"}]
        only = client.get(f"/api/{repo_type}s/{repo}?expand=sha&expand=private", headers=auth()).json()
        assert set(only) == {"_id", "id", "sha", "private"}
    commits = client.get(f"/api/models/{new_repo()}/commits/main?expand[]=formatted", headers=auth()).json()
    assert ISO_Z.match(commits[0]["date"]) and commits[0]["authors"] == [{"user": "alice"}]
    assert commits[0]["formatted"]["title"]


def test_refs_shape(client, auth, new_repo) -> None:
    repo = new_repo()
    refs = client.get(f"/api/models/{repo}/refs?include_prs=1", headers=auth()).json()
    assert set(refs) == {"branches", "converts", "tags", "pullRequests"}
    assert refs["branches"][0]["ref"] == "refs/heads/main"
    r = client.post(f"/api/models/{repo}/branch/refs%2Fpr%2F5", json={}, headers=auth())
    assert r.status_code == 400
    r = client.post(f"/api/models/{repo}/tag/main", json={"tag": "bad name"}, headers=auth())
    assert r.status_code == 400
    r = client.post(f"/api/models/{repo}/tag/nope", json={"tag": "ok"}, headers=auth())
    assert r.status_code == 404 and r.headers["x-error-code"] == "RevisionNotFound"


@pytest.mark.parametrize(
    ("content", "status"),
    [
        ("---\nlicense: mit\n---\n# x", 200),
        ("no front matter", 200),
        ("---\n- a list\n---\n", 400),
        ("---\na: [\n---\n", 400),
    ],
)
def test_validate_yaml(client, auth, content: str, status: int) -> None:
    r = client.post("/api/validate-yaml", json={"content": content, "repoType": "model"}, headers=auth())
    assert r.status_code == status and set(r.json()) == {"errors", "warnings"}
