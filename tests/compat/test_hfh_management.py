"""Listing, search, likes, gating, duplication, squashing and user pages with the real client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError


def test_list_and_search_models(hub, alice: HfApi, bob: HfApi, unique: str) -> None:
    ids = [f"alice/ls-{unique}-{n}" for n in ("a", "b", "c")]
    for i, repo in enumerate(ids):
        alice.create_repo(repo, private=(i == 2))
        card = f"---\nlicense: mit\ntags: [t-{unique}, n{i}]\nlibrary_name: transformers\n---\n"
        alice.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo)
    found = [m.id for m in alice.list_models(search=f"ls-{unique}")]
    assert sorted(found) == sorted(ids)
    # others do not see the private one, not even in search
    assert sorted(m.id for m in bob.list_models(search=f"ls-{unique}")) == sorted(ids[:2])
    assert sorted(m.id for m in HfApi(endpoint=hub.url, token=False).list_models(search=f"ls-{unique}")) == sorted(
        ids[:2]
    )
    assert [m.id for m in alice.list_models(filter=f"t-{unique}", search=f"{unique}-b")] == [ids[1]]
    assert [m.id for m in alice.list_models(filter=["n0", f"t-{unique}"])] == [ids[0]]
    assert all(m.author == "alice" for m in alice.list_models(author="alice", limit=5))
    assert len(list(alice.list_models(search=f"ls-{unique}", limit=2))) == 2
    # likes drive a sort order
    bob.unlike(ids[0])  # no-op when not liked
    # huggingface_hub has no like(): the web UI's endpoint
    httpx.post(
        f"{hub.url}/api/models/{ids[1]}/like", headers={"authorization": f"Bearer {bob.token}"}
    ).raise_for_status()
    top = [m.id for m in alice.list_models(search=f"ls-{unique}", sort="likes")]
    assert top[0] == ids[1]
    assert [u.username for u in alice.list_repo_likers(ids[1])] == ["bob"]
    assert ids[1] in bob.list_liked_repos("bob").models
    bob.unlike(ids[1])
    assert list(alice.list_repo_likers(ids[1])) == []
    full = next(iter(alice.list_models(search=f"ls-{unique}-a", full=True, cardData=True)))
    assert full.sha and [s.rfilename for s in full.siblings] == [".gitattributes", "README.md"]
    assert full.card_data["license"] == "mit"


def test_list_datasets_and_spaces(alice: HfApi, unique: str) -> None:
    alice.create_repo(f"alice/ds-{unique}", repo_type="dataset")
    alice.create_repo(f"alice/sp-{unique}", repo_type="space", space_sdk="static")
    assert [d.id for d in alice.list_datasets(search=f"ds-{unique}")] == [f"alice/ds-{unique}"]
    assert [s.id for s in alice.list_spaces(search=f"sp-{unique}")] == [f"alice/sp-{unique}"]
    assert list(alice.list_models(search=f"ds-{unique}")) == []


def test_gated_repo_access_requests(hub, alice: HfApi, bob: HfApi, unique: str, tmp_path: Path) -> None:
    repo = f"alice/gated-{unique}"
    alice.create_repo(repo)
    alice.upload_file(path_or_fileobj=b"weights", path_in_repo="w.txt", repo_id=repo)
    alice.update_repo_settings(repo, gated="manual")
    assert bob.model_info(repo).gated == "manual"  # metadata stays visible
    assert bob.repo_exists(repo)
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "w.txt", endpoint=hub.url, token=bob.token, cache_dir=tmp_path / "b1")
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "w.txt", endpoint=hub.url, token=False, cache_dir=tmp_path / "a1")
    r = httpx.post(f"{hub.url}/api/models/{repo}/ask-access", json={"reason": "research"},
                   headers={"authorization": f"Bearer {bob.token}"})  # fmt: skip
    assert r.json() == {"status": "pending"}
    pending = list(alice.list_pending_access_requests(repo))
    assert [(p.username, p.fields) for p in pending] == [("bob", {"reason": "research"})]
    with pytest.raises(HfHubHTTPError):
        list(bob.list_pending_access_requests(repo))  # only writers manage requests
    alice.accept_access_request(repo, "bob")
    assert [a.username for a in alice.list_accepted_access_requests(repo)] == ["bob"]
    path = hf_hub_download(repo, "w.txt", endpoint=hub.url, token=bob.token, cache_dir=tmp_path / "b2")
    assert Path(path).read_bytes() == b"weights"
    alice.reject_access_request(repo, "bob", rejection_reason="no")
    with pytest.raises(GatedRepoError):
        hf_hub_download(repo, "w.txt", endpoint=hub.url, token=bob.token, cache_dir=tmp_path / "b3")
    alice.grant_access(repo, "bob")
    bob.auth_check(repo)
    with pytest.raises(HfHubHTTPError):
        bob.auth_check(repo, write=True)


def test_duplicate_and_super_squash(hub, alice: HfApi, bob: HfApi, unique: str, tmp_path: Path) -> None:
    src = f"alice/src-{unique}"
    alice.create_repo(src)
    alice.upload_file(path_or_fileobj=b"one", path_in_repo="a.txt", repo_id=src)
    alice.upload_file(path_or_fileobj=b"x" * (11 * 1000 * 1000), path_in_repo="big.bin", repo_id=src)
    copy = bob.duplicate_repo(src, f"bob/copy-{unique}")
    assert copy.repo_id == f"bob/copy-{unique}"
    assert set(bob.list_repo_files(copy.repo_id)) == {".gitattributes", "a.txt", "big.bin"}
    p = hf_hub_download(copy.repo_id, "big.bin", endpoint=hub.url, token=bob.token, cache_dir=tmp_path)
    assert Path(p).stat().st_size == 11 * 1000 * 1000
    # the copy has its own history from now on
    bob.upload_file(path_or_fileobj=b"two", path_in_repo="b.txt", repo_id=copy.repo_id)
    assert "b.txt" not in alice.list_repo_files(src)
    alice.super_squash_history(src)
    commits = alice.list_repo_commits(src)
    assert len(commits) == 1 and set(alice.list_repo_files(src)) == {".gitattributes", "a.txt", "big.bin"}
    with pytest.raises(RepositoryNotFoundError):
        bob.duplicate_repo(f"alice/none-{unique}", f"bob/x-{unique}")


def test_user_and_org_pages(hub, alice: HfApi) -> None:
    user = alice.get_user_overview("alice")
    assert user.username == "alice" and user.fullname == "Alice A" and [o.name for o in user.orgs] == ["acme"]
    org = alice.get_organization_overview("acme")
    assert org.name == "acme" and org.num_users == 2
    members = {m.username for m in alice.list_organization_members("acme")}
    assert members == {"alice", "bob"}
