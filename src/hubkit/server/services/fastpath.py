"""The download hot path: repo, ref and caller in a couple of plain SQL reads.

``hf_hub_download`` sends a HEAD per file, so resolve is the hub's busiest route. The ORM
path (``find_repo`` + ``refs.resolve`` + ``resolve_caller``) costs several hundred
microseconds of Python per request; these queries return the same rows as tuples, through a
raw SQLite connection when the database is SQLite (SQLAlchemy's statement execution alone
costs more than the query). Access rules are not re-implemented: the rows become the same
``Caller``/``Repo`` objects the normal path checks. Anything unusual (a missing or moved repo,
a gated repo, a revision that is not a plain branch, tag or full commit id) returns None, and
the caller takes the normal path.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from ..db.models import Namespace, Repo, Token
from ..storage.gitstore import LRU
from .accounts import Caller, hash_token
from .refs import HEADS, TAGS
from .xet import BY_SHA256, XetEntry, _terms

Rows = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]

_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
_REPO_AND_REF = (
    "SELECT r.id, r.namespace, r.name, r.private, r.owner_id, r.gated, r.disabled, f.name, f.target "
    "FROM repos r LEFT JOIN refs f ON f.repo_id = r.id AND f.name IN (:branch, :tag) "
    "WHERE r.type = :type AND r.id_lower = :id_lower"
)
_REPO_AND_COMMIT = (
    "SELECT r.id, r.namespace, r.name, r.private, r.owner_id, r.gated, r.disabled, c.oid, c.oid "
    "FROM repos r LEFT JOIN repo_commits c ON c.repo_id = r.id AND c.oid = :oid "
    "WHERE r.type = :type AND r.id_lower = :id_lower"
)
_CALLER = (
    "SELECT t.id, t.role, t.name, u.id, u.name, u.is_admin, m.org_id, m.role "
    "FROM tokens t JOIN namespaces u ON u.id = t.user_id "
    "LEFT JOIN memberships m ON m.user_id = u.id WHERE t.token_hash = :hash"
)
_xet_hits: LRU[tuple[int, str], XetEntry] = LRU(20000)  # registrations never change
# Misses are remembered briefly: a file registered with Xet later (same content uploaded again
# through Xet) is still served from its LFS object meanwhile, which is just as correct.
_xet_misses: LRU[tuple[int, str], float] = LRU(20000)
XET_MISS_TTL = 5.0


@dataclass(frozen=True)
class Fast:
    repo_pk: int
    repo_id: str  # "ns/name" as stored (the canonical case)
    commit: str


class Reader:
    """Plain reads of the hub's database: a raw per-thread connection on SQLite (reads in WAL
    mode never wait for writers), SQLAlchemy connections otherwise."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite_path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        self._local = threading.local()

    @contextmanager
    def rows(self) -> Iterator[Rows]:
        if self._sqlite_path:
            conn = getattr(self._local, "conn", None)
            if conn is None:
                # autocommit: every SELECT sees the latest committed state
                conn = self._local.conn = sqlite3.connect(
                    self._sqlite_path, isolation_level=None, check_same_thread=False
                )
            yield lambda sql, params: conn.execute(sql, params).fetchall()
            return
        with self.engine.connect() as sa_conn:
            yield lambda sql, params: [tuple(r) for r in sa_conn.execute(text(sql), params).all()]


def _caller(rows: Rows, token: str | None) -> Caller | None:
    if not token:
        return Caller()
    found = rows(_CALLER, {"hash": hash_token(token)})
    if not found:
        return None  # invalid token: the normal path produces the error
    token_id, role, token_name, user_id, user_name, is_admin = found[0][:6]
    user = Namespace(id=user_id, name=user_name, name_lower=user_name.lower(), kind="user", is_admin=bool(is_admin))
    orgs = {org_id: org_role for *_, org_id, org_role in found if org_id is not None}
    return Caller(user=user, token=Token(id=token_id, role=role, name=token_name, user_id=user_id), orgs=orgs)


def lookup(rows: Rows, token: str | None, repo_type: str, namespace: str, name: str, revision: str) -> Fast | None:
    if "/" in revision:  # refs/pr/N, refs/convert/x, branch names with "/": the normal path
        return None
    id_lower = f"{namespace}/{name}".lower()
    if _SHA_RE.match(revision):  # pinned downloads (snapshot_download asks by commit sha)
        found = rows(_REPO_AND_COMMIT, {"oid": revision, "type": repo_type, "id_lower": id_lower})
        commit = found[0][8] if found else None
    else:
        params = {"branch": HEADS + revision, "tag": TAGS + revision, "type": repo_type, "id_lower": id_lower}
        found = rows(_REPO_AND_REF, params)
        targets = {ref_name: target for *_, ref_name, target in found if ref_name}
        commit = targets.get(HEADS + revision) or targets.get(TAGS + revision)
    if not found:
        return None
    pk, ns, repo_name, private, owner_id, gated, disabled = found[0][:7]
    if commit is None or gated or disabled:
        return None
    if private or token:  # an invalid token is refused even on a public repo: check it
        repo = Repo(id=pk, type=repo_type, namespace=ns, name=repo_name, private=bool(private), owner_id=owner_id,
                    gated=gated or "")  # fmt: skip
        caller = _caller(rows, token)
        if caller is None or not caller.may_read(repo):
            return None
    return Fast(pk, f"{ns}/{repo_name}", commit)


def xet_file(rows: Rows, repo_id: int, sha256: str) -> XetEntry | None:
    """The repo's Xet file for this content (hits are cached: registrations never change)."""
    key = (repo_id, sha256)
    hit = _xet_hits.get(key)
    if hit is not None:
        return hit
    missed_at = _xet_misses.get(key)
    if missed_at is not None and time.monotonic() - missed_at < XET_MISS_TTL:
        return None
    found = rows(BY_SHA256, {"repo_id": repo_id, "sha256": sha256})
    if not found:
        _xet_misses.put(key, time.monotonic())
        return None
    entry = XetEntry(found[0][0], found[0][1], _terms(found[0][2]))
    _xet_hits.put((repo_id, sha256), entry)
    return entry
