"""``hubkit upload`` (a file or a folder, one commit or every N minutes) and
``hubkit upload-large-folder`` (many resumable commits).

The repo is created when missing (``--private`` then applies), and so is the ``--revision``
branch. The commit's URL (or the pull request's, with ``--create-pr``) is the last line of
stdout; progress bars go to stderr and ``--quiet`` turns them off.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path
from typing import Any

from ._common import add_output, add_repo_type, add_token, api, note, out, repo_id_and_type
from .main import EXIT_NOT_FOUND, EXIT_USAGE, CliError

_GLOB_CHARS = set("*?[")


def register(name: str, parser: argparse.ArgumentParser) -> None:
    if name == "upload":
        _register_upload(parser)
    else:
        _register_large(parser)


def _register_upload(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo_id", metavar="REPO_ID", help="the repo, e.g. `org/name` (created if missing)")
    parser.add_argument("local_path", metavar="LOCAL_PATH", nargs="?", default=".",
                        help="file or folder (default: the current folder); a glob uploads what matches")  # fmt: skip
    parser.add_argument("path_in_repo", metavar="PATH_IN_REPO", nargs="?",
                        help="where it goes in the repo (default: the file's name; the root for a folder)")  # fmt: skip
    add_repo_type(parser)
    parser.add_argument("--revision", help="branch to commit to (created if missing; default: main)")
    parser.add_argument("--private", action="store_true", default=None, help="create the repo private if missing")
    parser.add_argument("--include", nargs="+", action="extend", metavar="GLOB", help="upload only matching files")
    parser.add_argument("--exclude", nargs="+", action="extend", metavar="GLOB", help="skip matching files")
    parser.add_argument("--delete", nargs="+", action="extend", metavar="GLOB",
                        help="delete remote files matching these globs in the same commit")  # fmt: skip
    parser.add_argument("--commit-message", help="the commit's title")
    parser.add_argument("--commit-description", help="the commit's description")
    parser.add_argument("--create-pr", action="store_true", help="open a pull request instead of committing")
    parser.add_argument("--every", type=float, metavar="MINUTES",
                        help="keep running, push changes every MINUTES (Ctrl-C: a last push, then stop)")  # fmt: skip
    add_token(parser)
    add_output(parser)
    parser.set_defaults(func=_upload)


def _register_large(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo_id", metavar="REPO_ID", help="the repo, e.g. `org/name` (created if missing)")
    parser.add_argument("local_path", metavar="LOCAL_PATH", help="the folder to upload")
    add_repo_type(parser)
    parser.add_argument("--revision", help="branch to commit to (created if missing; default: main)")
    parser.add_argument("--private", action="store_true", default=None, help="create the repo private if missing")
    parser.add_argument("--include", nargs="+", action="extend", metavar="GLOB", help="upload only matching files")
    parser.add_argument("--exclude", nargs="+", action="extend", metavar="GLOB", help="skip matching files")
    parser.add_argument("--num-workers", type=int, help="worker threads (default: CPU count - 2, at least 2)")
    parser.add_argument("--no-report", action="store_true", help="do not print a progress report every minute")
    parser.add_argument("--no-bars", action="store_true", help="no progress bars")
    parser.add_argument("--token", help="access token to use (default: HF_TOKEN, else the saved login)")
    parser.set_defaults(func=_upload_large)


# --- pure planning -------------------------------------------------------------------------------


def plan_upload(
    local_path: str, path_in_repo: str | None, include: list[str] | None
) -> tuple[Path, str | None, list[str] | None, bool]:
    """``(local path, path in repo, include patterns, is_file)`` from the command line.

    A local path with glob characters that names nothing becomes an ``--include`` pattern on
    the current folder (``hubkit upload org/x "*.json"``). A file goes to its own name unless
    told otherwise; a folder goes to the root.
    """
    path = Path(local_path).expanduser()
    if not path.exists() and _GLOB_CHARS & set(local_path):
        if include:
            raise CliError("Pass either a glob as LOCAL_PATH or --include, not both.", code=EXIT_USAGE)
        return Path("."), path_in_repo, [local_path], False
    if not path.exists():
        raise CliError(f"No such file or folder: {local_path}", code=EXIT_NOT_FOUND)
    if path.is_file():
        if include:
            raise CliError("--include only applies to folders.", code=EXIT_USAGE)
        return path, path_in_repo or path.name, None, True
    target = None if path_in_repo in (None, ".", "./", "/") else path_in_repo.strip("/")
    return path, target, include, False


# --- handlers ------------------------------------------------------------------------------------


def _ensure_target(client: Any, repo_id: str, repo_type: str | None, args: argparse.Namespace) -> None:
    client.create_repo(repo_id, repo_type=repo_type, private=args.private, exist_ok=True)
    if args.revision is not None and not args.create_pr:
        client.create_branch(repo_id, branch=args.revision, repo_type=repo_type, exist_ok=True)


def _upload(args: argparse.Namespace) -> int:
    if args.quiet:
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    repo_id, repo_type = repo_id_and_type(args.repo_id, args.repo_type)
    local, path_in_repo, include, is_file = plan_upload(args.local_path, args.path_in_repo, args.include)
    if args.every is not None:
        return _scheduled(args, repo_id, repo_type, local, path_in_repo, include, is_file)
    client = api(args)
    _ensure_target(client, repo_id, repo_type, args)
    common: dict[str, Any] = {
        "repo_id": repo_id,
        "repo_type": repo_type,
        "revision": args.revision,
        "commit_message": args.commit_message,
        "commit_description": args.commit_description,
        "create_pr": args.create_pr,
    }
    if is_file:
        if args.exclude or args.delete:
            note("Warning: --exclude/--delete only apply to folders; ignored.")
        info = client.upload_file(path_or_fileobj=str(local), path_in_repo=path_in_repo or local.name, **common)
    else:
        info = client.upload_folder(
            folder_path=str(local),
            path_in_repo=path_in_repo,
            allow_patterns=include,
            ignore_patterns=args.exclude,
            delete_patterns=args.delete,
            **common,
        )
    url = info.pr_url or info.commit_url
    if args.format == "json" and not args.quiet:
        from ._output import render_json

        fields = ("commit_url", "oid", "commit_message", "pr_url", "pr_num")
        out(render_json({"repo_id": repo_id, **{f: getattr(info, f) for f in fields}}))
    else:
        out(url)
    return 0


def _scheduled(
    args: argparse.Namespace,
    repo_id: str,
    repo_type: str | None,
    local: Path,
    path_in_repo: str | None,
    include: list[str] | None,
    is_file: bool,
) -> int:
    from ..commit.scheduler import CommitScheduler

    if args.every <= 0:
        raise CliError("--every must be a positive number of minutes.", code=EXIT_USAGE)
    if args.create_pr or args.delete:
        raise CliError("--every cannot be combined with --create-pr or --delete.", code=EXIT_USAGE)
    if is_file:  # watch the file's folder, push only that file
        folder, include = local.parent, [local.name]
        path_in_repo = str(Path(path_in_repo or local.name).parent).replace("\\", "/").strip(".") or None
    else:
        folder = local
    scheduler = CommitScheduler(
        repo_id=repo_id, folder_path=folder, every=args.every, path_in_repo=path_in_repo, repo_type=repo_type,
        revision=args.revision, private=args.private, token=args.token or None, allow_patterns=include,
        ignore_patterns=args.exclude, hf_api=api(args),
    )  # fmt: skip
    note(f"Pushing {folder} to {repo_id} every {args.every:g} minute(s). Ctrl-C to stop (after a last push).")

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a service manager's stop also gets the last push
    signal.signal(signal.SIGINT, stop)  # even when started in the background, where SIGINT is ignored
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        note("Stopping: pushing the last changes...")
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the last commit
        info = scheduler.trigger().result()
        scheduler.stop()
    if info is not None:
        out(info.commit_url)
    note("Stopped.")
    return 0


def _upload_large(args: argparse.Namespace) -> int:
    if args.no_bars:
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    repo_id, repo_type = repo_id_and_type(args.repo_id, args.repo_type)
    folder = Path(args.local_path).expanduser()
    if not folder.is_dir():
        raise CliError(f"Not a folder: {args.local_path}", code=EXIT_NOT_FOUND)
    api(args).upload_large_folder(
        repo_id, folder, repo_type=repo_type or "model", revision=args.revision, private=args.private,
        allow_patterns=args.include, ignore_patterns=args.exclude, num_workers=args.num_workers,
        print_report=not args.no_report,
    )  # fmt: skip
    note(f"Uploaded {folder} to {repo_id}.")
    return 0
