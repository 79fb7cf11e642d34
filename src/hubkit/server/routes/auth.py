"""Identity: /api/whoami-v2."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..errors import Forbidden, Unauthorized
from ..http import Ctx, json_response, route
from ..services.accounts import Caller, whoami
from .common import in_session


async def whoami_v2(ctx: Ctx) -> Response:
    if not ctx.token:
        raise Unauthorized("You must provide a token (Authorization: Bearer ...)")
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller) -> dict[str, Any]:
        return whoami(s, caller, public_url)

    return json_response(await in_session(ctx, work))


async def stats(ctx: Ctx) -> Response:
    """This process's traffic counters, for hub administrators (benchmarks, monitoring)."""

    def work(s: Session, caller: Caller) -> None:
        if caller.user is None or not caller.user.is_admin:
            raise Forbidden("Hub administrators only")

    await in_session(ctx, work)
    return json_response(dict(ctx.hub.stats))


ROUTES = [route("GET", r"/api/whoami-v2", whoami_v2), route("GET", r"/api/admin/stats", stats)]
