"""Branches and tags: /api/{type}s/{id}/branch/{name} and /tag/{...}."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest
from ..http import Ctx, json_response, route
from ..services import refs
from ..services.accounts import Caller
from .common import API_REPO, in_repo


async def create_branch(ctx: Ctx) -> Response:
    branch = ctx.params["branch"]
    body = await ctx.json_object()
    start = body.get("startingPoint")
    if start is not None and not isinstance(start, str):
        raise BadRequest("startingPoint must be a string")

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        refs.create_branch(s, repo, branch, start)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


async def delete_branch(ctx: Ctx) -> Response:
    branch = ctx.params["branch"]

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        refs.delete_branch(s, repo, branch)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


async def create_tag(ctx: Ctx) -> Response:
    revision = ctx.params["tag"]  # for creation, the path names the revision to tag
    body = await ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("tag"), str):
        raise BadRequest("The request body needs a 'tag' name")
    message = body.get("message")

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        refs.create_tag(s, repo, revision, body["tag"], message if isinstance(message, str) else None)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


async def delete_tag(ctx: Ctx) -> Response:
    tag = ctx.params["tag"]

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        refs.delete_tag(s, repo, tag)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


ROUTES = [
    route("POST", rf"{API_REPO}/branch/(?P<branch>.+)", create_branch),
    route("DELETE", rf"{API_REPO}/branch/(?P<branch>.+)", delete_branch),
    route("POST", rf"{API_REPO}/tag/(?P<tag>.+)", create_tag),
    route("DELETE", rf"{API_REPO}/tag/(?P<tag>.+)", delete_tag),
]
