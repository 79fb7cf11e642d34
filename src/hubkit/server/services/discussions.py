"""Discussions and pull requests: numbering, events, permissions, merge."""

from __future__ import annotations

import html
import secrets
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db.models import Discussion, DiscussionEvent, Namespace, Ref, Repo, RepoCommit
from ..errors import BadRequest, Conflict, Forbidden, HubError, NotFound
from ..storage.gitobj import Commit, GitOid, commit_message
from ..storage.gitstore import GitStore
from . import events, merge, refs
from .accounts import Caller, iso, utcnow
from .repos import signature, url_prefix

PAGE_SIZE = 50
PR_REF = "refs/pr/"


class DiscussionNotFound(NotFound):
    pass


# --- lookups and JSON --------------------------------------------------------------------


def get(s: Session, repo: Repo, num: int) -> Discussion:
    d = s.scalar(select(Discussion).where(Discussion.repo_id == repo.id, Discussion.num == num))
    if d is None:
        raise DiscussionNotFound(f"Discussion #{num} not found")
    return d


def pr_for_ref(s: Session, repo: Repo, ref_name: str) -> Discussion | None:
    if not ref_name.startswith(PR_REF):
        return None
    num = int(ref_name[len(PR_REF) :])
    return s.scalar(select(Discussion).where(Discussion.repo_id == repo.id, Discussion.num == num))


def web_url(public_url: str, repo: Repo, num: int) -> str:
    return f"{public_url}/{url_prefix(repo.type)}{repo.repo_id}/discussions/{num}"


def _user_json(user: Namespace | None, public_url: str) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "_id": f"{user.id:024x}",
        "name": user.name,
        "fullname": user.fullname,
        "type": "user",
        "avatarUrl": f"{public_url}/avatars/{user.name}",
        "isPro": False,
        "isHf": False,
        "isMod": False,
    }


def _with_author(out: dict[str, Any], user: Namespace | None, public_url: str) -> dict[str, Any]:
    author = _user_json(user, public_url)
    if author is not None:
        out["author"] = author
    return out


def item_json(s: Session, repo: Repo, d: Discussion, public_url: str) -> dict[str, Any]:
    num_comments = s.scalar(
        select(func.count()).where(DiscussionEvent.discussion_id == d.id, DiscussionEvent.type == "comment")
    )
    out = {
        "num": d.num,
        "title": d.title,
        "status": d.status,
        "createdAt": iso(d.created_at),
        "isPullRequest": d.is_pr,
        "numComments": num_comments or 0,
        "pinned": False,
        "topReactions": [],
        "repo": {"name": repo.repo_id, "type": repo.type},
    }
    return _with_author(out, s.get(Namespace, d.author_id) if d.author_id else None, public_url)


def event_json(s: Session, ev: DiscussionEvent, public_url: str) -> dict[str, Any]:
    author = s.get(Namespace, ev.author_id) if ev.author_id else None
    data = dict(ev.data)
    if ev.type == "comment":
        latest = dict(data["latest"])
        _with_author(latest, author, public_url)
        data["latest"] = latest
    out = {"id": ev.id, "type": ev.type, "createdAt": iso(ev.created_at), "data": data}
    return _with_author(out, author, public_url)


def details_json(
    s: Session, git: GitStore, repo: Repo, d: Discussion, public_url: str, *, with_diff: bool
) -> dict[str, Any]:
    out = item_json(s, repo, d, public_url)
    events = s.scalars(
        select(DiscussionEvent)
        .where(DiscussionEvent.discussion_id == d.id)
        .order_by(DiscussionEvent.created_at, DiscussionEvent.id)
    ).all()
    out["events"] = [event_json(s, ev, public_url) for ev in events]
    if d.is_pr:
        changes: dict[str, Any] = {"base": d.target_ref}
        if d.merge_commit:
            changes["mergeCommitId"] = d.merge_commit
        out["changes"] = changes
        out["filesWithConflicts"] = conflicts(s, git, repo, d) if d.status in ("open", "draft") else []
        if with_diff and d.base_commit and d.head_commit:
            out["diff"] = merge.unified_diff(git, git.commit(d.base_commit).tree, git.commit(d.head_commit).tree)
    return out


