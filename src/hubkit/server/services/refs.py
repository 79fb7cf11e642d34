"""Revisions and refs: resolving a revision to a commit, branches, tags, compare-and-swap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db.models import Ref, Repo, RepoCommit
from ..errors import BadRequest, Conflict, Forbidden, RevisionNotFound
from ..storage.gitobj import is_git_oid

HEADS = "refs/heads/"
TAGS = "refs/tags/"
MAIN = "refs/heads/main"  # the default branch of every repo
_SPECIAL_RE = re.compile(r"^refs/(heads|tags)/.+$|^refs/pr/\d+$|^refs/convert/[\w.-]+$")
_SHORT_SHA_RE = re.compile(r"^[0-9a-fA-F]{5,39}$")
# git check-ref-format, as far as a name given through the API can break it
_BAD_REF_RE = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^/|/$|^\.|/\.|\.lock$|\.$|^@$")


@dataclass(frozen=True)
class Resolved:
    commit: str
    ref: str | None  # full ref name when the revision named a ref


def check_ref_name(name: str, what: str) -> str:
    if not name or len(name) > 200 or _BAD_REF_RE.search(name):
        raise BadRequest(f"Invalid {what} name {name!r}")
    return name


def resolve(s: Session, repo: Repo, revision: str) -> Resolved:
    """Branch, tag, special ref (refs/pr/N, refs/convert/x), full or short commit sha."""
    if _SPECIAL_RE.match(revision):
        target = _ref_target(s, repo, revision)
        if target:
            return Resolved(target, revision)
    else:
        for full in (HEADS + revision, TAGS + revision):
            target = _ref_target(s, repo, full)
            if target:
                return Resolved(target, full)
    lowered = revision.lower()
    if is_git_oid(lowered):
        if s.get(RepoCommit, (repo.id, lowered)) is not None:
            return Resolved(lowered, None)
    elif _SHORT_SHA_RE.match(revision):
        matches = s.scalars(
            select(RepoCommit.oid).where(RepoCommit.repo_id == repo.id, RepoCommit.oid.startswith(lowered)).limit(2)
        ).all()
        if len(matches) == 1:
            return Resolved(matches[0], None)
    raise RevisionNotFound(f"Invalid rev id: {revision}")


def _ref_target(s: Session, repo: Repo, full_name: str) -> str | None:
    return s.scalar(select(Ref.target).where(Ref.repo_id == repo.id, Ref.name == full_name))


def branch_ref(s: Session, repo: Repo, revision: str) -> Ref:
    """The ref a commit to ``revision`` moves: a branch or a pull-request ref."""
    full = revision if revision.startswith(("refs/heads/", "refs/pr/")) else HEADS + revision
    ref = s.get(Ref, (repo.id, full))
    if ref is None:
        raise RevisionNotFound(f"Invalid rev id: {revision} (commits go to a branch or refs/pr/N)")
    return ref


def compare_and_swap(s: Session, repo_id: int, ref_name: str, old: str, new: str) -> bool:
    """Move a ref from ``old`` to ``new``; False if someone moved it first."""
    result = s.execute(
        update(Ref).where(Ref.repo_id == repo_id, Ref.name == ref_name, Ref.target == old).values(target=new)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def list_refs(s: Session, repo: Repo, *, include_prs: bool) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {"branches": [], "converts": [], "tags": []}
    if include_prs:
        out["pullRequests"] = []
    rows = s.scalars(select(Ref).where(Ref.repo_id == repo.id).order_by(Ref.name)).all()
    for ref in rows:
        if ref.name.startswith(HEADS):
            out["branches"].append(_ref_json(ref, ref.name[len(HEADS) :]))
        elif ref.name.startswith(TAGS):
            out["tags"].append(_ref_json(ref, ref.name[len(TAGS) :]))
        elif ref.name.startswith("refs/convert/"):
            out["converts"].append(_ref_json(ref, ref.name[len("refs/convert/") :]))
        elif ref.name.startswith("refs/pr/") and include_prs:
            out["pullRequests"].append(_ref_json(ref, ref.name))
    return out


def _ref_json(ref: Ref, name: str) -> dict[str, str]:
    return {"name": name, "ref": ref.name, "targetCommit": ref.target}


def create_branch(s: Session, repo: Repo, branch: str, starting_point: str | None) -> str:
    if branch.startswith("refs/"):
        raise BadRequest("Invalid reference for a branch: names under 'refs/' are reserved")
    check_ref_name(branch, "branch")
    full = HEADS + branch
    if s.get(Ref, (repo.id, full)) is not None:
        raise Conflict(f"Reference {full} already exists")
    target = resolve(s, repo, starting_point or "main").commit
    s.add(Ref(repo_id=repo.id, name=full, target=target))
    return target


def delete_branch(s: Session, repo: Repo, branch: str) -> str:
    """Delete a branch; returns the commit it pointed at."""
    full = branch if branch.startswith(HEADS) else HEADS + branch
    if full == HEADS + "main":
        raise Forbidden(f"Cannot delete {full}")
    ref = s.get(Ref, (repo.id, full))
    if ref is None:
        raise RevisionNotFound(f"Invalid rev id: {branch}")
    s.delete(ref)
    return ref.target


def create_tag(s: Session, repo: Repo, revision: str, tag: str, message: str | None) -> str:
    target = resolve(s, repo, revision).commit  # a missing revision is reported before the name
    check_ref_name(tag, "tag")
    if tag.startswith("refs/"):
        raise BadRequest("Invalid tag name: names under 'refs/' are reserved")
    full = TAGS + tag
    if s.get(Ref, (repo.id, full)) is not None:
        raise Conflict(f"Tag {tag} already exists")
    s.add(Ref(repo_id=repo.id, name=full, target=target, message=message))
    return target


def delete_tag(s: Session, repo: Repo, tag: str) -> str:
    """Delete a tag; returns the commit it pointed at."""
    full = tag if tag.startswith(TAGS) else TAGS + tag
    ref = s.get(Ref, (repo.id, full))
    if ref is None:
        raise RevisionNotFound(f"Invalid rev id: {tag} is not a tag")
    s.delete(ref)
    return ref.target
