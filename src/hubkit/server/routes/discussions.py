"""Discussions and pull requests: /api/{type}s/{id}/discussions[/{num}[/...]]."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest
from ..http import Ctx, json_response, route
from ..services import discussions
from ..services.accounts import Caller
from .common import API_REPO, in_repo

NUM = r"(?P<num>\d{1,9})"


def _text(body: dict[str, Any], key: str, required: bool = True) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"'{key}' must be a string")
    return value


async def list_discussions(ctx: Ctx) -> Response:
    try:
        page = int(ctx.query.get("p") or 0)
    except ValueError:
        raise BadRequest("p must be an integer") from None
    kind, status, author = ctx.query.get("type"), ctx.query.get("status"), ctx.query.get("author")
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        return discussions.list_page(s, repo, public_url, page=max(page, 0), kind=kind, status=status, author=author)

    return json_response(await in_repo(ctx, work))


async def create_discussion(ctx: Ctx) -> Response:
    body = await ctx.json_object()
    title, description = _text(body, "title"), _text(body, "description", required=False)
    is_pr = bool(body.get("pullRequest"))
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        if is_pr:
            d = discussions.open_draft_pr(s, repo, caller, title=title, description=description)
        else:
            d = discussions.create(s, repo, caller, title=title, description=description, is_pr=False)
        out = discussions.item_json(s, repo, d, public_url)
        out["url"] = discussions.web_url(public_url, repo, d.num)
        return out

    return json_response(await in_repo(ctx, work))


async def discussion_details(ctx: Ctx) -> Response:
    num, with_diff = int(ctx.params["num"]), ctx.qbool("diff")
    public_url, git = ctx.hub.settings.public_url, ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        d = discussions.get(s, repo, num)
        return discussions.details_json(s, git, repo, d, public_url, with_diff=with_diff)

    return json_response(await in_repo(ctx, work))


async def post_comment(ctx: Ctx) -> Response:
    num, body = int(ctx.params["num"]), await ctx.json_object()
    text = _text(body, "comment")
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        ev = discussions.comment(s, discussions.get(s, repo, num), caller, text)
        return {"newMessage": discussions.event_json(s, ev, public_url)}

    return json_response(await in_repo(ctx, work))


async def edit_comment(ctx: Ctx) -> Response:
    num, comment_id, body = int(ctx.params["num"]), ctx.params["comment"], await ctx.json_object()
    text = _text(body, "content")
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        ev = discussions.edit_comment(s, discussions.get(s, repo, num), caller, comment_id, text)
        return {"updatedComment": discussions.event_json(s, ev, public_url)}

    return json_response(await in_repo(ctx, work))


async def hide_comment(ctx: Ctx) -> Response:
    num, comment_id = int(ctx.params["num"]), ctx.params["comment"]
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        ev = discussions.hide_comment(s, repo, discussions.get(s, repo, num), caller, comment_id)
        return {"updatedComment": discussions.event_json(s, ev, public_url)}

    return json_response(await in_repo(ctx, work))


async def rename(ctx: Ctx) -> Response:
    num, body = int(ctx.params["num"]), await ctx.json_object()
    title = _text(body, "title")
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        ev = discussions.rename(s, repo, discussions.get(s, repo, num), caller, title)
        return {"newTitle": discussions.event_json(s, ev, public_url)}

    return json_response(await in_repo(ctx, work))


async def change_status(ctx: Ctx) -> Response:
    num, body = int(ctx.params["num"]), await ctx.json_object()
    status, comment = _text(body, "status"), _text(body, "comment", required=False)
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        ev = discussions.change_status(s, repo, discussions.get(s, repo, num), caller, status, comment)
        return {"newStatus": discussions.event_json(s, ev, public_url)}

    return json_response(await in_repo(ctx, work))


async def merge(ctx: Ctx) -> Response:
    num = int(ctx.params["num"])
    body = await ctx.json_object()
    comment = _text(body, "comment", required=False)
    hub = ctx.hub

    def check(s: Session, caller: Caller, repo: Repo) -> tuple[int, Caller]:
        discussions.get(s, repo, num)
        return repo.id, caller

    repo_id, caller = await in_repo(ctx, check)
    oid = await ctx.run(discussions.merge_pr, hub.git, hub.db.session, repo_id, num, caller, comment)
    return json_response({"success": True, "mergeCommitId": oid})


ROUTES = [
    route("GET", rf"{API_REPO}/discussions", list_discussions),
    route("POST", rf"{API_REPO}/discussions", create_discussion),
    route("GET", rf"{API_REPO}/discussions/{NUM}", discussion_details),
    route("POST", rf"{API_REPO}/discussions/{NUM}/comment", post_comment),
    route("POST", rf"{API_REPO}/discussions/{NUM}/comment/(?P<comment>[0-9a-fA-F]{{24}})/edit", edit_comment),
    route("POST", rf"{API_REPO}/discussions/{NUM}/comment/(?P<comment>[0-9a-fA-F]{{24}})/hide", hide_comment),
    route("POST", rf"{API_REPO}/discussions/{NUM}/title", rename),
    route("POST", rf"{API_REPO}/discussions/{NUM}/status", change_status),
    route("POST", rf"{API_REPO}/discussions/{NUM}/merge", merge),
]
