"""Refs, commits, accounts, likes and access requests, with ``huggingface_hub``'s names and fields.

Same leniency as ``types``: unknown keys become attributes, missing ones ``None`` (or the empty
value ``huggingface_hub`` uses), unconvertible values are kept as sent.
"""

# json_field() returns a dataclasses.field, which RUF009 does not recognise as one.
# ruff: noqa: RUF009

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .._dates import parse_datetime_or_none
from .types import FromJson, _list_of, _with_extras, json_field
from .urls import RepoUrl

__all__ = [
    "AccessRequest",
    "DuplicatedRepoUrl",
    "GitCommitInfo",
    "GitRefInfo",
    "GitRefs",
    "Organization",
    "SpaceSecret",
    "SpaceVariable",
    "User",
    "UserLikes",
    "parse_access_request",
    "parse_git_commit",
    "parse_git_refs",
]


@dataclass
class GitRefInfo:
    """One git reference: short ``name`` (``main``), full ``ref`` (``refs/heads/main``), target commit."""

    name: str
    ref: str
    target_commit: str


@dataclass
class GitRefs:
    """The refs of a repo (``list_repo_refs``); ``pull_requests`` only when asked for."""

    branches: list[GitRefInfo]
    converts: list[GitRefInfo]
    tags: list[GitRefInfo]
    pull_requests: list[GitRefInfo] | None = None


def _git_ref(data: dict[str, Any]) -> GitRefInfo:
    ref = GitRefInfo(name=data.get("name"), ref=data.get("ref"), target_commit=data.get("targetCommit"))  # type: ignore[arg-type]
    return _with_extras(ref, data, ("name", "ref", "targetCommit"))  # type: ignore[no-any-return]


_refs = _list_of(_git_ref)


def parse_git_refs(data: dict[str, Any], *, include_pull_requests: bool) -> GitRefs:
    """``GET .../refs`` as ``GitRefs``; a missing list is read as empty."""
    refs = GitRefs(
        branches=_refs(data.get("branches") or []),
        converts=_refs(data.get("converts") or []),
        tags=_refs(data.get("tags") or []),
        pull_requests=_refs(data.get("pullRequests") or []) if include_pull_requests else None,
    )
    return _with_extras(refs, data, ("branches", "converts", "tags", "pullRequests"))  # type: ignore[no-any-return]


@dataclass
class GitCommitInfo:
    """One commit of a repo's history (``list_repo_commits``), newest first.

    ``formatted_title`` and ``formatted_message`` (HTML) are set with ``formatted=True``.
    """

    commit_id: str
    authors: list[str]
    created_at: datetime
    title: str
    message: str
    formatted_title: str | None
    formatted_message: str | None


def parse_git_commit(data: dict[str, Any]) -> GitCommitInfo:
    """One item of ``GET .../commits/{rev}``."""
    authors = data.get("authors")
    formatted = data.get("formatted") if isinstance(data.get("formatted"), dict) else {}
    commit = GitCommitInfo(
        commit_id=data.get("id"),  # type: ignore[arg-type]
        authors=[a["user"] for a in authors if isinstance(a, dict) and "user" in a]
        if isinstance(authors, list)
        else [],
        created_at=parse_datetime_or_none(data.get("date")) or data.get("date"),  # type: ignore[arg-type]
        title=data.get("title"),  # type: ignore[arg-type]
        message=data.get("message"),  # type: ignore[arg-type]
        formatted_title=formatted.get("title"),  # type: ignore[union-attr]
        formatted_message=formatted.get("message"),  # type: ignore[union-attr]
    )
    used = ("id", "authors", "date", "title", "message", "formatted")
    return _with_extras(commit, data, used)  # type: ignore[no-any-return]


@dataclass(init=False)
class Organization(FromJson):
    """An organization (``get_organization_overview``, ``User.orgs``)."""

    avatar_url: str = json_field("avatarUrl", default="")
    name: str = json_field(default="")
    fullname: str = json_field(default="")
    details: str | None = json_field()
    is_verified: bool | None = json_field("isVerified")
    is_following: bool | None = json_field("isFollowing")
    num_users: int | None = json_field("numUsers")
    num_models: int | None = json_field("numModels")
    num_spaces: int | None = json_field("numSpaces")
    num_datasets: int | None = json_field("numDatasets")
    num_followers: int | None = json_field("numFollowers")
    num_papers: int | None = json_field("numPapers")
    plan: str | None = json_field()


