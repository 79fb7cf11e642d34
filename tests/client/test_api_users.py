"""whoami, user and organization pages, likes and gated-repo access requests against ``hubkit serve``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

import hubkit
from hubkit import HfApi
from hubkit.api.types_refs import AccessRequest, Organization, User, UserLikes
from hubkit.errors import GatedRepoError, HfHubHTTPError, LocalTokenNotFoundError, RepositoryNotFoundError
from hubserver import admin


def test_whoami(api: HfApi, hub, tokens) -> None:
    me = api.whoami()
    assert me["name"] == "alice" and me["type"] == "user" and me["auth"]["accessToken"]["role"] == "write"
    assert [(o["name"], o["roleInOrg"]) for o in me["orgs"]] == [("acme", "admin")]
    reader = HfApi(endpoint=hub.url, token=tokens["alice_read"]).whoami()
    assert reader["auth"]["accessToken"]["role"] == "read"
    assert api.whoami(token=tokens["bob"])["name"] == "bob"  # a per-call token wins


def test_whoami_errors(hub, tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    nobody = HfApi(endpoint=hub.url)
    with pytest.raises(LocalTokenNotFoundError):
        nobody.whoami()
    with pytest.raises(ValueError):
        nobody.whoami(token=False)
    with pytest.raises(HfHubHTTPError, match="Invalid user token") as info:
        nobody.whoami(token="hf_notAValidToken")
    assert info.value.response.status_code == 401
    monkeypatch.setenv("HF_TOKEN", "hf_notAValidTokenEither")
    with pytest.raises(HfHubHTTPError, match="HF_TOKEN"):
        nobody.whoami()
    monkeypatch.setenv("HF_TOKEN", tokens["bob"])
    assert nobody.whoami()["name"] == "bob"


def test_whoami_cache(api: HfApi, hub, tokens) -> None:
    seen: list[str] = []

    def factory() -> httpx.Client:
        client = hubkit._http.default_client_factory()
        client.event_hooks["request"].append(lambda r: seen.append(r.url.path))
        return client

    hubkit._http.set_client_factory(factory)
    try:
        first = api.whoami(cache=True)
        assert api.whoami(cache=True) is first and seen == ["/api/whoami-v2"]
        api.whoami()
        assert len(seen) == 2
        assert api.whoami(token=tokens["bob"], cache=True)["name"] == "bob"  # cached per token
    finally:
        hubkit._http.set_client_factory(hubkit._http.default_client_factory)


def test_user_and_organization_pages(api: HfApi, seeded) -> None:
    alice = api.get_user_overview("alice")
    assert isinstance(alice, User) and (alice.username, alice.fullname) == ("alice", "Alice A")
    assert alice.user_type == "user" and alice.num_models and alice.num_models >= 1
    assert [o.name for o in alice.orgs] == ["acme"] and isinstance(alice.orgs[0], Organization)
    acme = api.get_organization_overview("acme")
    assert isinstance(acme, Organization) and acme.name == "acme" and acme.num_users == 2
    members = {m.username: m.role for m in api.list_organization_members("acme")}
    assert members == {"alice": "admin", "bob": "read"}
    with pytest.raises(HfHubHTTPError) as info:
        api.get_user_overview("acme")  # an org, not a user
    assert info.value.response.status_code == 404


def test_likes(api: HfApi, bob: HfApi, hub, unique: str) -> None:
    repo, dataset = f"alice/liked-{unique}", f"alice/liked-ds-{unique}"
    api.create_repo(repo)
    api.create_repo(dataset, repo_type="dataset")
    bob.unlike(repo)  # not liked yet: a no-op
    bob.like(repo)
    bob.like(dataset, repo_type="dataset")
    likers = list(api.list_repo_likers(repo))
    assert [(u.username, u.fullname) for u in likers] == [("bob", "Bob B")]
    likes = bob.list_liked_repos()  # the token's user
    assert isinstance(likes, UserLikes) and likes.user == "bob"
    assert repo in likes.models and dataset in likes.datasets and likes.total == len(likes.models) + len(likes.datasets)
    assert repo in api.list_liked_repos("bob").models
    bob.unlike(repo)
    assert list(api.list_repo_likers(repo)) == []
    assert repo not in bob.list_liked_repos("bob").models
    with pytest.raises(RepositoryNotFoundError):
        bob.like(f"alice/missing-{unique}")


def _ask_access(hub, token: str, repo: str, **fields: str) -> None:
    # huggingface_hub has no call for this (it is the repo page's form)
    r = httpx.post(f"{hub.url}/api/models/{repo}/ask-access", json=fields or None,
                   headers={"authorization": f"Bearer {token}"})  # fmt: skip
    r.raise_for_status()


def test_access_requests(api: HfApi, bob: HfApi, hub, tokens, alice_api, unique: str, tmp_path: Path) -> None:
    repo = f"alice/gated-{unique}"
    alice_api.create_repo(repo)
    alice_api.upload_file(path_or_fileobj=b"weights", path_in_repo="w.txt", repo_id=repo)
    api.update_repo_settings(repo, gated="manual")
    carol = f"carol{unique}"
    admin(hub.data_dir, "create-user", carol, "--email", f"{carol}@example.com", env=hub.env)
    carol_token = admin(hub.data_dir, "create-token", carol, env=hub.env)
    with pytest.raises(GatedRepoError):
        bob.auth_check(repo)

    _ask_access(hub, tokens["bob"], repo, reason="research")
    _ask_access(hub, carol_token, repo)
    pending = list(api.list_pending_access_requests(repo))
    assert all(isinstance(p, AccessRequest) for p in pending)
    assert [(p.username, p.status, p.fields) for p in pending] == [
        ("bob", "pending", {"reason": "research"}), (carol, "pending", None),
    ]  # fmt: skip
    assert pending[1].email == f"{carol}@example.com" and pending[0].request_id and pending[0].timestamp.tzinfo

    api.accept_access_request(repo, "bob")
    bob.auth_check(repo)
    assert hubkit.hf_hub_download(repo, "w.txt", endpoint=hub.url, token=tokens["bob"], cache_dir=tmp_path)
    api.reject_access_request(repo, request_id=pending[1].request_id, rejection_reason="not now")
    assert [r.username for r in api.list_accepted_access_requests(repo)] == ["bob"]
    assert [r.username for r in api.list_rejected_access_requests(repo)] == [carol]

    api.cancel_access_request(repo, "bob")
    assert {r.username for r in api.list_pending_access_requests(repo)} == {"bob"}
    with pytest.raises(GatedRepoError):
        bob.auth_check(repo)

    api.grant_access(repo, carol)
    assert [r.username for r in api.list_accepted_access_requests(repo)] == [carol]
    HfApi(endpoint=hub.url, token=carol_token).auth_check(repo)

    with pytest.raises(HfHubHTTPError) as info:
        bob.list_pending_access_requests(repo).__next__()  # only writers manage requests
    assert info.value.response.status_code == 403
    with pytest.raises(ValueError, match="exactly one"):
        api.accept_access_request(repo)
    with pytest.raises(ValueError, match="exactly one"):
        api.accept_access_request(repo, "bob", request_id="x")
    with pytest.raises(ValueError, match="rejection"):
        api._handle_access_request(repo, "bob", None, "accepted", None, None, rejection_reason="no")
    with pytest.raises(ValueError, match="repo type"):
        api.grant_access(repo, "bob", repo_type="kernel")
