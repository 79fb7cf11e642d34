"""Gated repos: asking for access and handling requests (/user-access-request/*, ask-access)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest
from ..http import Ctx, json_response, route
from ..services import gating
from ..services.accounts import Caller
from ..services.repos import require_write
from .common import API_REPO, WEB_REPO, in_repo, paged


async def list_requests(ctx: Ctx) -> Response:
    status = ctx.params["status"]

    def work(s: Session, caller: Caller, repo: Repo) -> list[dict[str, Any]]:
        return gating.list_requests(s, caller, repo, status)

    page, headers = paged(ctx, await in_repo(ctx, work))
    return json_response(page, headers=headers)


async def handle(ctx: Ctx) -> Response:
    body = await ctx.json_object()

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        gating.handle(s, caller, repo, body)

    await in_repo(ctx, work)
    return json_response({"success": True})


async def grant(ctx: Ctx) -> Response:
    body = await ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("user"), str):
        raise BadRequest("The request body needs a 'user'")

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        gating.grant(s, caller, repo, body["user"])

    await in_repo(ctx, work)
    return json_response({"success": True})


async def ask_access(ctx: Ctx) -> Response:
    body = await ctx.json() if "json" in ctx.request.headers.get("content-type", "") else {}
    fields = body if isinstance(body, dict) and body else None

    def work(s: Session, caller: Caller, repo: Repo) -> str:
        return gating.ask_access(s, caller, repo, fields).status

    return json_response({"status": await in_repo(ctx, work)})


async def auth_check(ctx: Ctx) -> Response:
    """200 when the caller may read the repo's files (``/write``: push to it), else the error."""
    write = ctx.params.get("write") is not None

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        if write:
            require_write(caller, repo)
        else:
            gating.require_access(s, caller, repo)

    await in_repo(ctx, work)
    return json_response({"success": True})


ROUTES = [
    route("GET", rf"{API_REPO}/auth-check(?P<write>/write)?", auth_check),
    route("GET", rf"{API_REPO}/user-access-request/(?P<status>pending|accepted|rejected)", list_requests),
    route("POST", rf"{API_REPO}/user-access-request/handle", handle),
    route("POST", rf"{API_REPO}/user-access-request/grant", grant),
    route("POST", rf"{API_REPO}/ask-access", ask_access),
    route("POST", rf"{WEB_REPO}/ask-access", ask_access),
]
