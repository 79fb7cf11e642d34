"""Xet: the hub's token endpoints and the CAS API mounted under ``{public_url}/xet``."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from ..db.models import Repo
from ..errors import BadRequest, Forbidden, HubError, PayloadTooLarge, RangeNotSatisfiable
from ..http import Ctx, json_response, route
from ..services import commits, gating, refs
from ..services import xet as cas
from ..services.accounts import Caller
from ..xet import xorb
from .common import API_REPO, in_repo

HASH = r"(?P<hash>[0-9a-f]{64})"
PREFIX = r"(?P<prefix>[\w-]+)"
MAX_SHARD = 64 * 1024 * 1024
KEEPALIVE = 15.0


# --- hub side: tokens ----------------------------------------------------------------------


async def xet_token(ctx: Ctx) -> Response:
    scope = ctx.params["scope"]
    revision = ctx.params["rev"]
    create_pr = ctx.qbool("create_pr")
    secret = ctx.hub.secret

    def work(s: Session, caller: Caller, repo: Repo) -> tuple[str, int]:
        gating.require_access(s, caller, repo)
        if scope == "write":
            if revision == "None" and not create_pr:
                raise BadRequest("A write token needs a revision (or create_pr=1)")
            commits.check_may_push(s, caller, repo, revision, create_pr=create_pr)
        if revision != "None":
            refs.resolve(s, repo, revision)  # RevisionNotFound for an unknown revision
        return cas.issue_token(secret, repo.id, scope)

    token, exp = await in_repo(ctx, work)
    cas_url = ctx.url("/xet")
    headers = {"X-Xet-Access-Token": token, "X-Xet-Token-Expiration": str(exp), "X-Xet-Cas-Url": cas_url}
    return json_response({"accessToken": token, "exp": exp, "casUrl": cas_url}, headers=headers)


# --- CAS -----------------------------------------------------------------------------------


def _token(ctx: Ctx, scope: str) -> cas.CasToken:
    return cas.check_token(ctx.hub.secret, ctx.token, scope)


async def upload_xorb(ctx: Ctx) -> Response:
    _token(ctx, "write")
    cas.check_prefix(ctx.params["prefix"])
    raw = cas.parse_hash(ctx.params["hash"])
    length = ctx.request.headers.get("content-length")
    if length and length.isdigit() and int(length) > xorb.MAX_BODY:
        raise PayloadTooLarge("A xorb is at most 65 MiB")
    body = await ctx.request.body()
    ctx.hub.stats["xet_xorb_bytes_received"] += len(body)
    ctx.hub.stats["xet_xorb_uploads"] += 1
    inserted = await ctx.run(cas.store_xorb, ctx.hub, raw, body)
    return json_response({"was_inserted": inserted})


async def head_xorb(ctx: Ctx) -> Response:
    _token(ctx, "read")
    size = await ctx.run(cas.xorb_size, ctx.hub, cas.parse_hash(ctx.params["hash"]))
    if size is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"Content-Length": str(size)})


async def no_such_feature(ctx: Ctx) -> Response:
    """Upload grants and global dedup are optional: 404 makes hf_xet use the plain paths."""
    _token(ctx, "read")
    return json_response({"error": "Not supported by this hub"}, 404)


async def telemetry(ctx: Ctx) -> Response:
    return Response(status_code=204)


async def _shard_body(ctx: Ctx) -> tuple[cas.CasToken, bytes]:
    tok = _token(ctx, "write")
    body = await ctx.request.body()
    if len(body) > MAX_SHARD:
        raise PayloadTooLarge("A shard is at most 64 MiB")
    return tok, body


async def upload_shard_v1(ctx: Ctx) -> Response:
    tok, body = await _shard_body(ctx)
    result = await ctx.run(cas.register_shard, ctx.hub, tok.repo_id, body)
    return json_response({"result": result})


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode() + b"\n"


async def upload_shard_v2(ctx: Ctx) -> Response:
    """NDJSON progress events; verifying large new files takes a while, so keep-alive lines
    are sent until the result (or an error event) ends the stream."""
    tok, body = await _shard_body(ctx)
    task = asyncio.ensure_future(ctx.run(cas.register_shard, ctx.hub, tok.repo_id, body))

    async def events() -> AsyncIterator[bytes]:
        yield _line({"type": "validating", "verified": 0, "total": 1})
        while True:
            done, _ = await asyncio.wait({task}, timeout=KEEPALIVE)
            if done:
                break
            yield _line({"type": "validating", "verified": 0, "total": 1})
        try:
            result = task.result()
        except HubError as err:
            yield _line({"type": "error", "message": err.message, "retryable": False})
            return
        except Exception:
            yield _line({"type": "error", "message": "Internal error while registering the shard", "retryable": True})
            return
        yield _line({"type": "committing", "stage": "uploading"})
        yield _line({"type": "result", "result": result})

    return StreamingResponse(events(), media_type="application/x-ndjson", headers={"Cache-Control": "no-cache"})


async def reconstruction(ctx: Ctx) -> Response:
    tok = _token(ctx, "read")
    name = ctx.params["hash"]
    cas.parse_hash(name)
    version = int(ctx.params["version"])
    hub = ctx.hub
    entry = await ctx.run(cas.readable_file, hub, tok.repo_id, name)
    if entry.size == 0:
        return json_response({"offset_into_first_range": 0, "terms": [], "xorbs" if version == 2 else "fetch_info": {}})
    a, b = cas.byte_range(ctx.request.headers.get("range"), entry.size)

    def url(raw: bytes, ranges: list[Any]) -> str:
        return cas.transfer_url(hub, raw, ranges)

    plan = await ctx.run(lambda: cas.reconstruction(hub, entry, a, b, version=version, xorb_url=url))
    return json_response(plan)


async def head_file(ctx: Ctx) -> Response:
    tok = _token(ctx, "read")
    entry = await ctx.run(cas.readable_file, ctx.hub, tok.repo_id, ctx.params["hash"])
    return Response(status_code=200, headers={"Content-Length": str(entry.size)})


_RANGES_RE = re.compile(r"^\s*bytes\s*=\s*(.+)$", re.I)


def _requested(header: str | None, signed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if not header:
        return signed
    m = _RANGES_RE.match(header)
    if not m:
        raise BadRequest("Malformed Range header")
    out = []
    for part in m.group(1).split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or not last.isdigit():
            raise BadRequest("Only closed byte ranges are served here")
        a, b = int(first), int(last)
        if not any(s <= a <= b <= e for s, e in signed):
            raise Forbidden("Range outside of the signed ranges of this URL")
        out.append((a, b))
    return out


async def transfer(ctx: Ctx) -> Response:
    """A signed, unauthenticated read of byte ranges of a stored xorb stream."""
    name = ctx.params["hash"]
    q = ctx.query
    signed = cas.check_transfer(ctx.hub, name, q.get("r", ""), q.get("exp", ""), q.get("sig", ""))
    ranges = _requested(ctx.request.headers.get("range"), signed)
    key = f"xorb/{name}"
    size = await ctx.run(ctx.hub.store.size, key)
    if size is None:
        raise RangeNotSatisfiable("Unknown xorb")
    for a, b in ranges:
        if b >= size:
            raise RangeNotSatisfiable(f"Range {a}-{b} beyond the xorb ({size} bytes)")
    if len(ranges) == 1:
        a, b = ranges[0]
        data = await ctx.run(ctx.hub.store.read_range, key, a, b + 1)
        return Response(data, 206, {"Content-Range": f"bytes {a}-{b}/{size}"}, media_type="application/octet-stream")
    boundary = secrets.token_hex(12)
    parts = []
    for a, b in ranges:
        data = await ctx.run(ctx.hub.store.read_range, key, a, b + 1)
        head = f"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes {a}-{b}/{size}\r\n\r\n"
        parts += [head.encode(), data, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return Response(b"".join(parts), 206, media_type=f"multipart/byteranges; boundary={boundary}")


ROUTES = [
    route("GET", rf"{API_REPO}/xet-(?P<scope>read|write)-token/(?P<rev>[^/]+)", xet_token),
    route("POST", rf"/xet/v1/xorbs/{PREFIX}/{HASH}", upload_xorb),
    route("HEAD", rf"/xet/v1/xorbs/{PREFIX}/{HASH}", head_xorb),
    route("POST", rf"/xet/v1/xorb-grants/{PREFIX}/{HASH}", no_such_feature),
    route("GET", rf"/xet/v1/chunks/{PREFIX}/{HASH}", no_such_feature),
    route("POST", r"/xet/v1/shards", upload_shard_v1),
    route("POST", r"/xet/v2/shards", upload_shard_v2),
    route("GET", rf"/xet/v(?P<version>[12])/reconstructions/{HASH}", reconstruction),
    route("HEAD", rf"/xet/v1/files/{HASH}", head_file),
    route("GET", rf"/xet/xorb/{HASH}", transfer),
    route("POST", r"/(?:xet/)?v1/telemetry", telemetry),
]
