"""The permission matrix: who may read, write, change settings and delete which repo.

Actors: anonymous, an outsider, org members with read / write / admin roles, and the org
admin holding a read-only token. Repos of the org: public, private, gated. Each cell must
answer as the Hub does, and nothing about a private repo leaks to non-members.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from hubserver import admin

from .conftest import file_line, header, ndjson

ACTORS = ("anon", "outsider", "org_read", "org_write", "org_admin", "admin_read_token")
OK, FORBIDDEN, HIDDEN, GATED = "ok", "forbidden", "hidden", "gated"

# expected outcome per (repo kind, action, actor)
MEMBERS = {"org_read": OK, "org_write": OK, "org_admin": OK, "admin_read_token": OK}
EXPECTED = {
    ("public", "info"): dict.fromkeys(ACTORS, OK),
    ("public", "read"): dict.fromkeys(ACTORS, OK),
    ("public", "write"): {**dict.fromkeys(ACTORS, FORBIDDEN), "org_write": OK, "org_admin": OK},
    ("public", "settings"): {**dict.fromkeys(ACTORS, FORBIDDEN), "org_admin": OK},
    ("private", "info"): {"anon": HIDDEN, "outsider": HIDDEN, **MEMBERS},
    ("private", "read"): {"anon": HIDDEN, "outsider": HIDDEN, **MEMBERS},
    ("private", "write"): {
        "anon": HIDDEN,
        "outsider": HIDDEN,
        **dict.fromkeys(MEMBERS, FORBIDDEN),
        "org_write": OK,
        "org_admin": OK,
    },
    ("private", "settings"): {
        "anon": HIDDEN,
        "outsider": HIDDEN,
        **dict.fromkeys(MEMBERS, FORBIDDEN),
        "org_admin": OK,
    },
    ("gated", "info"): dict.fromkeys(ACTORS, OK),
    ("gated", "read"): {"anon": GATED, "outsider": GATED, **MEMBERS},
    ("gated", "write"): {**dict.fromkeys(ACTORS, FORBIDDEN), "org_write": OK, "org_admin": OK},
    ("gated", "settings"): {**dict.fromkeys(ACTORS, FORBIDDEN), "org_admin": OK},
}


@pytest.fixture(scope="module")
def world(hub) -> dict:
    """An org with members of every role, and its three kinds of repos."""
    tag = uuid.uuid4().hex[:8]
    org = f"perm{tag}"
    users = {k: f"{k.replace('_', '')}{tag}" for k in ("outsider", "org_read", "org_write", "org_admin")}
    tokens: dict[str, str | None] = {"anon": None}
    for actor, name in users.items():
        admin(hub.data_dir, "create-user", name, env=hub.env)
        tokens[actor] = admin(hub.data_dir, "create-token", name, "--role", "write", env=hub.env)
    tokens["admin_read_token"] = admin(hub.data_dir, "create-token", users["org_admin"], "--role", "read", env=hub.env)
    members = [f"{users['org_read']}:read", f"{users['org_write']}:write", f"{users['org_admin']}:admin"]
    admin(hub.data_dir, "create-org", org, *[x for m in members for x in ("--member", m)], env=hub.env)
    owner = {"authorization": f"Bearer {tokens['org_admin']}"}
    repos = {}
    with httpx.Client(base_url=hub.url, headers=owner) as c:
        for kind in ("public", "private", "gated"):
            name = f"{kind}-{tag}"
            c.post("/api/repos/create", json={"name": name, "organization": org, "private": kind == "private"})
            repo = f"{org}/{name}"
            c.post(f"/api/models/{repo}/commit/main", content=ndjson(header(), file_line("f.txt", b"data")),
                   headers={"content-type": "application/x-ndjson"}).raise_for_status()  # fmt: skip
            if kind == "gated":
                c.put(f"/api/models/{repo}/settings", json={"gated": "manual"}).raise_for_status()
            repos[kind] = repo
    return {"tokens": tokens, "repos": repos, "org": org}


def _outcome(r: httpx.Response) -> str:
    code = r.headers.get("x-error-code")
    if r.status_code < 300:
        return OK
    if code == "RepoNotFound":
        return HIDDEN
    if code == "GatedRepo":
        return GATED
    if r.status_code == 403:
        return FORBIDDEN
    return f"unexpected {r.status_code} {r.text[:100]}"


def _request(c: httpx.Client, repo: str, kind: str, action: str) -> httpx.Response:
    if action == "info":
        return c.get(f"/api/models/{repo}")
    if action == "read":
        return c.get(f"/{repo}/resolve/main/f.txt")
    if action == "write":
        body = ndjson(header("perm"), file_line(f"w-{uuid.uuid4().hex[:6]}.txt", b"x"))
        return c.post(f"/api/models/{repo}/commit/main", content=body, headers={"content-type": "application/x-ndjson"})
    return c.put(f"/api/models/{repo}/settings", json={"private": kind == "private"})  # a no-op change


@pytest.mark.parametrize(("kind", "action"), list(EXPECTED))
def test_matrix(hub, world, kind: str, action: str) -> None:
    repo = world["repos"][kind]
    got = {}
    for actor in ACTORS:
        token = world["tokens"][actor]
        headers = {"authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=hub.url, headers=headers) as c:
            r = _request(c, repo, kind, action)
            got[actor] = _outcome(r)
            if got[actor] == HIDDEN:  # indistinguishable from a repo that does not exist
                missing = _request(c, f"{world['org']}/does-not-exist", kind, action)
                assert (missing.status_code, missing.json()) == (r.status_code, r.json())
    assert got == EXPECTED[(kind, action)]


def test_delete_needs_admin(hub, world) -> None:
    tokens, org = world["tokens"], world["org"]
    owner = {"authorization": f"Bearer {tokens['org_admin']}"}
    for kind in ("public", "private"):
        name = f"del-{kind}-{uuid.uuid4().hex[:6]}"
        body = {"name": name, "organization": org, "private": kind == "private"}
        httpx.post(f"{hub.url}/api/repos/create", json=body, headers=owner).raise_for_status()
        for actor in ("anon", "outsider", "org_read", "org_write", "admin_read_token"):
            token = tokens[actor]
            r = httpx.request("DELETE", f"{hub.url}/api/repos/delete", json={"name": name, "organization": org},
                              headers={"authorization": f"Bearer {token}"} if token else {})  # fmt: skip
            expected = HIDDEN if kind == "private" and actor in ("anon", "outsider") else FORBIDDEN
            assert _outcome(r) == expected, (kind, actor, r.status_code)
        r = httpx.request(
            "DELETE", f"{hub.url}/api/repos/delete", json={"name": name, "organization": org}, headers=owner
        )
        assert r.status_code == 200
