"""``hubkit discussions``: ls, info, create, comment, close, reopen, merge, rename, diff.

Pull requests are discussions with a ``refs/pr/N`` branch: open one with ``create --pr`` (then
push to it with ``upload --revision refs/pr/N``), or directly with ``upload --create-pr``.
"""

from __future__ import annotations

import argparse
from typing import Any, Literal

from ._common import add_output, add_repo_type, add_token, api, confirm, emit, leaf, note, out, read_body
from ._common import repo_id_and_type as _split
from ._output import Column, format_cell, render_json, render_key_values, to_jsonable
from .main import EXIT_NOT_FOUND, EXIT_USAGE, CliError

_STATUSES = ("open", "closed", "merged", "draft", "all")
_KINDS = ("all", "discussion", "pull_request")


def _target(p: argparse.ArgumentParser, num: bool = True) -> None:
    p.add_argument("repo_id", metavar="REPO_ID")
    if num:
        p.add_argument("num", metavar="NUM", type=int, help="the discussion or pull request number")
    add_repo_type(p)
    add_token(p)


def register(name: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")

    p = leaf(sub, "list", _ls, "list the discussions and pull requests of a repo", aliases=["ls"])
    _target(p, num=False)
    p.add_argument("-s", "--status", choices=_STATUSES, default="open", help="which ones (default: open)")
    p.add_argument("-k", "--kind", choices=_KINDS, default="all", help="discussions, pull requests or both")
    p.add_argument("--author", help="only those opened by this user")
    p.add_argument("--limit", type=int, default=30, help="at most this many (default 30)")
    add_output(p)

    p = leaf(sub, "info", _info, "show a discussion or pull request with its comments")
    _target(p)
    add_output(p, listing=False)

    p = leaf(sub, "create", _create, "open a discussion, or with --pr a (draft) pull request")
    _target(p, num=False)
    p.add_argument("--title", required=True)
    p.add_argument("--body", help="the description (Markdown)")
    p.add_argument("--body-file", help="read the description from this file (`-`: stdin)")
    p.add_argument("--pull-request", "--pr", dest="pull_request", action="store_true", help="a pull request")
    add_output(p, listing=False)

    p = leaf(sub, "comment", _comment, "comment on a discussion or pull request")
    _target(p)
    p.add_argument("--body", help="the comment (Markdown)")
    p.add_argument("--body-file", help="read the comment from this file (`-`: stdin)")

    for action, handler, text in (("close", _close, "close a discussion or pull request"),
                                  ("reopen", _reopen, "reopen a closed discussion or pull request"),
                                  ("merge", _merge, "merge a pull request into its target branch")):  # fmt: skip
        p = leaf(sub, action, handler, text)
        _target(p)
        p.add_argument("--comment", help="a comment to post with it")
        p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    p = leaf(sub, "rename", _rename, "change the title of a discussion or pull request")
    _target(p)
    p.add_argument("new_title", metavar="NEW_TITLE")

    p = leaf(sub, "diff", _diff, "print the diff of a pull request")
    _target(p)


_COLUMNS = (
    Column("num", "#"),
    Column("kind", "KIND"),
    Column("status", "STATUS"),
    Column("title", "TITLE"),
    Column("author", "AUTHOR"),
    Column("created_at", "CREATED"),
)


def discussion_record(d: Any) -> dict[str, Any]:
    """A discussion as a record: its public fields plus ``kind``, ``url`` and ``git_reference``."""
    data: dict[str, Any] = to_jsonable(d)
    data.pop("endpoint", None)
    data.update(kind="pull_request" if d.is_pull_request else "discussion", url=d.url, git_reference=d.git_reference)
    data["created_at"] = d.created_at
    return data


def _ls(args: argparse.Namespace) -> int:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    server_status: Literal["open", "closed", "all"] = args.status if args.status in ("open", "closed", "all") else "all"
    items = api(args).get_repo_discussions(
        repo_id, author=args.author, discussion_type=args.kind, discussion_status=server_status, repo_type=repo_type
    )
    records = []
    for d in items:
        if args.status in ("merged", "draft") and d.status != args.status:
            continue  # the Hub filters open/closed only; merged and draft are sorted out here
        records.append(discussion_record(d))
        if args.limit and len(records) >= args.limit:
            break
    emit(args, records, _COLUMNS, id_key="num", empty=f"No {args.status} discussions in {repo_id}.")
    return 0


def _details(args: argparse.Namespace) -> Any:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    return api(args).get_discussion_details(repo_id, args.num, repo_type=repo_type)


def render_details(d: Any) -> str:
    """A discussion for the terminal: its fields, then each event on its own block."""
    pairs: list[tuple[str, Any]] = [("title", d.title), ("number", d.num), ("status", d.status),
                                    ("kind", "pull request" if d.is_pull_request else "discussion"),
                                    ("author", d.author), ("created", d.created_at), ("url", d.url)]  # fmt: skip
    if d.is_pull_request:
        pairs += [("branch", d.git_reference), ("target", d.target_branch)]
        if d.conflicting_files:
            pairs.append(("conflicts", d.conflicting_files))
        if d.merge_commit_oid:
            pairs.append(("merge commit", d.merge_commit_oid))
    blocks = [render_key_values(pairs)]
    for event in d.events:
        head = f"--- {event.author}, {format_cell(event.created_at)}"
        if event.type == "comment":
            text = "(hidden)" if getattr(event, "hidden", False) else getattr(event, "content", "")
            blocks.append(f"{head}:\n{text.rstrip()}")
        elif event.type == "status-change":
            blocks.append(f"{head}: status -> {getattr(event, 'new_status', '')}")
        elif event.type == "commit":
            blocks.append(f"{head}: commit {getattr(event, 'oid', '')[:12]} {getattr(event, 'summary', '')}")
        elif event.type == "title-change":
            blocks.append(f"{head}: title -> {getattr(event, 'new_title', '')}")
        else:
            blocks.append(f"{head}: {event.type}")
    return "\n\n".join(blocks)


def _info(args: argparse.Namespace) -> int:
    details = _details(args)
    if args.format == "json":
        data = discussion_record(details)
        data["events"] = [{**to_jsonable(e), "created_at": e.created_at} for e in details.events]
        out(render_json(data))
    else:
        out(render_details(details))
    return 0


def _create(args: argparse.Namespace) -> int:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    body = read_body(args.body, args.body_file, what="description")
    d = api(args).create_discussion(
        repo_id, args.title, description=body, repo_type=repo_type, pull_request=args.pull_request
    )
    if args.format == "json":
        out(render_json(discussion_record(d)))
    else:
        out(d.url)
        if d.is_pull_request:
            note(f"Push commits to it with: hubkit upload {repo_id} PATH --revision {d.git_reference}")
    return 0


def _comment(args: argparse.Namespace) -> int:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    body = read_body(args.body, args.body_file, what="comment")
    if not body or not body.strip():
        raise CliError("The comment is empty: pass --body or --body-file.", code=EXIT_USAGE)
    api(args).comment_discussion(repo_id, args.num, body, repo_type=repo_type)
    note(f"Commented on #{args.num} of {repo_id}.")
    return 0


def _change_status(args: argparse.Namespace, status: str, verb: str, done: str) -> int:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    confirm(f"{verb} #{args.num} of {repo_id}?", yes=args.yes)
    client = api(args)
    client.change_discussion_status(repo_id, args.num, status, comment=args.comment, repo_type=repo_type)  # type: ignore[arg-type]
    note(f"{done} #{args.num} of {repo_id}.")
    return 0


def _close(args: argparse.Namespace) -> int:
    return _change_status(args, "closed", "Close", "Closed")


def _reopen(args: argparse.Namespace) -> int:
    return _change_status(args, "open", "Reopen", "Reopened")


def _merge(args: argparse.Namespace) -> int:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    confirm(f"Merge pull request #{args.num} of {repo_id}?", yes=args.yes)
    api(args).merge_pull_request(repo_id, args.num, comment=args.comment, repo_type=repo_type)
    note(f"Merged #{args.num} of {repo_id}.")
    return 0


def _rename(args: argparse.Namespace) -> int:
    repo_id, repo_type = _split(args.repo_id, args.repo_type)
    api(args).rename_discussion(repo_id, args.num, args.new_title, repo_type=repo_type)
    note(f"Renamed #{args.num} of {repo_id}.")
    return 0


def _diff(args: argparse.Namespace) -> int:
    details = _details(args)
    if not details.is_pull_request:
        raise CliError(f"#{args.num} is a discussion, not a pull request: it has no diff.", code=EXIT_NOT_FOUND)
    out(details.diff or "")
    return 0
