"""Xet token endpoints: not served yet, answered with a clear 501 so clients fall back."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import NotImplementedYet
from ..http import Ctx, route
from ..services.accounts import Caller
from .common import API_REPO, in_repo


async def xet_token(ctx: Ctx) -> Response:
    def check(s: Session, caller: Caller, repo: Repo) -> None:
        """Access is checked first: a private repo stays invisible here too."""

    await in_repo(ctx, check)
    raise NotImplementedYet("Xet storage is not enabled on this hub: set HF_HUB_DISABLE_XET=1 to upload")


ROUTES = [route("GET", rf"{API_REPO}/xet-(?:read|write)-token/(?P<rev>.+)", xet_token)]
