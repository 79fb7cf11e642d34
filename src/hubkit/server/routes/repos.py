"""Repo management and repo info: /api/repos/*, /api/{type}s/{id}[/revision/{rev}], settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest, Conflict, RepoNotFound
from ..http import Ctx, json_response, route
from ..inference import catalog
from ..services import browse, refs, repos, safetensors
from ..services.accounts import Caller
from .common import API_REPO, REV, in_repo, in_session, web_url


def _split_body(body: dict[str, Any]) -> tuple[str | None, str]:
    name = body.get("name")
    org = body.get("organization")
    if not isinstance(name, str) or not name:
        raise BadRequest("'name' is required")
    if org is not None and not isinstance(org, str):
        raise BadRequest("'organization' must be a string")
    if "/" in name:  # tolerate a full id in 'name'
        org, _, name = name.partition("/")
    return org, name


def _body_type(body: dict[str, Any]) -> str:
    rtype = body.get("type") or "model"
    if rtype not in repos.REPO_TYPES:
        raise BadRequest(f"Invalid repo type {rtype!r}")
    return str(rtype)


async def create_repo(ctx: Ctx) -> Response:
    body = await ctx.json_object()
    org, name = _split_body(body)
    rtype = _body_type(body)
    private = repos.parse_visibility(body, None, rtype)
    sdk = body.get("sdk")

    def work(s: Session, caller: Caller) -> tuple[str, str, bool]:
        repo, created = repos.create_repo(
            s,
            ctx.hub.git,
            caller,
            repo_type=rtype,
            namespace=org,
            name=name,
            private=private,
            sdk=sdk if isinstance(sdk, str) else None,
        )
        return repo.repo_id, web_url(ctx, repo), created

    repo_id, url, created = await in_session(ctx, work)
    if not created:
        raise Conflict(f"You already created this {rtype} repo", url=url)
    return json_response({"url": url, "name": repo_id, "id": repo_id})


async def delete_repo(ctx: Ctx) -> Response:
    body = await ctx.json_object()
    org, name = _split_body(body)
    rtype = _body_type(body)

    def work(s: Session, caller: Caller) -> None:
        if org is None:
            if caller.user is None:
                raise RepoNotFound(anonymous=True)
            namespace = caller.user.name
        else:
            namespace = org
        repos.delete_repo(s, caller, repo_type=rtype, namespace=namespace, name=name)

    await in_session(ctx, work)
    return Response("OK", media_type="text/plain")


async def move_repo(ctx: Ctx) -> Response:
    body = await ctx.json_object()
    src, dst = body.get("fromRepo"), body.get("toRepo")
    if not isinstance(src, str) or not isinstance(dst, str):
        raise BadRequest("'fromRepo' and 'toRepo' are required")
    rtype = _body_type(body)

    def work(s: Session, caller: Caller) -> str:
        return web_url(ctx, repos.move_repo(s, caller, repo_type=rtype, from_id=src, to_id=dst))

    url = await in_session(ctx, work)
    return json_response({"url": url})


async def update_settings(ctx: Ctx) -> Response:
    body = await ctx.json_object()

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        repos.update_settings(s, caller, repo, body)

    await in_repo(ctx, work)
    return json_response({"success": True})


async def repo_info(ctx: Ctx) -> Response:
    revision = ctx.params.get("rev", "main")
    blobs = ctx.qbool("blobs")
    expand = ctx.qlist("expand") or None
    git = ctx.hub.git
    inference = ctx.hub.settings.inference

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        commit = refs.resolve(s, repo, revision).commit
        info = browse.repo_info(git, repo, commit, blobs=blobs, expand=expand)
        if repo.type == "model" and (not expand or "safetensors" in expand):
            weights = safetensors.repo_summary(s, repo, git, commit)
            if weights is not None:
                info["safetensors"] = weights
        if inference:  # which models this hub runs (inference / inferenceProviderMapping)
            info.update(catalog.repo_fields(repo, expand))
        return info

    return json_response(await in_repo(ctx, work))


async def duplicate(ctx: Ctx) -> Response:
    body = await ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("repository"), str):
        raise BadRequest("The request body needs the target 'repository' (namespace/name)")
    to_id = body["repository"]
    private = repos.parse_visibility(body, None)
    git = ctx.hub.git

    def work(s: Session, caller: Caller, source: Repo) -> tuple[str, bool]:
        repo, created = repos.duplicate_repo(s, git, caller, source, to_id=to_id, private=private)
        return web_url(ctx, repo), created

    url, created = await in_repo(ctx, work)
    if not created:
        raise Conflict("A repo with this name already exists", url=url)
    return json_response({"url": url})


async def super_squash(ctx: Ctx) -> Response:
    branch = ctx.params["branch"]
    body = await ctx.json()
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        message = f"Super-squash branch '{branch}'"
    git = ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> str:
        return repos.super_squash(s, git, caller, repo, branch, message)

    return json_response({"commitId": await in_repo(ctx, work, write=True)})


ROUTES = [
    route("POST", r"/api/repos/create", create_repo),
    route("DELETE", r"/api/repos/delete", delete_repo),
    route("POST", r"/api/repos/move", move_repo),
    route("PUT", rf"{API_REPO}/settings", update_settings),
    route("GET", API_REPO, repo_info),
    route("GET", rf"{API_REPO}/revision/{REV}", repo_info),
    route("POST", rf"{API_REPO}/duplicate", duplicate),
    route("POST", rf"{API_REPO}/super-squash/(?P<branch>.+)", super_squash),
]
