"""``hubkit models|datasets|spaces``: ``ls`` (search the Hub, or list one repo's files) and ``info``.

The three groups share this module because they share their grammar; only the columns and a
few model-only filters differ.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from ._common import add_output, add_token, api, emit, emit_object, leaf, note, repo_id_and_type
from ._output import Column, to_jsonable

_KIND = {"models": "model", "datasets": "dataset", "spaces": "space"}
_SORTS = ("created_at", "downloads", "last_modified", "likes", "trending_score")
DEFAULT_LIMIT = 30

_COLUMNS: dict[str, tuple[Column, ...]] = {
    "model": (Column("id", "ID"), Column("downloads", "DOWNLOADS"), Column("likes", "LIKES"),
              Column("private", "PRIVATE"), Column("pipeline_tag", "TASK"), Column("last_modified", "UPDATED")),
    "dataset": (Column("id", "ID"), Column("downloads", "DOWNLOADS"), Column("likes", "LIKES"),
                Column("private", "PRIVATE"), Column("last_modified", "UPDATED")),
    "space": (Column("id", "ID"), Column("sdk", "SDK"), Column("likes", "LIKES"), Column("private", "PRIVATE"),
              Column("last_modified", "UPDATED")),
}  # fmt: skip


def register(name: str, parser: argparse.ArgumentParser) -> None:
    kind = _KIND[name]
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")
    parser.set_defaults(kind=kind)

    p = leaf(sub, "list", _ls, f"search {name} on the Hub, or list the files of one {kind}", aliases=["ls"])
    p.add_argument("repo_id", metavar="REPO_ID", nargs="?", help=f"list the files of this {kind} instead")
    p.add_argument("--search", help="only ids containing this")
    p.add_argument("--author", help="only this user's or organization's")
    p.add_argument("--filter", action="append", metavar="TAG", help="only with this tag (repeatable)")
    if kind == "model":
        p.add_argument("--pipeline-tag", help="only this task, e.g. text-classification")
        gated = p.add_mutually_exclusive_group()
        gated.add_argument("--gated", action="store_true", default=None, help="only gated models")
        gated.add_argument("--no-gated", dest="gated", action="store_false", help="only non-gated models")
    sorts = _SORTS if kind != "space" else tuple(s for s in _SORTS if s != "downloads")
    p.add_argument("--sort", choices=sorts, help="order (descending, as on the Hub)")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"at most this many (default {DEFAULT_LIMIT})")
    p.add_argument("--expand", help="comma-separated properties to fetch (JSON output shows them)")
    p.add_argument("--revision", help="with REPO_ID: the branch, tag or commit to list")
    p.add_argument("-R", "--recursive", action="store_true", help="with REPO_ID: list folders' contents too")
    add_token(p)
    add_output(p)

    p = leaf(sub, "info", _info, f"show one {kind}")
    p.add_argument("repo_id", metavar="REPO_ID")
    p.add_argument("--revision", help="branch, tag or commit (default: main)")
    p.add_argument("--expand", help="comma-separated properties to fetch")
    add_token(p)
    add_output(p, listing=False)


def info_record(info: Any) -> dict[str, Any]:
    """A listed repo as a plain record (every public field; siblings left out of listings)."""
    data: dict[str, Any] = to_jsonable(info)
    data.pop("raw", None)
    if data.get("siblings") is None:
        data.pop("siblings", None)
    data["last_modified"] = getattr(info, "last_modified", None) or getattr(info, "created_at", None)
    data["created_at"] = getattr(info, "created_at", None)
    return data


def _expand(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _ls(args: argparse.Namespace) -> int:
    if args.repo_id:
        from .files import list_files

        repo_id, repo_type = repo_id_and_type(args.repo_id, args.kind)
        return list_files(args, repo_id, repo_type, None)
    client = api(args)
    common: dict[str, Any] = {"search": args.search, "author": args.author, "filter": args.filter,
                              "sort": args.sort, "limit": args.limit, "expand": _expand(args.expand)}  # fmt: skip
    items: Iterator[Any]
    if args.kind == "model":
        items = client.list_models(pipeline_tag=args.pipeline_tag, gated=args.gated, **common)
    elif args.kind == "dataset":
        items = client.list_datasets(**common)
    else:
        items = client.list_spaces(**common)
    records = [info_record(i) for i in items]
    emit(args, records, _COLUMNS[args.kind], empty=f"No {args.kind}s found.")
    if args.limit and len(records) == args.limit and args.format == "table" and not args.quiet:
        note(f"Showing the first {args.limit}: pass --limit N for more.")
    return 0


def _info(args: argparse.Namespace) -> int:
    repo_id, repo_type = repo_id_and_type(args.repo_id, args.kind)
    info = api(args).repo_info(repo_id, repo_type=repo_type, revision=args.revision, expand=_expand(args.expand))
    data: dict[str, Any] = to_jsonable(info)
    data.pop("raw", None)
    siblings = getattr(info, "siblings", None) or []
    keys = ("id", "author", "sha", "private", "gated", "disabled", "downloads", "likes", "pipeline_tag",
            "library_name", "sdk", "tags", "created_at", "last_modified")  # fmt: skip
    pairs = [(k, getattr(info, k, None)) for k in keys if getattr(info, k, None) not in (None, [], "")]
    if siblings:
        pairs.append(("files", len(siblings)))
    emit_object(args, data, pairs)
    return 0
