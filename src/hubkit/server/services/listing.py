"""Listing and search of repos, likes, download counters, and the per-repo card index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..db.models import Like, Namespace, Ref, Repo
from ..errors import BadRequest, Forbidden
from ..storage.gitstore import GitStore
from . import browse
from .accounts import Caller, iso, utcnow
from .cards import card_data, card_tags

SORTS = {
    "downloads": Repo.downloads,
    "likes": Repo.likes,
    "trendingScore": Repo.likes,
    "lastModified": Repo.last_modified,
    "createdAt": Repo.created_at,
    "id": Repo.id_lower,
}
# files whose download counts as a download of the repo (one per use, not per file)
COUNTED_FILES = {"model": {"config.json", "model_index.json", "params.json"}, "dataset": {"README.md"}}


def index_head(s: Session, git: GitStore, repo_id: int, commit_oid: str) -> None:
    """Refresh what listings read of the main branch: date, card data, tags."""
    repo = s.get(Repo, repo_id)
    if repo is None:
        return
    commit = git.commit(commit_oid)
    card = card_data(git, commit.tree)
    tags = card_tags(repo.type, card)
    repo.last_modified = datetime.fromtimestamp(commit.committer.timestamp, tz=timezone.utc).replace(tzinfo=None)
    repo.card_data = card
    repo.tags_text = " " + " ".join(t.lower() for t in tags) + " "


def is_counted(repo_type: str, path: str) -> bool:
    """Whether fetching this file counts as a download of the repo."""
    return path in COUNTED_FILES.get(repo_type, set())


def count_download(s: Session, repo: Repo, path: str) -> None:
    if is_counted(repo.type, path):
        s.execute(update(Repo).where(Repo.id == repo.id).values(downloads=Repo.downloads + 1))


@dataclass(frozen=True)
class Query:
    repo_type: str
    search: list[str]
    author: str | None
    filters: list[str]
    sort: str | None
    descending: bool
    limit: int
    offset: int
    gated: bool | None


def readable(q: Select[Any], caller: Caller) -> Select[Any]:
    if caller.user is not None and caller.user.is_admin:
        return q
    allowed = [Repo.private.is_(False)]
    if caller.user is not None:
        allowed.append(Repo.owner_id.in_([caller.user.id, *caller.orgs]))
    return q.where(or_(*allowed))


def search(s: Session, caller: Caller, query: Query) -> list[Repo]:
    q = readable(select(Repo).where(Repo.type == query.repo_type), caller)
    if query.author:
        q = q.where(func.lower(Repo.namespace) == query.author.lower())
    for term in query.search:
        q = q.where(Repo.id_lower.contains(term.lower(), autoescape=True))
    for tag in query.filters:
        q = q.where(Repo.tags_text.contains(f" {tag.lower()} ", autoescape=True))
    if query.gated is not None:
        q = q.where(Repo.gated != "") if query.gated else q.where(Repo.gated == "")
    if query.sort:
        if query.sort not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
        column = SORTS[query.sort]
        q = q.order_by(column.desc() if query.descending else column.asc(), Repo.id)
    else:
        q = q.order_by(Repo.id)
    return list(s.scalars(q.offset(query.offset).limit(query.limit)).all())


def item(s: Session, git: GitStore, repo: Repo, *, full: bool, card: bool, expand: list[str] | None) -> dict[str, Any]:
    """A listing item; with ``full`` (or ``expand``) as complete as repo info."""
    out: dict[str, Any] = {
        "_id": f"{repo.id:024x}",
        "id": repo.repo_id,
        "author": repo.namespace,
        "private": repo.private,
        "gated": repo.gated or False,
        "likes": repo.likes,
        "downloads": repo.downloads,
        "trendingScore": 0,
        "tags": card_tags(repo.type, repo.card_data),
        "createdAt": iso(repo.created_at),
        "lastModified": iso(repo.last_modified or repo.created_at),
    }
    if repo.type == "model":
        out["modelId"] = repo.repo_id
        if repo.card_data:
            out["library_name"] = repo.card_data.get("library_name")
            out["pipeline_tag"] = repo.card_data.get("pipeline_tag")
    if repo.type == "space":
        out["sdk"] = repo.sdk
    if card and repo.card_data is not None:
        out["cardData"] = repo.card_data
    if full or expand:
        head = s.scalar(select(Ref.target).where(Ref.repo_id == repo.id, Ref.name == "refs/heads/main"))
        if head:
            info = browse.repo_info(git, repo, head, blobs=False, expand=None)
            out.update({k: v for k, v in info.items() if k in ("sha", "siblings", "cardData")})
            out["downloads"], out["likes"] = repo.downloads, repo.likes
    if expand:
        keep = set(expand) | {"id", "_id"}
        out = {k: v for k, v in out.items() if k in keep}
    return out


def like(s: Session, caller: Caller, repo: Repo, liked: bool) -> None:
    if caller.user is None or not caller.can_write:
        raise Forbidden("You must be authenticated with a write token to like a repo")
    existing = s.get(Like, (caller.user.id, repo.id))
    if liked and existing is None:
        s.add(Like(user_id=caller.user.id, repo_id=repo.id, created_at=utcnow()))
        s.execute(update(Repo).where(Repo.id == repo.id).values(likes=Repo.likes + 1))
    elif not liked and existing is not None:
        s.execute(delete(Like).where(Like.user_id == caller.user.id, Like.repo_id == repo.id))
        s.execute(update(Repo).where(Repo.id == repo.id).values(likes=Repo.likes - 1))


def likers(s: Session, repo: Repo, public_url: str) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(Namespace)
        .join(Like, Like.user_id == Namespace.id)
        .where(Like.repo_id == repo.id)
        .order_by(Like.created_at)
    ).all()
    return [{"user": u.name, "fullname": u.fullname, "avatarUrl": f"{public_url}/avatars/{u.name}"} for u in rows]


def user_likes(s: Session, caller: Caller, user: Namespace) -> list[dict[str, Any]]:
    q = readable(
        select(Repo, Like.created_at).join(Like, Like.repo_id == Repo.id).where(Like.user_id == user.id), caller
    )
    return [
        {"createdAt": iso(created), "repo": {"name": repo.repo_id, "type": repo.type}}
        for repo, created in s.execute(q.order_by(Like.created_at.desc())).all()
    ]
