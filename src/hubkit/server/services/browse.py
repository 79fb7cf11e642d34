"""Read-only views of a repo at a revision: info, tree, paths-info, history, one file."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from ..db.models import Repo, RepoCommit
from ..errors import EntryNotFound
from ..storage.gitobj import Commit
from ..storage.gitstore import GitStore, PathEntry
from . import refs, xet
from .accounts import iso
from .cards import card_data, card_tags
from .paths import clean_folder_path

LAST_COMMIT_SCAN = 2000  # history depth searched for an entry's last commit


def commit_date(commit: Commit) -> str:
    dt = datetime.fromtimestamp(commit.committer.timestamp, tz=timezone.utc).replace(tzinfo=None)
    return iso(dt)


def entry_json(
    git: GitStore, entry: PathEntry, last_commit: dict[str, str] | None = None, xet_hash: str | None = None
) -> dict[str, Any]:
    if entry.is_dir:
        out: dict[str, Any] = {"type": "directory", "oid": entry.oid, "size": 0, "path": entry.path}
    else:
        info = git.blob_info(entry.oid)
        out = {"type": "file", "oid": entry.oid, "size": info.content_size, "path": entry.path}
        if info.lfs:
            out["lfs"] = {"oid": info.lfs.sha256, "size": info.lfs.size, "pointerSize": info.lfs.pointer_size}
            if xet_hash:
                out["xetHash"] = xet_hash
    if last_commit is not None:
        out["lastCommit"] = last_commit
    return out


def entries_json(
    s: Session, git: GitStore, repo: Repo, commit: str, entries: list[PathEntry], *, expand: bool
) -> list[dict[str, Any]]:
    """Tree/paths-info items: ``lastCommit`` when expanded, ``xetHash`` for Xet-held content
    (only what this repo can read through Xet: clients with hf_xet go straight to the CAS)."""
    last = last_commits(git, commit, entries) if expand else {}
    shas = []
    for e in entries:
        if not e.is_dir:
            lfs = git.blob_info(e.oid).lfs
            if lfs:
                shas.append(lfs.sha256)
    xet_map = xet.xet_hashes(s, repo.id, shas)
    out = []
    for e in entries:
        lfs = None if e.is_dir else git.blob_info(e.oid).lfs
        out.append(entry_json(git, e, last.get(e.path) if expand else None, xet_map.get(lfs.sha256) if lfs else None))
    return out


def commit_in_repo(s: Session, repo: Repo, oid: str) -> bool:
    return s.get(RepoCommit, (repo.id, oid)) is not None


# --- repo info -----------------------------------------------------------------------------

_TYPE_EXTRAS: dict[str, dict[str, Any]] = {
    "model": {"downloads": 0, "library_name": None, "pipeline_tag": None},
    "dataset": {"downloads": 0},
    "space": {},
    "kernel": {"downloads": 0},
}


def repo_info(git: GitStore, repo: Repo, commit_oid: str, *, blobs: bool, expand: list[str] | None) -> dict[str, Any]:
    commit = git.commit(commit_oid)
    files = list(git.files(commit.tree))
    card = card_data(git, commit.tree)
    siblings = []
    for f in files:
        sib: dict[str, Any] = {"rfilename": f.path}
        if blobs:
            info = git.blob_info(f.oid)
            sib["size"] = info.content_size
            sib["blobId"] = f.oid
            if info.lfs:
                sib["lfs"] = {"sha256": info.lfs.sha256, "size": info.lfs.size, "pointerSize": info.lfs.pointer_size}
        siblings.append(sib)
    out: dict[str, Any] = {
        "_id": f"{repo.id:024x}",
        "id": repo.repo_id,
        "author": repo.namespace,
        "sha": commit_oid,
        "lastModified": commit_date(commit),
        "createdAt": iso(repo.created_at),
        "private": repo.private,
        "gated": repo.gated or False,
        "disabled": repo.disabled,
        "likes": repo.likes,
        "trendingScore": 0,
        "tags": card_tags(repo.type, card),
        "siblings": siblings,
    }
    if card is not None:
        out["cardData"] = card
    out.update(_TYPE_EXTRAS.get(repo.type, {}))
    if "downloads" in out:
        out["downloads"] = repo.downloads
    if repo.type == "model":
        out["modelId"] = repo.repo_id
        if card:
            out["library_name"] = card.get("library_name")
            out["pipeline_tag"] = card.get("pipeline_tag")
    if repo.type == "space":
        out["sdk"] = repo.sdk
        out["subdomain"] = f"{repo.namespace}-{repo.name}".lower().replace("_", "-").replace(".", "-")
    if expand:
        keep = set(expand) | {"id", "_id"}
        out = {k: v for k, v in out.items() if k in keep}
    return out


# --- tree and paths-info -------------------------------------------------------------------


def folder_entries(git: GitStore, commit_oid: str, folder: str, *, recursive: bool) -> list[PathEntry]:
    root = git.commit(commit_oid).tree
    folder = clean_folder_path(folder)
    entry = git.entry_at(root, folder)
    if entry is None or not entry.is_dir:
        raise EntryNotFound(f"{folder!r} does not exist at this revision", headers={"X-Repo-Commit": commit_oid})
    prefix = f"{folder}/" if folder else ""
    return list(git.walk(entry.oid, prefix, recursive))


def paths_info(git: GitStore, commit_oid: str, paths: list[str]) -> list[PathEntry]:
    root = git.commit(commit_oid).tree
    out = []
    seen = set()
    for p in paths:
        p = clean_folder_path(p)
        if p in seen:
            continue
        seen.add(p)
        entry = git.entry_at(root, p) if p else None
        if entry is not None:
            out.append(entry)
    return out


def last_commits(git: GitStore, head: str, entries: list[PathEntry]) -> dict[str, dict[str, str]]:
    """For each entry, the newest commit (first-parent history) that changed it."""
    pending = {e.path: e.oid for e in entries}
    found: dict[str, dict[str, str]] = {}
    oid: str | None = head
    steps = 0
    last_seen = head
    while pending and oid is not None and steps < LAST_COMMIT_SCAN:
        commit = git.commit(oid)
        parent = commit.parents[0] if commit.parents else None
        parent_tree = git.commit(parent).tree if parent else None
        for path in list(pending):
            before = git.entry_at(parent_tree, path) if parent_tree else None
            if before is None or before.oid != pending[path]:
                found[path] = _commit_ref(commit, oid)
                del pending[path]
        last_seen, oid, steps = oid, parent, steps + 1
    for path in pending:  # history too deep: report the oldest commit scanned
        found[path] = _commit_ref(git.commit(last_seen), last_seen)
    return found


def _commit_ref(commit: Commit, oid: str) -> dict[str, str]:
    return {"id": oid, "title": commit.title, "date": commit_date(commit)}


# --- history -------------------------------------------------------------------------------


def history(git: GitStore, start: str, limit: int) -> tuple[list[tuple[str, Commit]], str | None]:
    """Up to ``limit`` commits of first-parent history from ``start``, and the next oid."""
    out = []
    oid: str | None = start
    while oid is not None and len(out) < limit:
        commit = git.commit(oid)
        out.append((oid, commit))
        oid = commit.parents[0] if commit.parents else None
    return out, oid


def commit_json(oid: str, commit: Commit, *, formatted: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": oid,
        "title": commit.title,
        "message": commit.body,
        "date": commit_date(commit),
        "authors": [{"user": commit.author.name}],
    }
    if formatted:
        out["formatted"] = {
            "title": html.escape(commit.title),
            "message": html.escape(commit.body).replace("\n", "<br>"),
        }
    return out


# --- one file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileTarget:
    commit: str
    path: str
    blob_oid: str
    size: int
    lfs_oid: str | None

    @property
    def etag(self) -> str:
        return self.lfs_oid or self.blob_oid


def file_at(s: Session, git: GitStore, repo: Repo, revision: str, path: str) -> FileTarget:
    return file_in_commit(git, refs.resolve(s, repo, revision).commit, revision, path)


def file_in_commit(git: GitStore, commit_oid: str, revision: str, path: str) -> FileTarget:
    root = git.commit(commit_oid).tree
    entry = git.entry_at(root, path) if path else None
    if entry is None or entry.is_dir:
        raise EntryNotFound(
            f"Entry not found: {path} does not exist at revision {revision}",
            headers={"X-Repo-Commit": commit_oid},
        )
    info = git.blob_info(entry.oid)
    return FileTarget(commit_oid, path, entry.oid, info.content_size, info.lfs.sha256 if info.lfs else None)
