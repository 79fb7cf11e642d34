"""hubkit's discussions and pull-request API against a real hub."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from hubkit import HfApi
from hubkit.community import DiscussionComment, DiscussionCommit, DiscussionStatusChange, DiscussionTitleChange
from hubkit.errors import HfHubHTTPError


@pytest.fixture
def alice(api: HfApi) -> HfApi:
    """The conftest's ``api`` (alice), named next to ``bob``."""
    return api


def _push(hub, token: str, repo: str, revision: str, path: str, content: bytes) -> None:
    lines = [
        {"key": "header", "value": {"summary": f"add {path}", "description": ""}},
        {"key": "file", "value": {"path": path, "content": base64.b64encode(content).decode(), "encoding": "base64"}},
    ]
    r = httpx.post(
        f"{hub.url}/api/models/{repo}/commit/{revision.replace('/', '%2F')}",
        content="".join(json.dumps(x) + "\n" for x in lines),
        headers={"authorization": f"Bearer {token}", "content-type": "application/x-ndjson"},
    )
    r.raise_for_status()


@pytest.fixture
def repo(hub, tokens, unique: str) -> str:
    repo_id = f"alice/disc-{unique}"
    httpx.post(f"{hub.url}/api/repos/create", json={"name": repo_id.split("/")[1]},
               headers={"authorization": f"Bearer {tokens['alice']}"}).raise_for_status()  # fmt: skip
    _push(hub, tokens["alice"], repo_id, "main", "base.txt", b"base\n")
    return repo_id


def test_discussion_lifecycle(alice: HfApi, bob: HfApi, repo: str) -> None:
    d = bob.create_discussion(repo, "A question", description="How?")
    assert d.num == 1 and not d.is_pull_request and d.git_reference is None and d.author == "bob"
    assert d.url.endswith(f"/{repo}/discussions/1")
    c = alice.comment_discussion(repo, d.num, "Like this")
    assert isinstance(c, DiscussionComment) and c.content == "Like this" and "<p>" in c.rendered
    edited = alice.edit_discussion_comment(repo, d.num, c.id, "Like that")
    assert edited.edited and edited.content == "Like that" and edited.number_of_edits == 2
    assert [h["raw"] for h in edited.edit_history] == ["Like that", "Like this"]
    with pytest.raises(HfHubHTTPError):
        bob.edit_discussion_comment(repo, d.num, c.id, "not mine")
    assert alice.hide_discussion_comment(repo, d.num, c.id).hidden
    renamed = bob.rename_discussion(repo, d.num, "Better question")
    assert isinstance(renamed, DiscussionTitleChange) and renamed.old_title == "A question"
    closed = bob.change_discussion_status(repo, d.num, "closed", comment="thanks")
    assert isinstance(closed, DiscussionStatusChange) and closed.new_status == "closed"
    details = alice.get_discussion_details(repo, d.num)
    assert details.title == "Better question" and details.status == "closed"
    assert [e.type for e in details.events] == ["comment", "comment", "title-change", "comment", "status-change"]
    assert details.target_branch is None and details.conflicting_files is None
    with pytest.raises(ValueError):
        alice.change_discussion_status(repo, d.num, "merged")  # type: ignore[arg-type]


def test_pull_request_flow(hub, tokens, alice: HfApi, bob: HfApi, repo: str) -> None:
    pr = bob.create_pull_request(repo, "Add a file")
    assert pr.is_pull_request and pr.status == "draft" and pr.git_reference == "refs/pr/1"
    _push(hub, tokens["bob"], repo, "refs/pr/1", "new.txt", b"new\n")
    details = alice.get_discussion_details(repo, pr.num)
    assert details.status == "open" and details.target_branch == "refs/heads/main"
    commits = [e for e in details.events if isinstance(e, DiscussionCommit)]
    assert [c.summary for c in commits] == ["add new.txt"] and len(commits[0].oid) == 40
    assert "+new" in details.diff and details.conflicting_files == []
    with pytest.raises(HfHubHTTPError):
        bob.merge_pull_request(repo, pr.num)
    alice.merge_pull_request(repo, pr.num, comment="merged, thanks")
    merged = alice.get_discussion_details(repo, pr.num)
    assert merged.status == "merged" and merged.merge_commit_oid
    listed = list(alice.get_repo_discussions(repo))
    assert [(x.num, x.is_pull_request) for x in listed] == [(1, True)]
    assert list(alice.get_repo_discussions(repo, discussion_type="discussion")) == []
    assert [x.num for x in alice.get_repo_discussions(repo, author="bob", discussion_status="closed")] == [1]


def test_listing_pages(alice: HfApi, repo: str) -> None:
    for i in range(55):  # more than one page of 50
        alice.create_discussion(repo, f"topic {i}")
    nums = [d.num for d in alice.get_repo_discussions(repo)]
    assert nums == list(range(55, 0, -1))
