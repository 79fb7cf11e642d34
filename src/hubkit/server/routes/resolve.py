"""File download: HEAD and GET on /{prefix}{repo_id}/resolve/{revision}/{path}."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..http import Ctx, route
from ..responses import ContentResponse, parse_range
from ..services import browse
from ..services.accounts import Caller
from .common import REV, WEB_REPO, in_repo


def _content_headers(target: browse.FileTarget) -> dict[str, str]:
    filename = target.path.rsplit("/", 1)[-1]
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    headers = {
        "X-Repo-Commit": target.commit,
        "ETag": f'"{target.etag}"',
        "Content-Type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}; filename=\"{ascii_name}\";",
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if target.lfs_oid:
        headers["X-Linked-Etag"] = f'"{target.lfs_oid}"'
        headers["X-Linked-Size"] = str(target.size)
    return headers


async def resolve_file(ctx: Ctx) -> Response:
    revision, path = ctx.params["rev"], ctx.params["path"]
    git = ctx.hub.git

    def work(s: Session, caller: Caller, repo: Repo) -> browse.FileTarget:
        return browse.file_at(s, git, repo, revision, path)

    target = await in_repo(ctx, work)
    headers = _content_headers(target)
    byte_range = parse_range(
        ctx.request.headers.get("range"), target.size, target.etag, ctx.request.headers.get("if-range")
    )
    head = ctx.method == "HEAD"
    if target.lfs_oid:
        local = ctx.hub.store.local_path(f"lfs/{target.lfs_oid}")
        return ContentResponse(size=target.size, headers=headers, byte_range=byte_range, head=head, path=local)
    data = b"" if head else await ctx.run(git.blob_bytes, target.blob_oid)
    return ContentResponse(size=target.size, headers=headers, byte_range=byte_range, head=head, data=data)


ROUTES = [route("GET HEAD", rf"{WEB_REPO}/resolve/{REV}/(?P<path>.+)", resolve_file)]
