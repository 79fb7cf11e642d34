"""Git LFS: batch and verify on the repo's .git/info/lfs URL, and the signed transfer URLs."""

from __future__ import annotations

import errno
import re
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from ..db.models import Repo
from ..errors import BadRequest, HubError
from ..http import Ctx, json_response, route
from ..responses import ContentResponse, parse_range
from ..services import gating, lfs
from ..services.accounts import Caller
from ..services.repos import find_repo, require_write
from .common import API_REPO, NS, in_repo

LFS_JSON = "application/vnd.git-lfs+json"
LFS_REPO = r"/(?:(?P<type>datasets|spaces|kernels)/)?" + NS + r"/(?P<name>[^/]+?)\.git/info/lfs"
SIGNED = r"/api/lfs/(?P<repo>\d+)/(?P<oid>[0-9a-f]{64})/(?P<size>\d+)"
FLUSH_AT = 8 * 1024 * 1024


class InsufficientStorage(HubError):
    status = 507


def _lfs_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = json_response(data, status, headers)
    response.headers["Content-Type"] = LFS_JSON
    return response


async def batch(ctx: Ctx) -> Response:
    body = await ctx.json()
    operation = body.get("operation") if isinstance(body, dict) else None
    hub = ctx.hub
    lfs_base = ctx.url(re.sub(r"/objects/batch$", "", ctx.path))

    def work(s: Session, caller: Caller, repo: Repo) -> dict[str, Any]:
        if operation == "upload":
            _check_may_upload(caller, repo, body)
        else:
            gating.require_access(s, caller, repo)
        return lfs.batch(hub, s, repo, body, lfs_base)

    return _lfs_json(await in_repo(ctx, work))


def _check_may_upload(caller: Caller, repo: Repo, body: dict[str, Any]) -> None:
    """Writers upload anywhere; anyone who may open a pull request uploads for one (no ref
    given, as when the commit will create the PR, or a refs/pr/N ref)."""
    ref = body.get("ref")
    ref_name = ref.get("name") if isinstance(ref, dict) else None
    if caller.may_write(repo):
        return
    if (ref_name is None or str(ref_name).startswith("refs/pr/")) and caller.user is not None and caller.can_write:
        return
    require_write(caller, repo)


async def verify(ctx: Ctx) -> Response:
    body = await ctx.json()

    hub = ctx.hub

    def work(s: Session, caller: Caller, repo: Repo) -> None:
        lfs.verify(hub, s, repo, body)

    await in_repo(ctx, work)
    return _lfs_json({"message": "ok"})


def _signed(ctx: Ctx) -> tuple[int, str, int]:
    lfs.check_signature(ctx.hub, ctx.path, ctx.query.get("exp"), ctx.query.get("sig"))
    return int(ctx.params["repo"]), ctx.params["oid"], int(ctx.params["size"])


async def _receive(ctx: Ctx, sink: lfs.Sink | lfs.PartSink, limit: int) -> None:
    """Stream the request body into ``sink`` (off the event loop), refusing more than ``limit``."""
    buf = bytearray()
    try:
        async for chunk in ctx.request.stream():
            buf += chunk
            if sink.size + len(buf) > limit:
                raise BadRequest(f"Too much data: at most {limit} bytes expected")
            if len(buf) >= FLUSH_AT:
                data, buf = buf, bytearray()
                await ctx.run(sink.write, data)
        if buf:
            await ctx.run(sink.write, buf)
    except OSError as err:
        sink.discard()
        if err.errno == errno.ENOSPC:
            raise InsufficientStorage("The hub's storage is full: nothing was stored") from None
        raise
    except BaseException:
        sink.discard()
        raise


async def upload(ctx: Ctx) -> Response:
    repo_id, oid, size = _signed(ctx)
    sink = lfs.Sink(ctx.hub.store.temp_dir())
    await _receive(ctx, sink, size)
    ctx.hub.stats["lfs_bytes_received"] += sink.size
    got = sink.close()
    assert got is not None
    await ctx.run(lfs.store_verified, ctx.hub, repo_id, oid, size, sink.path, got, sink.size)
    return Response(status_code=200)


