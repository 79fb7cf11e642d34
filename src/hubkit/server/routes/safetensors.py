"""Safetensors metadata of a model: every shard header in one request.

``GET /api/models/{repo_id}/safetensors-metadata/{filename}`` (``get_sharded_safetensors_metadata``
in huggingface_hub 2.4) answers ``{"index": ..., "headers": {shard: header}}`` for an index file,
read from the hub's own copy of the headers, on ``main`` unless ``?revision=`` says otherwise.
Headers describe the content, so a gated repo answers them only to those who may download.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..http import Ctx, route
from ..services import gating, refs, safetensors
from ..services.accounts import Caller
from .common import NAME, NS, in_repo


async def safetensors_metadata(ctx: Ctx) -> Response:
    filename = ctx.params["path"]
    revision = ctx.query.get("revision") or "main"
    git = ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> bytes:
        gating.require_access(s, caller, repo)
        commit = refs.resolve(s, repo, revision).commit
        return safetensors.metadata_answer(s, git, repo.id, commit, filename)

    return Response(await in_repo(ctx, work), media_type="application/json")


ROUTES = [route("GET", rf"/api/models/{NS}/{NAME}/safetensors-metadata/(?P<path>.+)", safetensors_metadata)]