def list_page(
    s: Session,
    repo: Repo,
    public_url: str,
    *,
    page: int,
    kind: str | None,
    status: str | None,
    author: str | None,
) -> dict[str, Any]:
    q = select(Discussion).where(Discussion.repo_id == repo.id)
    if kind == "discussion":
        q = q.where(Discussion.is_pr.is_(False))
    elif kind == "pull_request":
        q = q.where(Discussion.is_pr.is_(True))
    if status == "open":
        q = q.where(Discussion.status.in_(("open", "draft")))
    elif status == "closed":
        q = q.where(Discussion.status.in_(("closed", "merged")))
    if author:
        user = s.scalar(select(Namespace).where(Namespace.name_lower == author.lower()))
        q = q.where(Discussion.author_id == (user.id if user else -1))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(q.order_by(Discussion.num.desc()).offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return {
        "discussions": [item_json(s, repo, d, public_url) for d in rows],
        "count": total,
        "start": page * PAGE_SIZE,
        "numClosedDiscussions": 0,
    }


# --- writing -------------------------------------------------------------------------------


def _require_participant(caller: Caller) -> Namespace:
    if caller.user is None:
        raise Forbidden("You must be authenticated to take part in discussions")
    if not caller.can_write:
        raise Forbidden("This token has read access only: use a write token")
    return caller.user


def add_event(s: Session, d: Discussion, kind: str, author: Namespace | None, data: dict[str, Any]) -> DiscussionEvent:
    ev = DiscussionEvent(
        id=secrets.token_hex(12),
        discussion_id=d.id,
        type=kind,
        author_id=author.id if author else None,
        created_at=utcnow(),
        data=data,
    )
    s.add(ev)
    s.flush()
    return ev


def _comment_data(text: str) -> dict[str, Any]:
    now = iso(utcnow())
    rendered = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
    latest = {"raw": text, "html": rendered, "updatedAt": now}
    return {
        "edited": False,
        "hidden": False,
        "latest": latest,
        "history": [latest],  # every version, newest first
        "numEdits": 0,
        "editors": [],
        "reactions": [],
        "identifiedLanguage": None,
        "isReport": False,
    }


def create(
    s: Session,
    repo: Repo,
    caller: Caller,
    *,
    title: str,
    description: str,
    is_pr: bool,
    status: str | None = None,
    target_ref: str | None = None,
    base_commit: str | None = None,
    head_commit: str | None = None,
) -> Discussion:
    """Open a discussion (or a PR; its refs/pr/N ref is created by the caller)."""
    author = _require_participant(caller)
    title = title.strip()
    if not title or len(title) > 500:
        raise BadRequest("A title of 1 to 500 characters is required")
    for _ in range(5):
        next_num = (s.scalar(select(func.max(Discussion.num)).where(Discussion.repo_id == repo.id)) or 0) + 1
        d = Discussion(
            repo_id=repo.id,
            num=next_num,
            title=title,
            status=status or "open",
            is_pr=is_pr,
            author_id=author.id,
            created_at=utcnow(),
            target_ref=target_ref,
            base_commit=base_commit,
            head_commit=head_commit,
        )
        try:
            with s.begin_nested():
                s.add(d)
        except IntegrityError:
            continue  # another request took this number: take the next one
        if description.strip():
            add_event(s, d, "comment", author, _comment_data(description))
        return d
    raise Conflict("Could not allocate a discussion number, please retry")


def open_draft_pr(s: Session, repo: Repo, caller: Caller, *, title: str, description: str) -> Discussion:
    """A PR opened from the discussions endpoint: refs/pr/N starts at the default branch head."""
    head = refs.resolve(s, repo, "main").commit
    d = create(
        s, repo, caller, title=title, description=description, is_pr=True, status="draft",
        target_ref="refs/heads/main", base_commit=head, head_commit=head,
    )  # fmt: skip
    s.add(Ref(repo_id=repo.id, name=f"{PR_REF}{d.num}", target=head))
    return d


def comment(s: Session, d: Discussion, caller: Caller, text: str) -> DiscussionEvent:
    author = _require_participant(caller)
    if not text.strip():
        raise BadRequest("A comment cannot be empty")
    return add_event(s, d, "comment", author, _comment_data(text))


def _comment_event(s: Session, d: Discussion, comment_id: str) -> DiscussionEvent:
    ev = s.get(DiscussionEvent, comment_id.lower())
    if ev is None or ev.discussion_id != d.id or ev.type != "comment":
        raise NotFound(f"Comment {comment_id} not found")
    return ev


def edit_comment(s: Session, d: Discussion, caller: Caller, comment_id: str, text: str) -> DiscussionEvent:
    user = _require_participant(caller)
    ev = _comment_event(s, d, comment_id)
    if ev.author_id != user.id:
        raise Forbidden("Only the author of a comment can edit it")
    if not text.strip():
        raise BadRequest("A comment cannot be empty")
    data = dict(ev.data)
    new = _comment_data(text)
    data["latest"] = new["latest"]
    data["history"] = [new["latest"], *data.get("history", [])]
    data["edited"] = True
    data["numEdits"] = int(data.get("numEdits", 0)) + 1
    ev.data = data
    return ev


def hide_comment(s: Session, repo: Repo, d: Discussion, caller: Caller, comment_id: str) -> DiscussionEvent:
    user = _require_participant(caller)
    ev = _comment_event(s, d, comment_id)
    if ev.author_id != user.id and not caller.may_write(repo):
        raise Forbidden("Only the comment's author or a repo writer can hide it")
    data = dict(ev.data)
    data["hidden"] = True
    ev.data = data
    return ev


def _may_moderate(caller: Caller, repo: Repo, d: Discussion) -> bool:
    return caller.may_write(repo) or (caller.user is not None and caller.user.id == d.author_id)


def rename(s: Session, repo: Repo, d: Discussion, caller: Caller, title: str) -> DiscussionEvent:
    user = _require_participant(caller)
    if not _may_moderate(caller, repo, d):
        raise Forbidden("Only the author or a repo writer can rename this discussion")
    title = title.strip()
    if not title or len(title) > 500:
        raise BadRequest("A title of 1 to 500 characters is required")
    old, d.title = d.title, title
    return add_event(s, d, "title-change", user, {"from": old, "to": title})


def change_status(
    s: Session, repo: Repo, d: Discussion, caller: Caller, status: str, comment_text: str | None
) -> DiscussionEvent:
    user = _require_participant(caller)
    if status not in ("open", "closed"):
        raise BadRequest("status must be 'open' or 'closed'")
    if not _may_moderate(caller, repo, d):
        raise Forbidden("Only the author or a repo writer can change the status")
    if d.status == "merged":
        raise BadRequest("A merged pull request cannot change status")
    if comment_text and comment_text.strip():
        add_event(s, d, "comment", user, _comment_data(comment_text))
    d.status = status
    if d.is_pr:
        pr_ref = f"{PR_REF}{d.num}"
        if status == "closed":
            s.execute(delete(Ref).where(Ref.repo_id == repo.id, Ref.name == pr_ref))
        elif d.head_commit and s.get(Ref, (repo.id, pr_ref)) is None:
            s.add(Ref(repo_id=repo.id, name=pr_ref, target=d.head_commit))
    return add_event(s, d, "status-change", user, {"status": status})


def record_commit(s: Session, d: Discussion, author: Namespace, oid: str, title: str) -> None:
    d.head_commit = oid
    if d.status == "draft":
        d.status = "open"
    add_event(s, d, "commit", author, {"subject": title, "oid": oid})


def conflicts(s: Session, git: GitStore, repo: Repo, d: Discussion) -> list[str]:
    if not (d.target_ref and d.base_commit and d.head_commit):
        return []
    target = s.scalar(select(Ref.target).where(Ref.repo_id == repo.id, Ref.name == d.target_ref))
    if target is None or target == d.base_commit:
        return []
    base, ours, theirs = (flatten_commit(git, c) for c in (d.base_commit, target, d.head_commit))
    return merge.three_way(base, ours, theirs).conflicts


def flatten_commit(git: GitStore, oid: str) -> merge.FileMap:
    return merge.flatten(git, git.commit(oid).tree)


class MergeConflict(HubError):
    status = 409


def merge_pr(
    hub_git: GitStore, db_session: Any, repo_id: int, num: int, caller: Caller, comment_text: str | None
) -> str:
    """Merge PR ``num`` into its target branch; returns the new head of the target."""
    for _ in range(8):
        with db_session() as s:
            repo = s.get(Repo, repo_id)
            d = get(s, repo, num)
            user = _require_participant(caller)
            if not caller.may_write(repo):
                raise Forbidden("Only repo writers can merge pull requests")
            if not d.is_pr:
                raise BadRequest("Only pull requests can be merged")
            if d.status not in ("open", "draft"):
                raise BadRequest(f"This pull request is {d.status}")
            assert d.target_ref and d.base_commit and d.head_commit
            target = s.scalar(select(Ref.target).where(Ref.repo_id == repo.id, Ref.name == d.target_ref))
            if target is None:
                raise Conflict(f"The target branch {d.target_ref} no longer exists")
            base, head, title = d.base_commit, d.head_commit, d.title
        new = _merged_commit(hub_git, user, base, target, head, num, title)
        with db_session() as s:
            if not refs.compare_and_swap(s, repo_id, d.target_ref, target, new):
                continue  # the branch moved meanwhile: merge again onto its new head
            repo = s.get(Repo, repo_id)
            d = get(s, repo, num)
            if s.get(RepoCommit, (repo_id, new)) is None:
                s.add(RepoCommit(repo_id=repo_id, oid=new))
            events.ref_updated(s, hub_git, events.RefUpdate(repo_id, d.target_ref, target, new, user.id))
            if comment_text and comment_text.strip():
                add_event(s, d, "comment", user, _comment_data(comment_text))
            d.status = "merged"
            d.merge_commit = new
            add_event(s, d, "status-change", user, {"status": "merged"})
            s.execute(delete(Ref).where(Ref.repo_id == repo_id, Ref.name == f"{PR_REF}{num}"))
            events.ref_updated(s, hub_git, events.RefUpdate(repo_id, f"{PR_REF}{num}", head, None, user.id))
            return new
    raise Conflict("The target branch keeps moving, please retry the merge")


def _merged_commit(git: GitStore, user: Namespace, base: str, target: str, head: str, num: int, title: str) -> str:
    if _on_pr_chain(git, target, head, base):
        return head  # the target did not move since the PR started: fast-forward
    result = merge.three_way(flatten_commit(git, base), flatten_commit(git, target), flatten_commit(git, head))
    if result.conflicts:
        raise MergeConflict(
            "This pull request has conflicts with its target branch: " + ", ".join(result.conflicts[:20]),
            filesWithConflicts=result.conflicts,
        )
    tree = merge.build_tree(git, result.files)
    sig = signature(user)
    message = commit_message(f"Merge pull request #{num}: {title}", "")
    return git.put_commit(Commit(GitOid(tree), (GitOid(target), GitOid(head)), sig, sig, message))


def _on_pr_chain(git: GitStore, target: str, head: str, base: str) -> bool:
    """Whether ``target`` is one of the PR's commits, from its head down to where it started."""
    oid: str | None = head
    while oid is not None:
        if oid == target:
            return True
        if oid == base:
            return False
        parents = git.commit(oid).parents
        oid = parents[0] if parents else None
    return False
