"""Gated repos: file content needs an accepted access request (metadata stays public)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import AccessRequest, Namespace, Repo
from ..errors import BadRequest, Forbidden, GatedRepo, NotFound
from .accounts import Caller, get_namespace, iso, utcnow

STATUSES = ("pending", "accepted", "rejected")


def _request_of(s: Session, repo: Repo, user_id: int) -> AccessRequest | None:
    query = select(AccessRequest).where(AccessRequest.repo_id == repo.id, AccessRequest.user_id == user_id)
    return s.scalar(query)


def has_access(s: Session, caller: Caller, repo: Repo) -> bool:
    if not repo.gated:
        return True
    if caller.user is None:
        return False
    if caller.user.is_admin or caller.role_in(repo.owner_id) is not None:
        return True
    req = s.scalar(
        select(AccessRequest).where(AccessRequest.repo_id == repo.id, AccessRequest.user_id == caller.user.id)
    )
    return req is not None and req.status == "accepted"


def require_access(s: Session, caller: Caller, repo: Repo) -> None:
    """Before serving file content of a gated repo (401 anonymous, 403 without access)."""
    if has_access(s, caller, repo):
        return
    kind = repo.type
    message = (
        f"Access to {kind} {repo.repo_id} is restricted. You must have access to it and be authenticated "
        "to access it. Please log in."
        if caller.user is None
        else f"Access to {kind} {repo.repo_id} is restricted and you are not in the authorized list. "
        f"Visit the repo page to ask for access."
    )
    err = GatedRepo(message)
    err.status = 401 if caller.user is None else 403
    raise err


def ask_access(s: Session, caller: Caller, repo: Repo, fields: dict[str, Any] | None) -> AccessRequest:
    if caller.user is None:
        raise Forbidden("You must be authenticated to ask for access")
    if not repo.gated:
        raise BadRequest(f"{repo.repo_id} is not gated")
    req = s.scalar(
        select(AccessRequest).where(AccessRequest.repo_id == repo.id, AccessRequest.user_id == caller.user.id)
    )
    status = "accepted" if repo.gated == "auto" else "pending"
    if req is None:
        req = AccessRequest(
            id=secrets.token_hex(12), repo_id=repo.id, user_id=caller.user.id, status=status,
            created_at=utcnow(), fields=fields,
        )  # fmt: skip
        s.add(req)
    elif req.status != "accepted":
        req.status, req.fields = status, fields
    return req


def _require_manager(caller: Caller, repo: Repo) -> None:
    if not caller.may_write(repo):
        raise Forbidden(f"Only writers of {repo.repo_id} manage its access requests")


def list_requests(s: Session, caller: Caller, repo: Repo, status: str) -> list[dict[str, Any]]:
    _require_manager(caller, repo)
    if status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    rows = s.execute(
        select(AccessRequest, Namespace)
        .join(Namespace, Namespace.id == AccessRequest.user_id)
        .where(AccessRequest.repo_id == repo.id, AccessRequest.status == status)
        .order_by(AccessRequest.created_at)
    ).all()
    out = []
    for req, user in rows:
        item: dict[str, Any] = {
            "requestId": req.id,
            "user": {"user": user.name, "fullname": user.fullname, "email": user.email},
            "status": req.status,
            "timestamp": iso(req.created_at),
        }
        if req.fields:
            item["fields"] = req.fields
        out.append(item)
    return out


def handle(s: Session, caller: Caller, repo: Repo, body: dict[str, Any]) -> None:
    _require_manager(caller, repo)
    status = body.get("status")
    if status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    req = None
    if isinstance(body.get("requestId"), str):
        req = s.get(AccessRequest, body["requestId"])
    elif isinstance(body.get("user"), str):
        user = get_namespace(s, body["user"])
        if user is not None:
            req = s.scalar(
                select(AccessRequest).where(AccessRequest.repo_id == repo.id, AccessRequest.user_id == user.id)
            )
    else:
        raise BadRequest("Give 'user' or 'requestId'")
    if req is None or req.repo_id != repo.id:
        raise NotFound("No such access request")
    req.status = status
    reason = body.get("rejectionReason")
    req.rejection_reason = reason if status == "rejected" and isinstance(reason, str) else None


def grant(s: Session, caller: Caller, repo: Repo, username: str) -> None:
    _require_manager(caller, repo)
    user = get_namespace(s, username)
    if user is None or user.kind != "user":
        raise NotFound(f"No user named {username!r}")
    req = _request_of(s, repo, user.id)
    if req is None:
        s.add(AccessRequest(id=secrets.token_hex(12), repo_id=repo.id, user_id=user.id, status="accepted",
                            created_at=utcnow()))  # fmt: skip
    else:
        req.status = "accepted"