async def complete_s3(ctx: Ctx) -> Response:
    repo_id, oid, size = _signed(ctx)
    body = await ctx.json_object("completion body")
    if body.get("oid", oid) != oid:
        raise BadRequest("The oid of the body does not match the upload")
    parts = body.get("parts")
    await ctx.run(lfs.complete_s3_multipart, ctx.hub, repo_id, oid, size, ctx.params["upload"], parts)
    return _lfs_json({"message": "ok"})


async def download(ctx: Ctx) -> Response:
    _, oid, size = _signed(ctx)
    if ctx.hub.s3 is not None:
        return Response(status_code=302, headers={"Location": ctx.hub.s3.presign_get(f"lfs/{oid}")})
    byte_range = parse_range(ctx.request.headers.get("range"), size, oid, ctx.request.headers.get("if-range"))
    path = ctx.hub.store.local_path(f"lfs/{oid}")
    headers = {"ETag": f'"{oid}"', "Content-Type": "application/octet-stream"}
    return ContentResponse(size=size, headers=headers, byte_range=byte_range, head=ctx.method == "HEAD", path=path)


async def upload_part(ctx: Ctx) -> Response:
    _signed(ctx)
    upload_id, part = ctx.params["upload"], int(ctx.params["part"])
    chunk = ctx.hub.settings.lfs_chunk_size
    sink = lfs.PartSink(lfs.upload_dir(ctx.hub, upload_id), part, chunk)
    await _receive(ctx, sink, chunk)
    ctx.hub.stats["lfs_bytes_received"] += sink.size
    sink.close()
    return Response(status_code=200, headers={"ETag": f'"{lfs.part_etag(upload_id, part, sink.size)}"'})


async def complete(ctx: Ctx) -> Response:
    repo_id, oid, size = _signed(ctx)
    body = await ctx.json_object("completion body")
    if body.get("oid", oid) != oid:
        raise BadRequest("The oid of the body does not match the upload")
    await ctx.run(lfs.complete_multipart, ctx.hub, repo_id, oid, size, ctx.params["upload"], body.get("parts"))
    return _lfs_json({"message": "ok"})


async def duplicate(ctx: Ctx) -> Response:
    """Cross-repo copies of LFS/Xet files: called on the source repo, names the target."""
    body = await ctx.json()
    target = body.get("target") if isinstance(body, dict) else None
    if not isinstance(target, dict) or not isinstance(target.get("name"), str) or "/" not in target["name"]:
        raise BadRequest("The body needs target.name (namespace/name) and target.type")
    target_type = str(target.get("type") or "model")
    t_ns, t_name = target["name"].split("/", 1)

    def work(s: Session, caller: Caller, source: Repo) -> list[dict[str, str]]:
        dest = find_repo(s, caller, target_type, t_ns, t_name, write=True)
        return lfs.duplicate(s, source, dest, body.get("files"))

    return json_response({"failed": await in_repo(ctx, work)})


ROUTES = [
    route("POST", rf"{API_REPO}/lfs-files/duplicate", duplicate),
    route("POST", rf"{LFS_REPO}/objects/batch", batch),
    route("POST", rf"{LFS_REPO}/objects/verify", verify),
    route("PUT", SIGNED, upload),
    route("GET HEAD", SIGNED, download),
    route("PUT", rf"{SIGNED}/multipart/(?P<upload>[0-9a-f]{{24}})/(?P<part>[1-9]\d{{0,4}})", upload_part),
    route("POST", rf"{SIGNED}/multipart/(?P<upload>[0-9a-f]{{24}})", complete),
    route("POST", rf"{SIGNED}/s3multipart/(?P<upload>[\w-]{{1,2000}})", complete_s3),
]
