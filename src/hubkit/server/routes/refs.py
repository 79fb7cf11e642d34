"""Branches and tags: /api/{type}s/{id}/branch/{name} and /tag/{...}."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest
from ..http import Ctx, json_response, route
from ..services import events, refs
from ..services.accounts import Caller
from .common import API_REPO, in_repo


async def create_branch(ctx: Ctx) -> Response:
    branch = ctx.params["branch"]
    body = await ctx.json_object()
    start = body.get("startingPoint")
    if start is not None and not isinstance(start, str):
        raise BadRequest("startingPoint must be a string")

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        target = refs.create_branch(s, repo, branch, start)
        _moved(ctx, s, caller, repo, refs.HEADS + branch, None, target)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


async def delete_branch(ctx: Ctx) -> Response:
    branch = ctx.params["branch"]

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        old = refs.delete_branch(s, repo, branch)
        _moved(ctx, s, caller, repo, branch if branch.startswith(refs.HEADS) else refs.HEADS + branch, old, None)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


async def create_tag(ctx: Ctx) -> Response:
    revision = ctx.params["tag"]  # for creation, the path names the revision to tag
    body = await ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("tag"), str):
        raise BadRequest("The request body needs a 'tag' name")
    message = body.get("message")

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        target = refs.create_tag(s, repo, revision, body["tag"], message if isinstance(message, str) else None)
        _moved(ctx, s, caller, repo, refs.TAGS + body["tag"], None, target)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


async def delete_tag(ctx: Ctx) -> Response:
    tag = ctx.params["tag"]

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        old = refs.delete_tag(s, repo, tag)
        _moved(ctx, s, caller, repo, tag if tag.startswith(refs.TAGS) else refs.TAGS + tag, old, None)

    await in_repo(ctx, work, write=True)
    return json_response({"success": True})


def _moved(ctx: Ctx, s: Session, caller: Caller, repo: Repo, ref: str, old: str | None, new: str | None) -> None:
    actor = caller.user.id if caller.user is not None else None
    events.ref_updated(s, ctx.hub.git, events.RefUpdate(repo.id, ref, old, new, actor))


ROUTES = [
    route("POST", rf"{API_REPO}/branch/(?P<branch>.+)", create_branch),
    route("DELETE", rf"{API_REPO}/branch/(?P<branch>.+)", delete_branch),
    route("POST", rf"{API_REPO}/tag/(?P<tag>.+)", create_tag),
    route("DELETE", rf"{API_REPO}/tag/(?P<tag>.+)", delete_tag),
]
