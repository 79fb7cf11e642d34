"""Copies: turn each ``CommitOperationCopy`` into a commit line (§7.6).

An LFS source becomes an ``lfsFile`` line naming the source's sha256 (no bytes move); a
regular source is downloaded and sent again inline. Sources are looked up with ``paths-info``,
grouped by source repo and revision, 500 paths per request. A copy onto an identical file in
the same repo is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from .._http import get_session, raise_for_status
from ..errors import EntryNotFoundError
from .content import BytesContent
from .operations import CommitOperationCopy
from .payload import CommitItem, InlineFile, LfsFile
from .target import RepoTarget

__all__ = ["PlannedCopy", "plan_copies"]

PATHS_INFO_CHUNK = 500


@dataclass(frozen=True)
class PlannedCopy:
    op: CommitOperationCopy
    item: CommitItem
    unchanged: bool  # same repo, and the destination already holds the very same blob


def _infos(target: RepoTarget, paths: list[str], revision: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(paths))
    for i in range(0, len(unique), PATHS_INFO_CHUNK):
        for entry in target.paths_info(unique[i : i + PATHS_INFO_CHUNK], revision):
            out[entry["path"]] = entry
    return out


def _duplicate_lfs(target: RepoTarget, source: RepoTarget, entries: list[dict[str, Any]]) -> None:
    """Make LFS objects of another repo usable by the target repo (Xet-backed files only)."""
    files, seen = [], set()
    for entry in entries:
        sha = entry["lfs"]["oid"]
        if not entry.get("xetHash"):
            raise ValueError(
                f"Cannot copy LFS file '{entry['path']}' from {source.repo_type}s/{source.repo_id}: only Xet-backed"
                " files can be copied across repos (the file has no xet hash)."
            )
        if sha not in seen:
            seen.add(sha)
            files.append({"xetHash": entry["xetHash"], "sha256": sha, "filename": entry["path"]})
    url = source.api_url("lfs-files", "duplicate")
    for i in range(0, len(files), PATHS_INFO_CHUNK):
        body = {"target": {"type": target.repo_type, "name": target.repo_id}, "files": files[i : i + PATHS_INFO_CHUNK]}
        response = get_session().post(url, json=body, headers=target.headers)
        raise_for_status(response)
        failed = response.json().get("failed") or []
        if failed:
            lines = "\n".join(f"  - {f.get('sha256')}: {f.get('error')}" for f in failed)
            raise ValueError(f"Failed to duplicate files from {source.repo_type}s/{source.repo_id}:\n{lines}")


def plan_copies(target: RepoTarget, copies: Sequence[CommitOperationCopy]) -> list[PlannedCopy]:
    """A commit item for every copy, in the order given."""
    if not copies:
        return []
    dest = _infos(target, [op.path_in_repo for op in copies], target.revision)
    planned: dict[int, PlannedCopy] = {}

    def key(op: CommitOperationCopy) -> tuple[str, str, str]:
        return (op.src_repo_id or "", op.src_repo_type or "", op.src_revision or "")

    indexed = sorted(enumerate(copies), key=lambda pair: key(pair[1]))
    for (src_repo_id, src_repo_type, src_revision), group in groupby(indexed, key=lambda pair: key(pair[1])):
        members = list(group)
        cross = bool(src_repo_id)
        source = target
        if cross:
            source = RepoTarget(target.endpoint, src_repo_id, src_repo_type, headers=target.headers)
        revision = src_revision or ("main" if cross else target.revision)
        found = _infos(source, [op.src_path_in_repo for _, op in members], revision)
        to_duplicate = []
        for index, op in members:
            entry = found.get(op.src_path_in_repo)
            if entry is None:
                where = f" from {source.repo_type}s/{source.repo_id}" if cross else ""
                raise EntryNotFoundError(
                    f"Cannot copy {op.src_path_in_repo} at revision {revision}{where}: file is missing on repo."
                )
            if entry.get("type") != "file":
                raise NotImplementedError("Copying a folder is not implemented.")
            item: CommitItem
            if entry.get("lfs"):
                item = LfsFile(op.path_in_repo, entry["lfs"]["oid"], None)
                if cross:
                    to_duplicate.append(entry)
            else:
                item = InlineFile(op.path_in_repo, BytesContent(source.download(op.src_path_in_repo, revision)))
            dest_entry = dest.get(op.path_in_repo)
            unchanged = not cross and dest_entry is not None and dest_entry.get("oid") == entry.get("oid")
            planned[index] = PlannedCopy(op, item, unchanged)
        if to_duplicate:
            _duplicate_lfs(target, source, to_duplicate)
    return [planned[i] for i in range(len(copies))]