def _orgs(value: Any) -> list[Organization]:
    if not isinstance(value, list):
        raise TypeError("orgs is not a list")
    return [Organization(**{str(k): v for k, v in org.items()}) for org in value if isinstance(org, dict)]


@dataclass(init=False)
class User(FromJson):
    """A user (``get_user_overview``, ``list_repo_likers``, ``list_organization_members``).

    ``user_type`` holds the JSON ``type`` (``user``); members carry their ``role`` as an attribute.
    """

    username: str = json_field("user", default="")
    fullname: str = json_field(default="")
    avatar_url: str = json_field("avatarUrl", default="")
    details: str | None = json_field()
    is_following: bool | None = json_field("isFollowing")
    is_pro: bool | None = json_field("isPro")
    num_models: int | None = json_field("numModels")
    num_datasets: int | None = json_field("numDatasets")
    num_spaces: int | None = json_field("numSpaces")
    num_discussions: int | None = json_field("numDiscussions")
    num_papers: int | None = json_field("numPapers")
    num_upvotes: int | None = json_field("numUpvotes")
    num_likes: int | None = json_field("numLikes")
    num_following: int | None = json_field("numFollowing")
    num_followers: int | None = json_field("numFollowers")
    orgs: list[Organization] = json_field(parse=_orgs)

    def _after_parse(self, extra: dict[str, Any]) -> None:
        self.user_type = extra.pop("type", None)
        if self.orgs is None:
            self.orgs = []


@dataclass
class UserLikes:
    """The repos a user likes, by type (``list_liked_repos``)."""

    user: str
    total: int
    datasets: list[str]
    kernels: list[str]
    models: list[str]
    spaces: list[str]


@dataclass
class AccessRequest:
    """A request to access a gated repo.

    ``username``, ``fullname`` and ``email`` may be ``None`` when the repo does not share them;
    ``request_id`` always identifies the request.
    """

    username: str | None
    request_id: str
    fullname: str | None
    email: str | None
    timestamp: datetime
    status: Literal["pending", "accepted", "rejected"]
    fields: dict[str, Any] | None = None


def parse_access_request(data: dict[str, Any]) -> AccessRequest:
    """One item of ``GET .../user-access-request/{status}``."""
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    request = AccessRequest(
        username=user.get("user"),  # type: ignore[union-attr]
        request_id=data.get("requestId"),  # type: ignore[arg-type]
        fullname=user.get("fullname"),  # type: ignore[union-attr]
        email=user.get("email"),  # type: ignore[union-attr]
        timestamp=parse_datetime_or_none(data.get("timestamp")) or data.get("timestamp"),  # type: ignore[arg-type]
        status=data.get("status"),  # type: ignore[arg-type]
        fields=data.get("fields"),
    )
    return _with_extras(request, data, ("user", "requestId", "timestamp", "status", "fields"))  # type: ignore[no-any-return]


@dataclass(init=False)
class SpaceVariable:
    """A Space variable: ``key``, ``value``, optional ``description`` and ``updated_at``."""

    key: str
    value: str | None
    description: str | None
    updated_at: datetime | None

    def __init__(self, key: str, values: dict[str, Any]) -> None:
        self.key = key
        self.value = values.get("value")
        self.description = values.get("description")
        self.updated_at = parse_datetime_or_none(values.get("updatedAt"))


@dataclass(init=False)
class SpaceSecret:
    """A Space secret as the Hub lists it: ``key``, ``description``, ``updated_at`` (never the value)."""

    key: str
    description: str | None
    updated_at: datetime | None

    def __init__(self, key: str, values: dict[str, Any]) -> None:
        self.key = key
        self.description = values.get("description")
        self.updated_at = parse_datetime_or_none(values.get("updatedAt"))


class DuplicatedRepoUrl(RepoUrl):
    """The ``RepoUrl`` of a duplicated repo; ``files_copy_pending`` while large files are still copied."""

    files_copy_pending: bool = False
