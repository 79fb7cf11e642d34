"""``hubkit cache``: ls (filters, sorts), rm (repos or revisions), prune, verify.

The cache is ``huggingface_hub``'s (``HF_HUB_CACHE``), so this also manages what ``hf`` and
``transformers`` downloaded. ``ls`` on an empty or missing cache answers without loading the
library: there is nothing to scan, and that keeps the most common first call instant.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._cache_query import CacheQueryError, Target, parse_filter, parse_sort, parse_target
from ._common import add_output, add_repo_type, add_token, api, confirm, emit, leaf, note, out, repo_id_and_type
from ._output import Column, format_age, format_size, render_json
from .main import EXIT_CHECK, EXIT_NOT_FOUND, EXIT_USAGE, CliError

_IGNORED = {".locks", "CACHEDIR.TAG", ".DS_Store", "Thumbs.db", "desktop.ini"}


def register(name: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")

    p = leaf(sub, "list", _ls, "list cached repos (or revisions), with filters and sorts", aliases=["ls"])
    _cache_dir(p)
    p.add_argument("--revisions", action="store_true", help="one row per cached revision instead of per repo")
    p.add_argument("-f", "--filter", action="append", default=[], metavar="EXPR",
                   help="keep entries matching EXPR (repeatable): type==model, size>1GB, accessed>30d, "
                        "modified<2h, refs==main, name==org/*")  # fmt: skip
    p.add_argument(
        "--sort", metavar="KEY[:asc|:desc]", help="name, size, accessed or modified (name ascends, others descend)"
    )
    p.add_argument("--limit", type=int, help="at most this many entries (after sorting)")
    add_output(p)

    p = leaf(sub, "rm", _rm, "delete cached repos or revisions (asks first)", aliases=["delete"])
    p.add_argument("targets", metavar="TARGET", nargs="+",
                   help="TYPE/ORG/NAME, ORG/NAME, ORG/NAME@REVISION, or a commit hash (7+ hex digits)")  # fmt: skip
    _cache_dir(p)
    add_repo_type(p)
    p.add_argument("--dry-run", action="store_true", help="show what would be deleted, delete nothing")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    p = leaf(sub, "prune", _prune, "delete detached revisions (no branch or tag) and unfinished downloads")
    _cache_dir(p)
    p.add_argument("--dry-run", action="store_true", help="show what would be deleted, delete nothing")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    p = leaf(sub, "verify", _verify, "check cached (or --local-dir) files against the Hub's hashes")
    p.add_argument("repo_id", metavar="REPO_ID")
    add_repo_type(p)
    p.add_argument("--revision", help="branch, tag or commit (default: main)")
    _cache_dir(p)
    p.add_argument("--local-dir", help="verify this folder (from download --local-dir) instead of the cache")
    p.add_argument("--fail-on-missing-files", action="store_true", help="fail if a file of the revision is absent")
    p.add_argument("--fail-on-extra-files", action="store_true", help="fail if a local file is not in the revision")
    add_token(p)
    add_output(p)


def _cache_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache-dir", help="the cache folder (default: HF_HUB_CACHE)")


def _root(args: argparse.Namespace) -> Path:
    from .. import constants  # light: no network code behind it

    return Path(args.cache_dir or constants.HF_HUB_CACHE).expanduser()


def _is_empty(root: Path) -> bool:
    """True when the folder is missing or holds nothing a scan could report."""
    try:
        with os.scandir(root) as entries:
            return all(e.name in _IGNORED for e in entries)
    except FileNotFoundError:
        return True
    except NotADirectoryError:
        return False  # let the scan report it


def _scan(root: Path) -> Any:
    from ..cache.scan import scan_cache_dir

    return scan_cache_dir(root)


# --- ls ------------------------------------------------------------------------------------------


def cache_records(info: Any, *, revisions: bool) -> list[dict[str, Any]]:
    """The scan as flat records, one per repo or per revision (times as epoch seconds)."""
    records = []
    for repo in info.repos:
        base = {"repo_id": repo.repo_id, "repo_type": repo.repo_type, "last_accessed": repo.last_accessed}
        if not revisions:
            hashes = sorted(r.commit_hash for r in repo.revisions)
            records.append({**base, "id": repo.cache_id, "size_on_disk": repo.size_on_disk, "nb_files": repo.nb_files,
                            "last_modified": repo.last_modified, "refs": sorted(repo.refs), "revisions": hashes,
                            "path": str(repo.repo_path)})  # fmt: skip
            continue
        for rev in repo.revisions:
            records.append({**base, "id": rev.commit_hash, "revision": rev.commit_hash,
                            "size_on_disk": rev.size_on_disk, "nb_files": rev.nb_files,
                            "last_modified": rev.last_modified, "refs": sorted(rev.refs),
                            "path": str(rev.snapshot_path)})  # fmt: skip
    return records


def select(records: list[dict[str, Any]], filters: list[str], sort: str | None, limit: int | None,
           now: float) -> list[dict[str, Any]]:  # fmt: skip
    """Apply ``--filter`` (all must hold), ``--sort`` (default: name) and ``--limit``."""
    predicates = [parse_filter(f) for f in filters]
    kept = [r for r in records if all(p(r, now) for p in predicates)]
    key, reverse = parse_sort(sort or "name")
    kept.sort(key=key, reverse=reverse)
    return kept[:limit] if limit is not None else kept


def _dated(record: dict[str, Any]) -> dict[str, Any]:
    # epoch seconds sort and filter well; people and JSON readers prefer dates
    out = dict(record)
    for key in ("last_accessed", "last_modified"):
        if isinstance(out.get(key), (int, float)):
            out[key] = datetime.fromtimestamp(out[key], timezone.utc)
    return out


_REPO_COLUMNS = (Column("repo_id", "ID"), Column("repo_type", "TYPE"), Column("size_on_disk", "SIZE", format_size),
                 Column("nb_files", "FILES"), Column("last_accessed", "ACCESSED", format_age),
                 Column("last_modified", "MODIFIED", format_age), Column("refs", "REFS"))  # fmt: skip
_REVISION_COLUMNS = (Column("repo_id", "ID"), Column("repo_type", "TYPE"), Column("revision", "REVISION"),
                     Column("size_on_disk", "SIZE", format_size), Column("nb_files", "FILES"),
                     Column("last_modified", "MODIFIED", format_age), Column("refs", "REFS"))  # fmt: skip


def _ls(args: argparse.Namespace) -> int:
    import time

    try:
        for expression in args.filter:  # report a bad filter even on an empty cache
            parse_filter(expression)
        parse_sort(args.sort or "name")
    except CacheQueryError as err:
        raise CliError(str(err), code=EXIT_USAGE) from None
    root = _root(args)
    columns = _REVISION_COLUMNS if args.revisions else _REPO_COLUMNS
    if _is_empty(root):
        emit(args, [], columns, empty=f"The cache is empty ({root}).")
        return 0
    info = _scan(root)
    records = select(cache_records(info, revisions=args.revisions), args.filter, args.sort, args.limit, time.time())
    emit(args, [_dated(r) for r in records], columns, empty="No cached entry matches.")
    if args.format == "table" and not args.quiet:
        total = sum(r["size_on_disk"] for r in records)
        what = "revision(s)" if args.revisions else "repo(s)"
        note(f"{len(records)} {what}, {format_size(total)} on disk ({root}).")
        if info.incomplete_files:
            size = format_size(info.incomplete_size_on_disk)
            note(f"{len(info.incomplete_files)} unfinished download(s), {size}: `hubkit cache prune` removes them.")
        for warning in info.warnings:
            note(f"Warning: {warning}")
    return 0


# --- rm and prune --------------------------------------------------------------------------------


def resolve_targets(info: Any, targets: list[Target]) -> tuple[set[str], list[Any], list[str]]:
    """``(revision hashes, whole repos, unmatched descriptions)`` for the ``rm`` arguments."""
    hashes: set[str] = set()
    whole: list[Any] = []
    missing: list[str] = []
    for target in targets:
        label = f"{target.repo_type}/{target.repo_id}" if target.repo_id else str(target.revision)
        repos = [r for r in info.repos if target.repo_id is None
                 or (r.repo_id == target.repo_id and r.repo_type == target.repo_type)]  # fmt: skip
        if target.repo_id is not None and target.revision is None:
            if repos:
                whole.extend(r for r in repos if r not in whole)
            else:
                missing.append(label)
            continue
        found = [rev for repo in repos for rev in repo.revisions
                 if rev.commit_hash.startswith(str(target.revision)) or target.revision in rev.refs]  # fmt: skip
        if len(found) > 1 and target.repo_id is None:
            raise CliError(f"{target.revision} matches {len(found)} revisions: give more digits.", code=EXIT_USAGE)
        if not found:
            missing.append(f"{label}@{target.revision}" if target.repo_id else label)
        hashes.update(rev.commit_hash for rev in found)
    return hashes, whole, missing


def _plan(info: Any, hashes: set[str], whole: list[Any], extra_files: frozenset[Path] = frozenset()) -> Any:
    import dataclasses

    all_hashes = hashes | {rev.commit_hash for repo in whole for rev in repo.revisions}
    strategy = info.delete_revisions(*sorted(all_hashes))
    empty_repos = frozenset(r.repo_path for r in whole if not r.revisions)  # nothing for delete_revisions to see
    extra_size = sum(p.stat().st_size for p in extra_files if p.exists())
    return dataclasses.replace(strategy, repos=strategy.repos | empty_repos, files=strategy.files | extra_files,
                               expected_freed_size=strategy.expected_freed_size + extra_size)  # fmt: skip


def _rm(args: argparse.Namespace) -> int:
    try:
        targets = [parse_target(t, args.repo_type) for t in args.targets]
    except CacheQueryError as err:
        raise CliError(str(err), code=EXIT_USAGE) from None
    root = _root(args)
    if _is_empty(root):
        raise CliError(f"The cache is empty ({root}): nothing matches.", code=EXIT_NOT_FOUND)
    info = _scan(root)
    hashes, whole, missing = resolve_targets(info, targets)
    for label in missing:
        note(f"Not in the cache: {label}")
    if not hashes and not whole:
        raise CliError("Nothing to delete.", hint="see `hubkit cache ls --revisions`", code=EXIT_NOT_FOUND)
    strategy = _plan(info, hashes, whole)
    whole_ids = {r.repo_path for r in whole}
    for repo in whole:
        note(f"  {repo.cache_id}: whole repo ({len(repo.revisions)} revision(s))")
    for repo in info.repos:
        for rev in sorted(repo.revisions, key=lambda r: r.commit_hash):
            if rev.commit_hash in hashes and repo.repo_path not in whole_ids:
                refs = f" ({', '.join(sorted(rev.refs))})" if rev.refs else ""
                note(f"  {repo.cache_id}: revision {rev.commit_hash}{refs}")
    note(f"Frees {format_size(strategy.expected_freed_size)}.")
    if args.dry_run:
        note("Dry run: nothing deleted.")
        return 0
    confirm("Delete these from the cache?", yes=args.yes)
    strategy.execute()
    note(f"Deleted; freed {format_size(strategy.expected_freed_size)}.")
    return 0


def _prune(args: argparse.Namespace) -> int:
    root = _root(args)
    if _is_empty(root):
        note(f"The cache is empty ({root}): nothing to prune.")
        return 0
    info = _scan(root)
    detached = {rev.commit_hash for repo in info.repos for rev in repo.revisions if not rev.refs}
    partial = frozenset(f.file_path for f in info.incomplete_files)
    if not detached and not partial:
        note("Nothing to prune: every revision has a ref and no download is unfinished.")
        return 0
    strategy = _plan(info, detached, [], partial)
    note(f"{len(detached)} detached revision(s), {len(partial)} unfinished download(s): frees "
         f"{format_size(strategy.expected_freed_size)}.")  # fmt: skip
    if args.dry_run:
        for repo in sorted(info.repos, key=lambda r: r.cache_id):
            for rev in repo.revisions:
                if rev.commit_hash in detached:
                    note(f"  {repo.cache_id}: revision {rev.commit_hash}")
        for path in sorted(partial):
            note(f"  {path}")
        note("Dry run: nothing deleted.")
        return 0
    confirm("Delete them?", yes=args.yes)
    strategy.execute()
    note(f"Pruned; freed {format_size(strategy.expected_freed_size)}.")
    return 0


# --- verify --------------------------------------------------------------------------------------


def _file_matches(path: Path, blob_id: str | None, sha256: str | None) -> bool:
    import hashlib

    digest = hashlib.sha256() if sha256 else hashlib.sha1()
    if not sha256:
        digest.update(b"blob %d\x00" % path.stat().st_size)  # git's blob id: header, then content
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == (sha256 or blob_id)


def _local_files(root: Path) -> set[str]:
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        if rel_dir == ".cache" or rel_dir.startswith(".cache/"):
            dirnames[:] = []  # download bookkeeping of --local-dir, not repo content
            continue
        found.update(name if rel_dir == "." else f"{rel_dir}/{name}" for name in filenames)
    return found


_VERIFY_COLUMNS = (Column("path", "PATH"), Column("status", "STATUS"))


def _verify(args: argparse.Namespace) -> int:
    from .._paths import repo_folder_name

    repo_id, repo_type = repo_id_and_type(args.repo_id, args.repo_type)
    client = api(args)
    commit = client.repo_info(repo_id, repo_type=repo_type, revision=args.revision).sha
    if not commit:
        raise CliError(f"The Hub did not say which commit {args.revision or 'main'} of {repo_id} is.")
    remote = {e.path: e for e in client.list_repo_tree(repo_id, recursive=True, revision=commit, repo_type=repo_type)
              if hasattr(e, "blob_id")}  # fmt: skip
    if args.local_dir:
        root = Path(args.local_dir).expanduser()
    else:
        root = _root(args) / repo_folder_name(repo_id=repo_id, repo_type=repo_type or "model") / "snapshots" / commit
    if not root.is_dir():
        where = "that folder" if args.local_dir else "the cache"
        hint = f"download it with `hubkit download {repo_id} --revision {commit}`"
        raise CliError(f"{repo_id} at {commit} is not in {where}.", hint=hint, code=EXIT_NOT_FOUND)
    local = _local_files(root)
    records = []
    for path, entry in sorted(remote.items()):
        if path not in local:
            records.append({"path": path, "status": "missing"})
            continue
        lfs = getattr(entry, "lfs", None)
        ok = _file_matches(root / path, entry.blob_id, lfs.get("sha256") if lfs else None)
        records.append({"path": path, "status": "ok" if ok else "mismatch"})
    records += [{"path": p, "status": "extra"} for p in sorted(local - set(remote))]
    counts = {s: sum(r["status"] == s for r in records) for s in ("ok", "mismatch", "missing", "extra")}
    failed = bool(counts["mismatch"] or (args.fail_on_missing_files and counts["missing"])
                  or (args.fail_on_extra_files and counts["extra"]))  # fmt: skip
    if args.format == "json":
        out(render_json({"repo_id": repo_id, "revision": commit, "path": str(root), "ok": not failed,
                         "counts": counts, "files": records}))  # fmt: skip
    else:
        problems = [r for r in records if r["status"] != "ok"]
        if problems:
            emit(args, problems, _VERIFY_COLUMNS, id_key="path")
        note(f"{repo_id}@{commit[:12]}: {counts['ok']} ok, {counts['mismatch']} mismatched, "
             f"{counts['missing']} missing, {counts['extra']} extra ({root}).")  # fmt: skip
    return EXIT_CHECK if failed else 0
