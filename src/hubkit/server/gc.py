"""Garbage collection: delete objects that no commit of any repo references any more.

Mark: every commit a repo knows (``repo_commits``: branches, tags, PR refs and old commits
stay resolvable by sha), the trees and blobs under them, the LFS objects their pointer files
name, and the Xet files and xorbs holding that content. Sweep: objects outside the mark and
older than the grace period (which covers commits in flight: their objects are written
before the ref moves). Safe to run while the hub serves.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from .db.models import LfsObject, RepoCommit, RepoLfsObject, XetFile, XetRepoFile, XetXorb
from .hub import Hub
from .services import xet
from .storage.gitobj import DIR_MODE


@dataclass
class Report:
    objects: int = 0
    bytes: int = 0
    kept: int = 0


def _mark(hub: Hub) -> tuple[set[str], set[str]]:
    """Reachable git object keys and referenced LFS sha256s."""
    git = hub.git
    with hub.db.session() as s:
        commits = set(s.scalars(select(RepoCommit.oid)).all())
    live: set[str] = set()
    lfs: set[str] = set()
    trees = []
    for oid in commits:
        if hub.store.exists(f"commit/{oid}"):
            live.add(f"commit/{oid}")
            trees.append(git.commit(oid).tree)
    while trees:
        tree = trees.pop()
        if f"tree/{tree}" in live:
            continue
        live.add(f"tree/{tree}")
        for entry in git.tree(tree).values():
            if entry.mode == DIR_MODE:
                trees.append(entry.oid)
            elif f"blob/{entry.oid}" not in live:
                live.add(f"blob/{entry.oid}")
                info = git.blob_info(entry.oid)
                if info.lfs:
                    lfs.add(info.lfs.sha256)
    return live, lfs


def _stamp(value: float | datetime) -> float:
    """Unix time of a file mtime, an S3 LastModified (aware) or a naive-UTC database date."""
    if isinstance(value, datetime):
        return value.timestamp() if value.tzinfo else calendar.timegm(value.timetuple())
    return value


def collect(hub: Hub, *, grace_seconds: float, dry_run: bool = False) -> Report:
    live, lfs_live = _mark(hub)
    report = Report()
    cutoff = time.time() - grace_seconds
    with hub.db.session() as s:
        files = s.execute(select(XetFile.file_hash, XetFile.sha256, XetFile.terms, XetFile.created_at)).all()
    live_files = [f for f in files if f.sha256 in lfs_live or _stamp(f.created_at) > cutoff]
    xorbs_live = {f"xorb/{xet.hashing.to_str(t.xorb)}" for f in live_files for t in xet._terms(f.terms)}
    dead_files = [f.file_hash for f in files if f not in live_files]
    for kind in ("commit", "tree", "blob", "lfs", "xorb"):
        for key, size, mtime in list(hub.store.list_keys(kind)):
            oid = key.split("/", 1)[1]
            keep = (
                key in live
                or (kind == "lfs" and oid in lfs_live)
                or (kind == "xorb" and key in xorbs_live)
                or _stamp(mtime) > cutoff
            )
            if keep:
                report.kept += 1
                continue
            report.objects += 1
            report.bytes += size
            if not dry_run:
                _forget(hub, kind, oid)
                hub.store.delete(key)
    if not dry_run and dead_files:
        with hub.db.session() as s:
            s.execute(delete(XetRepoFile).where(XetRepoFile.file_hash.in_(dead_files)))
            s.execute(delete(XetFile).where(XetFile.file_hash.in_(dead_files)))
    return report


def _forget(hub: Hub, kind: str, oid: str) -> None:
    """Drop the rows describing an object before the object itself goes."""
    if kind not in ("lfs", "xorb"):
        return
    with hub.db.session() as s:
        if kind == "lfs":
            s.execute(delete(RepoLfsObject).where(RepoLfsObject.oid == oid))
            s.execute(delete(LfsObject).where(LfsObject.oid == oid))
        else:
            s.execute(delete(XetXorb).where(XetXorb.hash == oid))
