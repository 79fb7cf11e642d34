"""Repo management with the real huggingface_hub against a real hubkit server."""

from __future__ import annotations

from pathlib import Path

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError


def test_whoami(alice: HfApi) -> None:
    me = alice.whoami()
    assert me["name"] == "alice" and me["type"] == "user"
    assert [o["name"] for o in me["orgs"]] == ["acme"]
    assert me["auth"]["accessToken"]["role"] == "write"


@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
def test_create_repo_all_types_has_initial_commit(alice: HfApi, unique: str, repo_type: str) -> None:
    repo_id = f"alice/r-{unique}"
    url = alice.create_repo(repo_id, repo_type=repo_type, space_sdk="gradio" if repo_type == "space" else None)
    assert url.repo_id == repo_id and url.repo_type == repo_type
    info = alice.repo_info(repo_id, repo_type=repo_type)
    assert info.id == repo_id and len(info.sha) == 40
    assert [s.rfilename for s in info.siblings] == [".gitattributes"]
    commits = alice.list_repo_commits(repo_id, repo_type=repo_type)
    assert len(commits) == 1 and commits[0].authors == ["alice"]
    assert info.last_modified is not None and info.created_at is not None


def test_create_repo_exist_ok_and_conflict(alice: HfApi, unique: str) -> None:
    repo_id = f"alice/c-{unique}"
    first = alice.create_repo(repo_id)
    again = alice.create_repo(repo_id, exist_ok=True)
    assert str(first) == str(again)
    with pytest.raises(HfHubHTTPError) as err:
        alice.create_repo(repo_id)
    assert err.value.response.status_code == 409


def test_create_in_org_and_not_in_others_namespace(alice: HfApi, bob: HfApi, unique: str) -> None:
    assert alice.create_repo(f"acme/o-{unique}").repo_id == f"acme/o-{unique}"
    with pytest.raises(HfHubHTTPError) as err:
        bob.create_repo(f"acme/b-{unique}")  # bob only has read access in acme
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError):
        bob.create_repo(f"alice/b-{unique}")


def test_private_repo_visible_to_owner_and_org_only(hub, alice: HfApi, bob: HfApi, unique: str) -> None:
    repo_id = f"alice/p-{unique}"
    alice.create_repo(repo_id, private=True)
    alice.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id=repo_id)
    assert alice.repo_info(repo_id).private is True
    anon = HfApi(endpoint=hub.url, token=False)
    for api in (bob, anon):
        with pytest.raises(RepositoryNotFoundError):
            api.repo_info(repo_id)
        with pytest.raises(RepositoryNotFoundError):
            api.list_repo_files(repo_id)
        with pytest.raises(RepositoryNotFoundError):
            api.list_repo_refs(repo_id)
        with pytest.raises(RepositoryNotFoundError):
            api.list_repo_commits(repo_id)
        assert not api.repo_exists(repo_id)
    # bob can read a private repo of an org he belongs to, but cannot write it
    org_repo = f"acme/p-{unique}"
    alice.create_repo(org_repo, private=True)
    assert bob.repo_info(org_repo).id == org_repo
    with pytest.raises(HfHubHTTPError) as err:
        bob.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=org_repo)
    assert err.value.response.status_code == 403


def test_visibility_settings(hub, alice: HfApi, unique: str) -> None:
    repo_id = f"alice/v-{unique}"
    alice.create_repo(repo_id)
    anon = HfApi(endpoint=hub.url, token=False)
    assert anon.repo_exists(repo_id)
    alice.update_repo_settings(repo_id, private=True)
    assert not anon.repo_exists(repo_id)
    alice.update_repo_settings(repo_id, private=False)
    assert anon.repo_exists(repo_id)


def test_delete_repo(alice: HfApi, unique: str) -> None:
    repo_id = f"alice/d-{unique}"
    alice.create_repo(repo_id, repo_type="dataset")
    alice.delete_repo(repo_id, repo_type="dataset")
    assert not alice.repo_exists(repo_id, repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        alice.delete_repo(repo_id, repo_type="dataset")
    alice.delete_repo(repo_id, repo_type="dataset", missing_ok=True)


def test_move_repo_keeps_old_urls_working(hub, alice: HfApi, unique: str) -> None:
    from huggingface_hub import hf_hub_download

    old, new = f"alice/mv-{unique}", f"acme/mv2-{unique}"
    alice.create_repo(old)
    alice.upload_file(path_or_fileobj=b"moved", path_in_repo="f.txt", repo_id=old)
    alice.move_repo(old, new)
    assert alice.repo_info(new).id == new
    assert not alice.repo_exists(f"alice/none-{unique}")
    # the resolve HEAD of the old id redirects (relative) to the new one
    path = hf_hub_download(
        old, "f.txt", endpoint=hub.url, token=alice.token, cache_dir=str(hub.data_dir.parent / unique)
    )
    assert Path(path).read_bytes() == b"moved"


def test_case_insensitive_ids(alice: HfApi, unique: str) -> None:
    repo_id = f"alice/CaSe-{unique}"
    alice.create_repo(repo_id)
    assert alice.repo_info(repo_id.lower()).id == repo_id
    assert alice.repo_info(repo_id.upper().replace("ALICE", "Alice")).id == repo_id
    alice.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo_id.lower())
    assert "x.txt" in alice.list_repo_files(repo_id)
