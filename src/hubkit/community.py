"""Discussions and pull requests as the Hub describes them (see ``HfApi.get_discussion_details``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from . import constants
from ._dates import parse_datetime

DiscussionStatus = Literal["open", "closed", "merged", "draft"]


@dataclass
class Discussion:
    """A discussion or pull request of a repo (as listed by ``get_repo_discussions``)."""

    title: str
    status: DiscussionStatus
    num: int
    repo_id: str
    repo_type: str
    author: str
    is_pull_request: bool
    created_at: datetime
    endpoint: str

    @property
    def git_reference(self) -> str | None:
        """``refs/pr/N`` for a pull request (where its commits go), None for a discussion."""
        return f"refs/pr/{self.num}" if self.is_pull_request else None

    @property
    def url(self) -> str:
        prefix = "" if self.repo_type in (None, constants.REPO_TYPE_MODEL) else f"{self.repo_type}s/"
        return f"{self.endpoint}/{prefix}{self.repo_id}/discussions/{self.num}"


@dataclass
class DiscussionEvent:
    """One event of a discussion: the base of comments, status and title changes, commits."""

    id: str
    type: str
    created_at: datetime
    author: str
    _event: dict[str, Any] = field(repr=False)


@dataclass
class DiscussionComment(DiscussionEvent):
    content: str
    edited: bool
    hidden: bool

    @property
    def rendered(self) -> str:
        """The comment as HTML."""
        return str(self._event["data"]["latest"]["html"])

    @property
    def last_edited_at(self) -> datetime:
        return parse_datetime(self._event["data"]["latest"]["updatedAt"])

    @property
    def last_edited_by(self) -> str:
        return str(self._event["data"]["latest"].get("author", {}).get("name", "deleted"))

    @property
    def edit_history(self) -> list[dict[str, Any]]:
        return list(self._event["data"].get("history", []))

    @property
    def number_of_edits(self) -> int:
        return len(self.edit_history)


@dataclass
class DiscussionStatusChange(DiscussionEvent):
    new_status: str


@dataclass
class DiscussionCommit(DiscussionEvent):
    summary: str
    oid: str


@dataclass
class DiscussionTitleChange(DiscussionEvent):
    old_title: str
    new_title: str


@dataclass
class DiscussionWithDetails(Discussion):
    """A discussion with its events and, for pull requests, target branch, conflicts and diff."""

    events: list[DiscussionEvent]
    conflicting_files: list[str] | bool | None
    target_branch: str | None
    merge_commit_oid: str | None
    diff: str | None


def deserialize_event(event: dict[str, Any]) -> DiscussionEvent:
    """The right ``DiscussionEvent`` subclass for an event object of the Hub."""
    common: dict[str, Any] = {
        "id": event["id"],
        "type": event["type"],
        "created_at": parse_datetime(event["createdAt"]),
        "author": (event.get("author") or {}).get("name", "deleted"),
        "_event": event,
    }
    data = event.get("data") or {}
    kind = event["type"]
    if kind == "comment":
        return DiscussionComment(**common, edited=data["edited"], hidden=data["hidden"], content=data["latest"]["raw"])
    if kind == "status-change":
        return DiscussionStatusChange(**common, new_status=data["status"])
    if kind == "commit":
        return DiscussionCommit(**common, summary=data["subject"], oid=data["oid"])
    if kind == "title-change":
        return DiscussionTitleChange(**common, old_title=data["from"], new_title=data["to"])
    return DiscussionEvent(**common)


def discussion_from_json(item: dict[str, Any], endpoint: str) -> Discussion:
    return Discussion(**_common(item, endpoint))


def details_from_json(item: dict[str, Any], endpoint: str) -> DiscussionWithDetails:
    is_pr = bool(item["isPullRequest"])
    changes = item.get("changes") or {}
    return DiscussionWithDetails(
        **_common(item, endpoint),
        events=[deserialize_event(e) for e in item.get("events", [])],
        conflicting_files=item.get("filesWithConflicts") if is_pr else None,
        target_branch=changes.get("base") if is_pr else None,
        merge_commit_oid=changes.get("mergeCommitId") if is_pr else None,
        diff=item.get("diff"),
    )


def _common(item: dict[str, Any], endpoint: str) -> dict[str, Any]:
    return {
        "title": item["title"],
        "status": item["status"],
        "num": item["num"],
        "repo_id": item["repo"]["name"],
        "repo_type": item["repo"]["type"],
        "author": (item.get("author") or {}).get("name", "deleted"),
        "is_pull_request": bool(item["isPullRequest"]),
        "created_at": parse_datetime(item["createdAt"]),
        "endpoint": endpoint,
    }
