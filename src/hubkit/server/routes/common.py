"""Pieces shared by the route modules: URL patterns and the repo-scoped service runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ..db.models import Repo
from ..http import Ctx
from ..services.accounts import Caller, resolve_caller
from ..services.repos import find_repo, type_from_segment, url_prefix

T = TypeVar("T")

TYPES = r"(?P<type>models|datasets|spaces|kernels)"
NS = r"(?P<ns>[^/]+)"
NAME = r"(?P<name>[^/]+)"
# Special refs may arrive unencoded (third-party tools, browsers): accept both forms.
REV = r"(?P<rev>refs/pr/\d+|refs/convert/[\w.-]+|[^/]+)"
API_REPO = rf"/api/{TYPES}/{NS}/{NAME}"
# Resolve and LFS URLs: no prefix for models, "datasets/", "spaces/", "kernels/" otherwise.
WEB_REPO = rf"/(?:(?P<type>datasets|spaces|kernels)/)?{NS}/{NAME}"


def repo_type(ctx: Ctx) -> str:
    return type_from_segment(ctx.params.get("type") or "models")


async def in_session(ctx: Ctx, fn: Callable[[Session, Caller], T], *, quick: bool = False) -> T:
    """Run ``fn(session, caller)`` in one transaction, off the event loop.

    ``quick``: a few indexed reads on the hot download path. On SQLite they take tens of
    microseconds and never wait for a lock (WAL), less than the hand-off to a worker thread
    costs, so they run inline; a networked database always goes through the thread pool.
    """
    hub, token = ctx.hub, ctx.token

    def work() -> T:
        with hub.db.session() as s:
            return fn(s, resolve_caller(s, token))

    if quick and hub.db.is_sqlite:
        return work()
    return await ctx.run(work)  # type: ignore[no-any-return]


async def in_repo(ctx: Ctx, fn: Callable[[Session, Caller, Repo], T], *, write: bool = False, quick: bool = False) -> T:
    """Run ``fn(session, caller, repo)`` for the repo named by the path, checking access."""
    rtype, ns, name = repo_type(ctx), ctx.params["ns"], ctx.params["name"]

    def work(s: Session, caller: Caller) -> T:
        return fn(s, caller, find_repo(s, caller, rtype, ns, name, write=write))

    return await in_session(ctx, work, quick=quick)


def web_url(ctx: Ctx, repo: Repo) -> str:
    return ctx.url(f"/{url_prefix(repo.type)}{repo.repo_id}")


def bool_value(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def paged(ctx: Ctx, items: list[Any], page_size: int = 1000) -> tuple[list[Any], dict[str, str] | None]:
    """One page of a listing (``cursor`` = offset) and the ``Link`` header to the next one."""
    try:
        offset = max(0, int(ctx.query.get("cursor") or 0))
        limit = max(1, min(int(ctx.query.get("limit") or page_size), page_size))
    except ValueError:
        from ..errors import BadRequest

        raise BadRequest("cursor and limit must be integers") from None
    page = items[offset : offset + limit]
    if offset + limit < len(items):
        return page, {"Link": ctx.next_link(cursor=str(offset + limit))}
    return page, None
