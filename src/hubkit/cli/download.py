"""``hubkit download REPO_ID [FILES...]``: files, or a whole (filtered) repo, into the cache.

One file goes through ``hf_hub_download``, anything else through ``snapshot_download``. The
last line of stdout is always the local path (the file, the snapshot folder or ``--local-dir``),
so ``path=$(hubkit download ... | tail -1)`` works; progress bars go to stderr, and ``--quiet``
turns them off. ``--dry-run`` lists what would be fetched instead.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from ._common import add_output, add_repo_type, add_token, emit, note, out, repo_id_and_type
from ._output import Column, format_size


def register(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo_id", metavar="REPO_ID", help="the repo, e.g. `org/name` (or `datasets/org/name`)")
    parser.add_argument("filenames", metavar="FILES", nargs="*", help="files to download (default: the whole repo)")
    add_repo_type(parser)
    parser.add_argument("--revision", help="branch, tag or commit (default: main)")
    parser.add_argument(
        "--include", nargs="+", action="extend", metavar="GLOB", help="download only paths matching these globs"
    )
    parser.add_argument("--exclude", nargs="+", action="extend", metavar="GLOB", help="skip paths matching these globs")
    parser.add_argument("--cache-dir", help="the cache folder (default: HF_HUB_CACHE)")
    parser.add_argument("--local-dir", help="put the files in this folder (with the repo's layout) instead")
    parser.add_argument("--force-download", action="store_true", help="download even what is cached")
    parser.add_argument("--dry-run", action="store_true", help="list what would be downloaded, download nothing")
    parser.add_argument("--max-workers", type=int, default=8, help="files downloaded at once (default 8)")
    add_token(parser)
    add_output(parser)  # -q/--quiet: only the path, no progress bars
    parser.set_defaults(func=_download)


_DRY_RUN_COLUMNS = (
    Column("filename", "FILE"),
    Column("file_size", "SIZE", format_size),
    Column("is_cached", "CACHED"),
    Column("will_download", "DOWNLOAD"),
)


def _download(args: argparse.Namespace) -> int:
    from ..download import hf_hub_download
    from ..snapshot import snapshot_download

    repo_id, repo_type = repo_id_and_type(args.repo_id, args.repo_type)
    if args.quiet:
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # read by the library at call time
    common: dict[str, Any] = {
        "repo_type": repo_type,
        "revision": args.revision,
        "cache_dir": args.cache_dir,
        "local_dir": args.local_dir,
        "force_download": args.force_download,
        "token": args.token or None,
        "dry_run": args.dry_run,
    }
    files: list[str] = args.filenames
    if files and (args.include or args.exclude):
        note("Warning: --include/--exclude are ignored when file names are given.")
    if len(files) == 1:
        result: Any = hf_hub_download(repo_id, files[0], **common)
    else:
        allow = files or args.include
        ignore = None if files else args.exclude
        result = snapshot_download(
            repo_id, allow_patterns=allow, ignore_patterns=ignore, max_workers=args.max_workers, **common
        )
    if args.dry_run:
        infos = result if isinstance(result, list) else [result]
        records = [{**vars(i)} for i in infos]
        emit(args, records, _DRY_RUN_COLUMNS, id_key="filename", empty="No files match.")
        if args.format == "table" and not args.quiet and records:
            todo = [r for r in records if r["will_download"]]
            total = sum(r["file_size"] or 0 for r in todo)
            note(f"{len(todo)} of {len(records)} file(s) to download, {format_size(total)}.")
        return 0
    if args.format == "json":
        from ._output import render_json

        out(render_json({"repo_id": repo_id, "repo_type": repo_type or "model", "path": str(result)}))
    else:
        out(str(result))
    return 0
