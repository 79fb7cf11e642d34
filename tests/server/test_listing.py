"""Counters, likes and paginated people listings over raw HTTP."""

from __future__ import annotations

import re

from hubserver import admin

from .conftest import file_line, header


def test_repo_info_counts_likes_and_downloads(client, auth, new_repo, commit) -> None:
    repo = new_repo()
    assert commit(repo, header(), file_line("config.json", b"{}")).status_code == 200
    assert client.post(f"/api/models/{repo}/like", headers=auth("bob")).status_code == 200
    for _ in range(3):
        assert client.get(f"/{repo}/resolve/main/config.json", headers=auth()).status_code == 200
    client.head(f"/{repo}/resolve/main/config.json", headers=auth())  # HEADs are not downloads
    info = client.get(f"/api/models/{repo}", headers=auth()).json()
    assert (info["likes"], info["downloads"]) == (1, 3)
    assert client.get(f"/api/models/{repo}?expand=likes", headers=auth()).json()["likes"] == 1


def test_people_listings_are_paginated(hub, client, auth, new_repo, unique) -> None:
    repo = new_repo()
    for i in range(3):
        name = f"fan{i}{unique}"
        admin(hub.data_dir, "create-user", name, env=hub.env)
        token = admin(hub.data_dir, "create-token", name, env=hub.env)
        client.post(f"/api/models/{repo}/like", headers={"authorization": f"Bearer {token}"}).raise_for_status()
    url, seen = f"/api/models/{repo}/likers?limit=2", []
    while url:
        r = client.get(url, headers=auth())
        seen += [x["user"] for x in r.json()]
        link = r.headers.get("link")
        url = re.match(r"<([^>]+)>", link).group(1) if link else None
    assert seen == [f"fan{i}{unique}" for i in range(3)]


def test_protected_visibility_is_for_spaces_only(client, auth, unique) -> None:
    r = client.post("/api/repos/create", json={"name": f"prot-{unique}", "visibility": "protected"}, headers=auth())
    assert r.status_code == 400
    body = {"name": f"prot-{unique}", "type": "space", "sdk": "static", "visibility": "protected"}
    r = client.post("/api/repos/create", json=body, headers=auth())
    assert r.status_code == 200


def test_default_token_names_are_distinct(hub, client) -> None:
    names = set()
    for _ in range(2):
        token = admin(hub.data_dir, "create-token", "bob", env=hub.env)
        me = client.get("/api/whoami-v2", headers={"authorization": f"Bearer {token}"}).json()
        names.add(me["auth"]["accessToken"]["displayName"])
    assert len(names) == 2
