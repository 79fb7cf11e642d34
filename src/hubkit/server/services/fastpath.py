"""The download hot path: repo, ref and caller in a couple of plain SQL reads.

``hf_hub_download`` sends a HEAD per file, so resolve is the hub's busiest route. The ORM
path (``find_repo`` + ``refs.resolve`` + ``resolve_caller``) costs several hundred
microseconds of Python per request; these queries return the same rows as tuples. Access
rules are not re-implemented: the rows become the same ``Caller``/``Repo`` objects the normal
path checks. Anything unusual (a missing or moved repo, a gated repo, a revision that is not a
plain branch or tag name) returns None, and the caller takes the normal path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from ..db.models import Namespace, Repo, Token
from .accounts import Caller, hash_token
from .refs import HEADS, TAGS

_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
_REPO_AND_REF = text(
    "SELECT r.id, r.namespace, r.name, r.private, r.owner_id, r.gated, r.disabled, f.name, f.target "
    "FROM repos r LEFT JOIN refs f ON f.repo_id = r.id AND f.name IN (:branch, :tag) "
    "WHERE r.type = :type AND r.id_lower = :id_lower"
)
_REPO_AND_COMMIT = text(
    "SELECT r.id, r.namespace, r.name, r.private, r.owner_id, r.gated, r.disabled, c.oid, c.oid "
    "FROM repos r LEFT JOIN repo_commits c ON c.repo_id = r.id AND c.oid = :oid "
    "WHERE r.type = :type AND r.id_lower = :id_lower"
)
_CALLER = text(
    "SELECT t.id, t.role, t.name, u.id, u.name, u.is_admin, m.org_id, m.role "
    "FROM tokens t JOIN namespaces u ON u.id = t.user_id "
    "LEFT JOIN memberships m ON m.user_id = u.id WHERE t.token_hash = :hash"
)


@dataclass(frozen=True)
class Fast:
    repo: Repo
    commit: str
    caller: Caller


def _caller(conn: Connection, token: str | None) -> Caller | None:
    if not token:
        return Caller()
    rows = conn.execute(_CALLER, {"hash": hash_token(token)}).all()
    if not rows:
        return None  # invalid token: the normal path produces the error
    token_id, role, token_name, user_id, user_name, is_admin = rows[0][:6]
    user = Namespace(id=user_id, name=user_name, name_lower=user_name.lower(), kind="user", is_admin=bool(is_admin))
    orgs = {org_id: org_role for *_, org_id, org_role in rows if org_id is not None}
    return Caller(user=user, token=Token(id=token_id, role=role, name=token_name, user_id=user_id), orgs=orgs)


def lookup(
    conn: Connection, token: str | None, repo_type: str, namespace: str, name: str, revision: str
) -> Fast | None:
    if "/" in revision:  # refs/pr/N, refs/convert/x, branch names with "/": the normal path
        return None
    id_lower = f"{namespace}/{name}".lower()
    if _SHA_RE.match(revision):  # pinned downloads (snapshot_download asks by commit sha)
        rows = conn.execute(_REPO_AND_COMMIT, {"oid": revision, "type": repo_type, "id_lower": id_lower}).all()
        commit = rows[0][8] if rows else None
    else:
        params = {"branch": HEADS + revision, "tag": TAGS + revision, "type": repo_type, "id_lower": id_lower}
        rows = conn.execute(_REPO_AND_REF, params).all()
        targets = {ref_name: target for *_, ref_name, target in rows if ref_name}
        commit = targets.get(HEADS + revision) or targets.get(TAGS + revision)
    if not rows:
        return None
    repo_id, ns, repo_name, private, owner_id, gated, disabled = rows[0][:7]
    if commit is None or gated or disabled:
        return None
    repo = Repo(id=repo_id, type=repo_type, namespace=ns, name=repo_name, private=bool(private), owner_id=owner_id,
                gated=gated or "")  # fmt: skip
    caller = _caller(conn, token)
    if caller is None or not caller.may_read(repo):
        return None
    return Fast(repo, commit, caller)
