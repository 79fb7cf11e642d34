"""Preupload: tell the client, per file, whether it goes to LFS, is ignored, or is unchanged."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import pathspec

from ..errors import BadRequest
from ..storage.gitstore import LRU, GitStore
from .paths import check_repo_path

MAX_FILES = 1000
_lfs_rules: LRU[str, list[tuple[pathspec.PathSpec, bool]]] = LRU(2000)
_ignore_specs: LRU[str, pathspec.PathSpec] = LRU(2000)


def _parse_gitattributes(text: str) -> list[tuple[pathspec.PathSpec, bool]]:
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, *attrs = line.split()
        if "filter=lfs" in attrs:
            lfs = True
        elif any(a in ("-filter", "!filter") or a.startswith("filter=") for a in attrs):
            lfs = False
        else:
            continue
        try:
            rules.append((pathspec.GitIgnoreSpec.from_lines([pattern]), lfs))
        except (ValueError, TypeError):
            continue
    return rules


def _text_at(git: GitStore, root: str, path: str) -> tuple[str, str] | None:
    entry = git.entry_at(root, path)
    if entry is None or entry.is_dir:
        return None
    info = git.blob_info(entry.oid)
    if info.lfs or info.size > 1_000_000:
        return None
    return entry.oid, git.blob_bytes(entry.oid).decode("utf-8", "replace")


def lfs_rules(git: GitStore, root: str) -> list[tuple[pathspec.PathSpec, bool]]:
    found = _text_at(git, root, ".gitattributes")
    if found is None:
        return []
    oid, text = found
    return _lfs_rules.get_or(oid, lambda: _parse_gitattributes(text))


def is_lfs_path(rules: list[tuple[pathspec.PathSpec, bool]], path: str) -> bool:
    result = False
    for spec, lfs in rules:  # the last matching line wins, as in git
        if spec.match_file(path):
            result = lfs
    return result


def ignore_spec(git: GitStore, root: str, override: str | None) -> pathspec.PathSpec | None:
    if override is not None:
        key = "text:" + hashlib.sha1(override.encode()).hexdigest()
        return _ignore_specs.get_or(key, lambda: pathspec.GitIgnoreSpec.from_lines(override.splitlines()))
    found = _text_at(git, root, ".gitignore")
    if found is None:
        return None
    oid, text = found
    return _ignore_specs.get_or(oid, lambda: pathspec.GitIgnoreSpec.from_lines(text.splitlines()))


def preupload(git: GitStore, commit_oid: str, body: Any, regular_max: int) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("files"), list):
        raise BadRequest("The preupload request needs a list of files")
    files = body["files"]
    if len(files) > MAX_FILES:
        raise BadRequest(f"At most {MAX_FILES} files per preupload request")
    gitignore = body.get("gitIgnore")
    if gitignore is not None and not isinstance(gitignore, str):
        raise BadRequest("gitIgnore must be a string")
    root = git.commit(commit_oid).tree
    rules = lfs_rules(git, root)
    ignore = ignore_spec(git, root, gitignore)
    out = []
    for f in files:
        if not isinstance(f, dict) or not isinstance(f.get("path"), str):
            raise BadRequest("Each file needs a path")
        path = check_repo_path(f["path"])
        size = f.get("size", 0)
        if not isinstance(size, int) or size < 0:
            raise BadRequest(f"Invalid size for {path!r}")
        try:
            sample = base64.b64decode(f.get("sample") or "", validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(f"Invalid base64 sample for {path!r}") from None
        lfs = size > regular_max or b"\0" in sample or is_lfs_path(rules, path)
        entry: dict[str, Any] = {
            "path": path,
            "uploadMode": "lfs" if lfs else "regular",
            "shouldIgnore": bool(ignore and ignore.match_file(path)),
        }
        oid = _current_oid(git, root, path, lfs)
        if oid:
            entry["oid"] = oid
        out.append(entry)
    return {"files": out, "commitOid": commit_oid}


def _current_oid(git: GitStore, root: str, path: str, lfs: bool) -> str | None:
    """The id of the file now at ``path`` in the hash family of the chosen upload mode."""
    entry = git.entry_at(root, path)
    if entry is None or entry.is_dir:
        return None
    info = git.blob_info(entry.oid)
    if lfs:
        if info.lfs:
            return info.lfs.sha256
        if info.size <= 10_000_000:
            return hashlib.sha256(git.blob_bytes(entry.oid)).hexdigest()
        return None
    return None if info.lfs else entry.oid
