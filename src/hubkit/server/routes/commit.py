"""The commit API: validate-yaml, preupload, commit NDJSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest, PayloadTooLarge
from ..http import Ctx, json_response, route
from ..services import card_validation, commits, refs
from ..services.accounts import Caller
from ..services.preupload import preupload
from .common import API_REPO, REV, in_repo, repo_type

MAX_COMMIT_BODY = 2 * 1024**3
MAX_CARD_BODY = 16 * 1024**2  # a README to validate; the Hub refuses far smaller ones


async def validate_yaml(ctx: Ctx) -> Response:
    length = ctx.request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_CARD_BODY:
        raise PayloadTooLarge(f"The README to validate is larger than {MAX_CARD_BODY} bytes")
    body = await ctx.json()
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str):
        raise BadRequest("'content' (the README.md text) is required")
    repo_type = body.get("repoType") or "model"
    report = card_validation.validate(content, repo_type if isinstance(repo_type, str) else "model")
    status = 400 if report.errors else 200
    accept = ctx.request.headers.get("accept", "")
    if "text/plain" in accept and "application/json" not in accept:  # RepoCard.validate() reads the text
        return Response(report.as_text(), status_code=status, media_type="text/plain")
    return json_response(report.as_json(), status)


async def preupload_files(ctx: Ctx) -> Response:
    revision = ctx.params["rev"]
    body = await ctx.json()
    git, regular_max = ctx.hub.git, ctx.hub.settings.regular_file_max
    create_pr = ctx.qbool("create_pr")

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        commits.check_may_push(s, caller, repo, revision, create_pr=create_pr)
        commit = refs.resolve(s, repo, revision).commit
        return preupload(git, commit, body, regular_max)

    return json_response(await in_repo(ctx, work))


async def commit(ctx: Ctx) -> Response:
    length = ctx.request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_COMMIT_BODY:
        raise PayloadTooLarge("The commit payload is too large: upload big files through LFS")
    body = await ctx.request.body()
    if len(body) > MAX_COMMIT_BODY:
        raise PayloadTooLarge("The commit payload is too large: upload big files through LFS")
    hub, token = ctx.hub, ctx.token
    params = {
        "repo_type": repo_type(ctx),
        "namespace": ctx.params["ns"],
        "name": ctx.params["name"],
        "revision": ctx.params["rev"],
        "body": body,
        "create_pr": ctx.qbool("create_pr"),
    }

    def work() -> dict[str, Any]:
        from ..services.accounts import resolve_caller

        with hub.db.session() as s:
            caller = resolve_caller(s, token)
        return commits.create_commit(hub, caller, **params)

    return json_response(await ctx.run(work))


ROUTES = [
    route("POST", r"/api/validate-yaml", validate_yaml),
    route("POST", rf"{API_REPO}/preupload/{REV}", preupload_files),
    route("POST", rf"{API_REPO}/commit/{REV}", commit),
]
