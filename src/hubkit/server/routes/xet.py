"""Xet token endpoints: not served yet, answered with a clear 501 so clients fall back."""

from __future__ import annotations

from starlette.responses import Response

from ..errors import NotImplementedYet
from ..http import Ctx, route
from .common import API_REPO


async def xet_token(ctx: Ctx) -> Response:
    raise NotImplementedYet("Xet storage is not enabled on this hub: set HF_HUB_DISABLE_XET=1 to upload")


ROUTES = [route("GET", rf"{API_REPO}/xet-(?:read|write)-token/(?P<rev>.+)", xet_token)]
