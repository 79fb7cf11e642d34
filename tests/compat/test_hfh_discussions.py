"""Discussions and pull requests, driven by the real huggingface_hub."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError, RevisionNotFoundError


@pytest.fixture
def repo(alice: HfApi, unique: str) -> str:
    repo_id = f"alice/pr-{unique}"
    alice.create_repo(repo_id)
    alice.upload_file(path_or_fileobj=b"base\n", path_in_repo="base.txt", repo_id=repo_id)
    return repo_id


def test_pull_request_by_outsider_then_merged_by_owner(
    hub, alice: HfApi, bob: HfApi, repo: str, tmp_path: Path
) -> None:
    big = os.urandom(11 * 1000 * 1000)
    info = bob.create_commit(
        repo,
        operations=[CommitOperationAdd("pr.txt", b"from bob\n"), CommitOperationAdd("w.bin", big)],
        commit_message="Bob's proposal",
        commit_description="Please merge",
        create_pr=True,
    )
    assert info.pr_num == 1 and info.pr_revision == "refs/pr/1" and info.pr_url.endswith("/discussions/1")
    assert "pr.txt" not in alice.list_repo_files(repo)  # main is untouched
    bob.upload_file(path_or_fileobj=b"two\n", path_in_repo="two.txt", repo_id=repo, revision="refs/pr/1")
    bob.upload_file(path_or_fileobj=b"three\n", path_in_repo="three.txt", repo_id=repo, revision="refs/pr/1")
    files = set(alice.list_repo_files(repo, revision="refs/pr/1"))
    assert {"pr.txt", "w.bin", "two.txt", "three.txt", "base.txt"} <= files
    p = hf_hub_download(repo, "w.bin", revision="refs/pr/1", endpoint=hub.url, token=alice.token, cache_dir=tmp_path)
    assert Path(p).read_bytes() == big
    refs = alice.list_repo_refs(repo, include_pull_requests=True)
    assert [r.ref for r in refs.pull_requests] == ["refs/pr/1"]

    details = alice.get_discussion_details(repo, 1)
    assert details.is_pull_request and details.status == "open" and details.author == "bob"
    assert details.target_branch == "refs/heads/main" and details.conflicting_files == []
    assert [e.type for e in details.events].count("commit") == 3
    assert details.events[0].content == "Please merge"
    assert "+from bob" in details.diff

    with pytest.raises(HfHubHTTPError) as err:
        bob.merge_pull_request(repo, 1)
    assert err.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError):
        HfApi(endpoint=hub.url, token=False).change_discussion_status(repo, 1, "closed")

    alice.merge_pull_request(repo, 1, comment="Thanks!")
    assert {"pr.txt", "w.bin", "two.txt", "three.txt"} <= set(alice.list_repo_files(repo))
    merged = alice.get_discussion_details(repo, 1)
    assert merged.status == "merged" and merged.merge_commit_oid == alice.repo_info(repo).sha
    with pytest.raises(RevisionNotFoundError):
        alice.list_repo_files(repo, revision="refs/pr/1")


def test_conflicting_pull_request_cannot_be_merged(alice: HfApi, bob: HfApi, repo: str) -> None:
    pr = bob.create_commit(
        repo, operations=[CommitOperationAdd("base.txt", b"bob's version\n")], commit_message="edit", create_pr=True
    )
    alice.upload_file(path_or_fileobj=b"alice's version\n", path_in_repo="base.txt", repo_id=repo)
    assert alice.get_discussion_details(repo, pr.pr_num).conflicting_files == ["base.txt"]
    with pytest.raises(HfHubHTTPError) as err:
        alice.merge_pull_request(repo, pr.pr_num)
    assert err.value.response.status_code == 409
    # a PR touching other files merges with a merge commit although main moved
    ok = bob.create_commit(
        repo, operations=[CommitOperationAdd("other.txt", b"x")], commit_message="other", create_pr=True
    )
    alice.upload_file(path_or_fileobj=b"more\n", path_in_repo="more.txt", repo_id=repo)
    alice.merge_pull_request(repo, ok.pr_num)
    files = set(alice.list_repo_files(repo))
    assert {"other.txt", "more.txt", "base.txt"} <= files
    head = alice.list_repo_commits(repo)[0]
    assert head.title.startswith(f"Merge pull request #{ok.pr_num}")


def test_discussions_lifecycle(hub, alice: HfApi, bob: HfApi, repo: str) -> None:
    d = bob.create_discussion(repo, title="A question", description="How does it work?")
    assert d.num == 1 and not d.is_pull_request and d.status == "open"
    c = alice.comment_discussion(repo, d.num, "Like this.")
    assert c.content == "Like this." and c.author == "alice"
    edited = alice.edit_discussion_comment(repo, d.num, c.id, "Like that.")
    assert edited.content == "Like that." and edited.edited
    with pytest.raises(HfHubHTTPError):
        bob.edit_discussion_comment(repo, d.num, c.id, "hijack")
    hidden = alice.hide_discussion_comment(repo, d.num, c.id)
    assert hidden.hidden
    renamed = bob.rename_discussion(repo, d.num, "A better question")
    assert renamed.old_title == "A question" and renamed.new_title == "A better question"
    closed = bob.change_discussion_status(repo, d.num, "closed", comment="solved")
    assert closed.new_status == "closed"
    pr = alice.create_pull_request(repo, title="Draft PR")
    assert pr.is_pull_request and pr.num == 2 and pr.status == "draft"
    alice.upload_file(path_or_fileobj=b"d", path_in_repo="d.txt", repo_id=repo, revision="refs/pr/2")
    assert alice.get_discussion_details(repo, 2).status == "open"

    everything = list(alice.get_repo_discussions(repo))
    assert [x.num for x in everything] == [2, 1]
    assert [x.num for x in alice.get_repo_discussions(repo, discussion_type="pull_request")] == [2]
    assert [x.num for x in alice.get_repo_discussions(repo, discussion_status="closed")] == [1]
    assert [x.num for x in alice.get_repo_discussions(repo, author="bob")] == [1]
    kinds = [e.type for e in alice.get_discussion_details(repo, 1).events]
    assert kinds == ["comment", "comment", "title-change", "comment", "status-change"]


def test_upload_folder_with_create_pr(alice: HfApi, bob: HfApi, repo: str, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    info = bob.upload_folder(folder_path=folder, repo_id=repo, create_pr=True)
    assert info.pr_num is not None
    assert "a.txt" in alice.list_repo_files(repo, revision=info.pr_revision)
    assert "a.txt" not in alice.list_repo_files(repo)
