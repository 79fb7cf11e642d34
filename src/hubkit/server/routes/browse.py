"""Browsing a repo: tree listing, paths-info, refs and commit history."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest, PayloadTooLarge
from ..http import Ctx, json_response, route
from ..services import browse, refs
from ..services.accounts import Caller
from ..storage.gitobj import is_git_oid
from .common import API_REPO, REV, bool_value, in_repo

TREE_PAGE = 1000
TREE_PAGE_EXPANDED = 50
COMMITS_PAGE = 100
MAX_PATHS = 1000


def _encode_cursor(offset: int, commit: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{commit}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset, commit = text.split(":")
        if not is_git_oid(commit) or int(offset) < 0:
            raise ValueError
        return int(offset), commit
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("Invalid cursor") from None


def _page_size(ctx: Ctx, default: int) -> int:
    try:
        limit = int(ctx.query.get("limit") or default)
    except ValueError:
        raise BadRequest("limit must be an integer") from None
    return max(1, min(limit, default))


def _pinned_commit(s: Session, repo: Repo, revision: str, cursor: tuple[int, str] | None) -> str:
    """The commit a listing reads: the one pinned by the cursor, so pages stay consistent."""
    if cursor is not None:
        if not browse.commit_in_repo(s, repo, cursor[1]):
            raise BadRequest("Invalid cursor")
        return cursor[1]
    return refs.resolve(s, repo, revision).commit


async def tree(ctx: Ctx) -> Response:
    revision = ctx.params["rev"]
    folder = ctx.params.get("path", "")
    recursive = ctx.qbool("recursive")
    expand = ctx.qbool("expand")
    limit = _page_size(ctx, TREE_PAGE_EXPANDED if expand else TREE_PAGE)
    cursor = _decode_cursor(ctx.query["cursor"]) if ctx.query.get("cursor") else None
    git = ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> tuple[list[dict[str, Any]], str | None]:
        commit = _pinned_commit(s, repo, revision, cursor)
        entries = browse.folder_entries(git, commit, folder, recursive=recursive)
        offset = cursor[0] if cursor else 0
        page = entries[offset : offset + limit]
        items = browse.entries_json(s, git, repo, commit, page, expand=expand)
        more = offset + limit < len(entries)
        return items, _encode_cursor(offset + limit, commit) if more else None

    items, next_cursor = await in_repo(ctx, work)
    headers = {"Link": ctx.next_link(cursor=next_cursor)} if next_cursor else None
    return json_response(items, headers=headers)


async def _paths_from_body(ctx: Ctx) -> tuple[list[str], bool]:
    content_type = ctx.request.headers.get("content-type", "")
    if "json" in content_type:
        body = await ctx.json_object()
        paths, expand = body.get("paths", []), bool_value(body.get("expand", False))
    else:
        try:
            form = parse_qs((await ctx.request.body()).decode(), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise BadRequest("The form body must be UTF-8") from None
        paths = form.get("paths", []) + form.get("paths[]", [])
        expand = bool_value((form.get("expand") or ["false"])[0])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise BadRequest("paths must be a list of strings")
    if len(paths) > MAX_PATHS:
        raise PayloadTooLarge(f"Too many paths: at most {MAX_PATHS} per request")
    return paths, expand


async def paths_info(ctx: Ctx) -> Response:
    revision = ctx.params["rev"]
    paths, expand = await _paths_from_body(ctx)
    git = ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> list[dict[str, Any]]:
        commit = refs.resolve(s, repo, revision).commit
        entries = browse.paths_info(git, commit, paths)
        return browse.entries_json(s, git, repo, commit, entries, expand=expand)

    return json_response(await in_repo(ctx, work))


async def list_refs(ctx: Ctx) -> Response:
    include_prs = ctx.qbool("include_prs")

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        return refs.list_refs(s, repo, include_prs=include_prs)

    return json_response(await in_repo(ctx, work))


async def list_commits(ctx: Ctx) -> Response:
    revision = ctx.params["rev"]
    formatted = "formatted" in ctx.qlist("expand")
    limit = _page_size(ctx, COMMITS_PAGE)
    start_at = ctx.query.get("cursor")
    if start_at is not None and not is_git_oid(start_at):
        raise BadRequest("Invalid cursor")
    git = ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> tuple[list[dict[str, Any]], str | None]:
        if start_at is not None:
            if not browse.commit_in_repo(s, repo, start_at):
                raise BadRequest("Invalid cursor")
            start = start_at
        else:
            start = refs.resolve(s, repo, revision).commit
        page, nxt = browse.history(git, start, limit)
        return [browse.commit_json(oid, c, formatted=formatted) for oid, c in page], nxt

    items, nxt = await in_repo(ctx, work)
    headers = {"Link": ctx.next_link(cursor=nxt)} if nxt else None
    return json_response(items, headers=headers)


ROUTES = [
    route("GET", rf"{API_REPO}/tree/{REV}(?:/(?P<path>.*))?", tree),
    route("POST", rf"{API_REPO}/paths-info/{REV}", paths_info),
    route("GET", rf"{API_REPO}/refs", list_refs),
    route("GET", rf"{API_REPO}/commits/{REV}", list_commits),
]
