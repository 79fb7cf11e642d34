"""Listing and search (/api/models|datasets|spaces), likes, users and organizations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Membership, Namespace, Repo
from ..errors import BadRequest, NotFound
from ..http import Ctx, json_response, route
from ..inference import catalog
from ..services import listing, safetensors
from ..services.accounts import Caller, get_namespace
from .common import API_REPO, TYPES, in_repo, in_session, paged, repo_type

PAGE = 1000


def _int(ctx: Ctx, name: str, default: int) -> int:
    try:
        return int(ctx.query.get(name) or default)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


async def list_repos(ctx: Ctx) -> Response:
    limit = max(1, min(_int(ctx, "limit", PAGE), PAGE))
    offset = max(0, _int(ctx, "cursor", 0))
    direction = ctx.query.get("direction")
    gated = ctx.query.get("gated")
    query = listing.Query(
        repo_type=repo_type(ctx),
        search=[x for x in ctx.qlist("search") if x],
        author=ctx.query.get("author"),
        filters=[x for x in ctx.qlist("filter") if x],
        sort=ctx.query.get("sort"),
        descending=direction != "1",  # the Hub sorts descending; 0.x clients send direction=-1
        limit=limit + 1,
        offset=offset,
        gated=None if gated is None else ctx.qbool("gated"),
    )
    full, card = ctx.qbool("full"), ctx.qbool("cardData")
    expand = ctx.qlist("expand") or None
    git = ctx.hub.git
    inference = ctx.hub.settings.inference

    def work(s: Session, caller: Caller) -> list[dict[str, Any]]:
        found = listing.search(s, caller, query)
        items = [listing.item(s, git, r, full=full, card=card, expand=expand) for r in found]
        if expand and "safetensors" in expand:
            weights = safetensors.summaries(s, [r.id for r in found])
            for repo, item in zip(found, items, strict=True):
                if repo.id in weights:
                    item["safetensors"] = weights[repo.id]
        if inference and (full or expand):
            for repo, item in zip(found, items, strict=True):
                item.update(catalog.repo_fields(repo, expand))
        return items

    items = await in_session(ctx, work)
    headers = None
    if len(items) > limit:
        items = items[:limit]
        headers = {"Link": ctx.next_link(cursor=str(offset + limit))}
    return json_response(items, headers=headers)


async def like(ctx: Ctx) -> Response:
    liked = ctx.method == "POST"

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        listing.like(s, caller, repo, liked)

    await in_repo(ctx, work)
    return json_response({"success": True})


async def likers(ctx: Ctx) -> Response:
    public_url = ctx.hub.settings.public_url

    def work(s: Session, caller: Caller, repo: Repo) -> list[dict[str, Any]]:
        return listing.likers(s, repo, public_url)

    page, headers = paged(ctx, await in_repo(ctx, work))
    return json_response(page, headers=headers)


def _namespace(s: Session, name: str, kind: str) -> Namespace:
    ns = get_namespace(s, name)
    if ns is None or ns.kind != kind:
        raise NotFound(f"No {'user' if kind == 'user' else 'organization'} named {name!r}")
    return ns


def _counts(s: Session, caller: Caller, ns: Namespace) -> dict[str, int]:
    q = listing.readable(select(Repo.type, func.count()).where(Repo.owner_id == ns.id), caller).group_by(Repo.type)
    counts = dict(s.execute(q).all())
    return {"numModels": counts.get("model", 0), "numDatasets": counts.get("dataset", 0),
            "numSpaces": counts.get("space", 0)}  # fmt: skip


async def user_overview(ctx: Ctx) -> Response:
    name, public_url = ctx.params["user"], ctx.hub.settings.public_url

    def work(s: Session, caller: Caller) -> dict[str, Any]:
        user = _namespace(s, name, "user")
        orgs = s.scalars(select(Namespace).join(Membership, Membership.org_id == Namespace.id)
                         .where(Membership.user_id == user.id)).all()  # fmt: skip
        return {
            "_id": f"{user.id:024x}", "user": user.name, "fullname": user.fullname, "type": "user",
            "avatarUrl": f"{public_url}/avatars/{user.name}", "isPro": False,
            "createdAt": user.created_at.isoformat() + "Z", **_counts(s, caller, user),
            "orgs": [{"name": o.name, "fullname": o.fullname, "avatarUrl": f"{public_url}/avatars/{o.name}"}
                     for o in orgs],
        }  # fmt: skip

    return json_response(await in_session(ctx, work))


async def org_overview(ctx: Ctx) -> Response:
    name, public_url = ctx.params["org"], ctx.hub.settings.public_url

    def work(s: Session, caller: Caller) -> dict[str, Any]:
        org = _namespace(s, name, "org")
        members = s.scalar(select(func.count()).where(Membership.org_id == org.id)) or 0
        return {"_id": f"{org.id:024x}", "name": org.name, "fullname": org.fullname, "type": "org",
                "avatarUrl": f"{public_url}/avatars/{org.name}", "numUsers": members,
                **_counts(s, caller, org)}  # fmt: skip

    return json_response(await in_session(ctx, work))


async def org_members(ctx: Ctx) -> Response:
    name, public_url = ctx.params["org"], ctx.hub.settings.public_url

    def work(s: Session, caller: Caller) -> list[dict[str, Any]]:
        org = _namespace(s, name, "org")
        rows = s.execute(select(Namespace, Membership.role).join(Membership, Membership.user_id == Namespace.id)
                         .where(Membership.org_id == org.id).order_by(Namespace.name_lower)).all()  # fmt: skip
        return [{"user": u.name, "fullname": u.fullname, "avatarUrl": f"{public_url}/avatars/{u.name}",
                 "type": "user", "role": role} for u, role in rows]  # fmt: skip

    page, headers = paged(ctx, await in_session(ctx, work))
    return json_response(page, headers=headers)


async def user_likes(ctx: Ctx) -> Response:
    name = ctx.params["user"]

    def work(s: Session, caller: Caller) -> list[dict[str, Any]]:
        return listing.user_likes(s, caller, _namespace(s, name, "user"))

    page, headers = paged(ctx, await in_session(ctx, work))
    return json_response(page, headers=headers)


ROUTES = [
    route("GET", rf"/api/{TYPES}", list_repos),
    route("POST DELETE", rf"{API_REPO}/like", like),
    route("GET", rf"{API_REPO}/likers", likers),
    route("GET", r"/api/users/(?P<user>[^/]+)/overview", user_overview),
    route("GET", r"/api/users/(?P<user>[^/]+)/likes", user_likes),
    route("GET", r"/api/organizations/(?P<org>[^/]+)/overview", org_overview),
    route("GET", r"/api/organizations/(?P<org>[^/]+)/members", org_members),
]
