"""File download: HEAD and GET on /{prefix}{repo_id}/resolve/{revision}/{path}.

Files are answered with 200 on the resolve URL itself (never a same-origin redirect: the
2.4.0 client would follow it and read the metadata from the target). Xet-held content is
advertised with ``X-Xet-Hash`` and the ``xet-auth`` link, and is also served as plain bytes,
reconstructed on the fly, for clients without Xet.
"""

from __future__ import annotations

import functools
import mimetypes
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..http import Ctx, route
from ..responses import ContentResponse, StreamResponse, parse_range
from ..services import browse, fastpath, gating, listing
from ..services import xet as cas
from ..services.accounts import Caller
from .common import REV, WEB_REPO, in_repo, repo_type


@dataclass(frozen=True)
class _Found:
    target: browse.FileTarget
    xet: cas.XetEntry | None
    api_repo: str  # "models/ns/name", for the xet token URL


@functools.lru_cache(maxsize=4096)
def _name_headers(filename: str) -> tuple[str, str]:
    """Content-Type and Content-Disposition of a file name (the same names come back all day)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_")
    return (
        mimetypes.guess_type(filename)[0] or "application/octet-stream",
        f"inline; filename*=UTF-8''{quote(filename)}; filename=\"{ascii_name}\";",
    )


def _content_headers(ctx: Ctx, found: _Found) -> dict[str, str]:
    target = found.target
    content_type, disposition = _name_headers(target.path.rsplit("/", 1)[-1])
    headers = {
        "X-Repo-Commit": target.commit,
        "ETag": f'"{target.etag}"',
        "Content-Type": content_type,
        "Content-Disposition": disposition,
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if target.lfs_oid:
        headers["X-Linked-Etag"] = f'"{target.lfs_oid}"'
        headers["X-Linked-Size"] = str(target.size)
    if found.xet is not None:
        refresh = ctx.url(f"/api/{found.api_repo}/xet-read-token/{target.commit}")
        headers["X-Xet-Hash"] = found.xet.file_hash
        headers["X-Xet-Refresh-Route"] = refresh
        reconstruction = ctx.url(f"/xet/v1/reconstructions/{found.xet.file_hash}")
        headers["Link"] = f'<{refresh}>; rel="xet-auth", <{reconstruction}>; rel="xet-reconstruction-info"'
    return headers


async def _fast(ctx: Ctx, revision: str, path: str) -> _Found | None:
    """The common case in a couple of SQL reads (see services/fastpath.py); None = normal path."""
    hub, token = ctx.hub, ctx.token
    rtype, ns, name = repo_type(ctx), ctx.params["ns"], ctx.params["name"]

    def work() -> _Found | None:
        with hub.reader.rows() as rows:
            fast = fastpath.lookup(rows, token, rtype, ns, name, revision)
            if fast is None:
                return None
            target = browse.file_in_commit(hub.git, fast.commit, revision, path)
            entry = fastpath.xet_file(rows, fast.repo_pk, target.lfs_oid) if target.lfs_oid else None
            return _Found(target, entry, f"{rtype}s/{fast.repo_id}")

    return work() if hub.db.is_sqlite else await ctx.run(work)  # type: ignore[no-any-return]


async def resolve_file(ctx: Ctx) -> Response:
    revision, path = ctx.params["rev"], ctx.params["path"]
    hub = ctx.hub
    range_header = ctx.request.headers.get("range", "")
    whole = not range_header or range_header.replace(" ", "").startswith("bytes=0-")
    counted = ctx.method == "GET" and whole and listing.is_counted(repo_type(ctx), path)

    def work(s: Session, caller: Caller, repo: Repo) -> _Found:
        gating.require_access(s, caller, repo)
        target = browse.file_at(s, hub.git, repo, revision, path)
        if counted:
            listing.count_download(s, repo, path)
        entry = cas.repo_file_by_sha256(s, repo.id, target.lfs_oid) if target.lfs_oid else None
        return _Found(target, entry, f"{repo.type}s/{repo.repo_id}")

    found = None if counted else await _fast(ctx, revision, path)
    if found is None:
        found = await in_repo(ctx, work, quick=not counted)  # a counted download writes: thread pool
    target = found.target
    headers = _content_headers(ctx, found)
    byte_range = parse_range(
        ctx.request.headers.get("range"), target.size, target.etag, ctx.request.headers.get("if-range")
    )
    head = ctx.method == "HEAD"
    if target.lfs_oid and hub.s3 is not None and await ctx.run(hub.s3.exists, f"lfs/{target.lfs_oid}"):
        # Scale-out: the bucket serves the bytes; a redirect to another origin, so clients drop
        # the token and read the metadata from this response.
        filename = target.path.rsplit("/", 1)[-1]
        location = hub.s3.presign_get(f"lfs/{target.lfs_oid}", filename)
        headers = {k: v for k, v in headers.items() if k not in ("Content-Type", "Content-Disposition")}
        return Response(status_code=302, headers={**headers, "Location": location})
    if target.lfs_oid and head:  # the same answer whether the bytes are an LFS object or Xet terms
        return ContentResponse(size=target.size, headers=headers, byte_range=byte_range, head=True)
    if target.lfs_oid:
        key = f"lfs/{target.lfs_oid}"
        local = hub.store.local_path(key)
        accel = hub.settings.accel_redirect
        if accel and local is not None and "if-range" not in ctx.request.headers:
            # nginx serves the bytes (and the Range) itself; a resume with If-Range stays with
            # us, since nginx would compare it with its own ETag, not the content id
            relative = hub.store.relative_path(key)  # type: ignore[attr-defined]
            headers.pop("Content-Length", None)
            return Response(status_code=200, headers={**headers, "X-Accel-Redirect": f"{accel}/{relative}"})
        if found.xet is not None and (local is None or not await ctx.run(hub.store.exists, key)):
            a, b = byte_range or (0, target.size)
            chunks = cas.file_bytes(hub, found.xet.terms, a, b)
            return StreamResponse(size=target.size, headers=headers, byte_range=byte_range, chunks=chunks)
        return ContentResponse(size=target.size, headers=headers, byte_range=byte_range, head=False, path=local)
    data = b"" if head else await ctx.run(hub.git.blob_bytes, target.blob_oid)
    return ContentResponse(size=target.size, headers=headers, byte_range=byte_range, head=head, data=data)


ROUTES = [route("GET HEAD", rf"{WEB_REPO}/resolve/{REV}/(?P<path>.+)", resolve_file)]
