"""Error model, request ids, private-repo invisibility on every route, token handling."""

from __future__ import annotations

import pytest

from hubkit.server.db.engine import make_engine
from hubkit.server.db.models import Base

from .conftest import file_line, header


def test_every_response_has_a_request_id(client) -> None:
    for method, path in [("GET", "/api/whoami-v2"), ("GET", "/no/such/route/at/all"), ("PATCH", "/api/repos/create")]:
        r = client.request(method, path)
        assert r.headers.get("x-request-id"), (method, path)
    r = client.get("/api/models", headers={"x-request-id": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.get("/api/models", headers={"x-request-id": "bad id\twith spaces"})
    assert r.headers["x-request-id"] != "bad id\twith spaces"
    ids = {client.head("/api/whoami-v2").headers["x-request-id"] for _ in range(50)}
    assert len(ids) == 50


def test_error_bodies_are_json_objects_with_codes(client, auth) -> None:
    r = client.head("/alice/does-not-exist/resolve/main/x.txt")
    assert r.status_code == 401 and r.headers["x-error-code"] == "RepoNotFound"
    r = client.get("/api/models/alice/does-not-exist", headers=auth())
    assert r.status_code == 404 and r.headers["x-error-code"] == "RepoNotFound"
    assert isinstance(r.json(), dict) and r.json()["error"]
    assert r.headers["x-error-message"]


def test_invalid_token_is_rejected_clearly(client) -> None:
    r = client.get("/api/whoami-v2", headers={"authorization": "Bearer hf_not_a_real_token_at_all"})
    assert r.status_code == 401
    assert r.headers["x-error-message"] == "Invalid credentials in Authorization header"


def test_invalid_token_is_rejected_on_public_downloads_too(client, auth, new_repo) -> None:
    """The download hot path skips the caller for public repos, but never a bad token."""
    repo = new_repo()
    assert client.head(f"/{repo}/resolve/main/.gitattributes").status_code == 200
    assert client.head(f"/{repo}/resolve/main/.gitattributes", headers=auth()).status_code == 200
    bad = {"authorization": "Bearer hf_not_a_real_token_at_all"}
    for method in ("HEAD", "GET"):
        r = client.request(method, f"/{repo}/resolve/main/.gitattributes", headers=bad)
        assert r.status_code == 401, method


def test_entry_and_revision_not_found_codes(client, auth, new_repo) -> None:
    repo = new_repo()
    r = client.head(f"/{repo}/resolve/main/missing.txt", headers=auth())
    assert r.status_code == 404 and r.headers["x-error-code"] == "EntryNotFound"
    assert len(r.headers["x-repo-commit"]) == 40
    r = client.head(f"/{repo}/resolve/nope/.gitattributes", headers=auth())
    assert r.status_code == 404 and r.headers["x-error-code"] == "RevisionNotFound"
    r = client.get(f"/api/models/{repo}/tree/main/missing", headers=auth())
    assert r.headers["x-error-code"] == "EntryNotFound"


def _private_routes(repo: str) -> list[tuple[str, str, dict]]:
    lfs = {"operation": "upload", "transfers": ["basic"], "objects": [{"oid": "0" * 64, "size": 1}]}
    return [
        ("GET", f"/api/models/{repo}", {}),
        ("GET", f"/api/models/{repo}/revision/main", {}),
        ("GET", f"/api/models/{repo}/tree/main", {}),
        ("POST", f"/api/models/{repo}/paths-info/main", {"data": {"paths": ["s.txt"]}}),
        ("GET", f"/api/models/{repo}/refs", {}),
        ("GET", f"/api/models/{repo}/commits/main", {}),
        ("HEAD", f"/{repo}/resolve/main/s.txt", {}),
        ("GET", f"/{repo}/resolve/main/s.txt", {}),
        ("POST", f"/api/models/{repo}/preupload/main", {"json": {"files": []}}),
        ("POST", f"/api/models/{repo}/commit/main", {"content": b'{"key":"header","value":{"summary":"x"}}\n'}),
        ("POST", f"/api/models/{repo}/branch/b1", {"json": {}}),
        ("DELETE", f"/api/models/{repo}/branch/main", {}),
        ("POST", f"/api/models/{repo}/tag/main", {"json": {"tag": "t1"}}),
        ("DELETE", f"/api/models/{repo}/tag/t1", {}),
        ("PUT", f"/api/models/{repo}/settings", {"json": {"private": False}}),
        ("POST", f"/{repo}.git/info/lfs/objects/batch", {"json": lfs}),
        ("POST", f"/{repo}.git/info/lfs/objects/verify", {"json": {"oid": "0" * 64, "size": 1}}),
        ("GET", f"/api/models/{repo}/xet-read-token/main", {}),
        ("DELETE", "/api/repos/delete", {"json": {"name": repo.split("/")[1], "organization": "alice"}}),
        ("POST", "/api/repos/move", {"json": {"fromRepo": repo, "toRepo": "bob/stolen", "type": "model"}}),
    ]


def test_private_repo_invisible_on_every_route(client, auth, new_repo, commit) -> None:
    repo = new_repo(private=True)
    assert commit(repo, header(), file_line("s.txt", b"secret")).status_code == 200
    for who in ("bob", None):
        headers = auth(who) if who else {}
        for method, path, kwargs in _private_routes(repo):
            r = client.request(method, path, headers=headers, **kwargs)
            assert r.status_code in (401, 404), (who, method, path, r.status_code)
            assert r.headers.get("x-error-code") == "RepoNotFound", (who, method, path, r.text)
            assert b"secret" not in r.content
    # and the owner still sees it all
    assert client.get(f"/{repo}/resolve/main/s.txt", headers=auth()).content == b"secret"


def test_tokens_are_stored_hashed(hub, tokens) -> None:
    engine = make_engine(hub.database_url)
    try:
        with engine.connect() as conn:
            dump = "\n".join(str(row) for t in Base.metadata.sorted_tables for row in conn.execute(t.select()))
    finally:
        engine.dispose()
    assert "alice" in dump
    for value in tokens.values():
        assert value not in dump
    assert hub.admin_token and hub.admin_token not in dump


def test_unknown_route_and_method(client) -> None:
    assert client.get("/api/nothing-here").status_code == 404
    r = client.put("/api/whoami-v2")
    assert r.status_code == 405 and "GET" in r.headers["allow"]


@pytest.mark.parametrize("body", [b"[1,2]", b"not json", b'"string"'])
def test_malformed_json_bodies(client, auth, body: bytes) -> None:
    r = client.post("/api/repos/create", content=body, headers={**auth(), "content-type": "application/json"})
    assert r.status_code == 400 and isinstance(r.json(), dict)


def test_browser_clients_can_read_protocol_headers(client, new_repo) -> None:
    repo = new_repo()
    r = client.options(f"/{repo}/resolve/main/.gitattributes", headers={"origin": "https://app.example"})
    assert r.status_code == 204 and "authorization" in r.headers["access-control-allow-headers"]
    r = client.head(f"/{repo}/resolve/main/.gitattributes")
    assert r.headers["access-control-allow-origin"] == "*"
    assert "X-Repo-Commit" in r.headers["access-control-expose-headers"]
