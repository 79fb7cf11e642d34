"""HTTP plumbing: routing on the raw path, the request context, errors as responses.

The Hub protocol puts percent-encoded revisions (``refs%2Fpr%2F1``) and folder paths in single
path segments, so routing must happen on the *undecoded* path: we split on literal ``/`` first
and percent-decode each captured group afterwards.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import BadRequest, HubError, RepoMoved

if TYPE_CHECKING:
    from .hub import Hub

log = logging.getLogger("hubkit.server")

Endpoint = Callable[["Ctx"], Awaitable[Response]]
EXPOSED_HEADERS = (
    "X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, X-Total-Count, ETag, Link, Accept-Ranges, "
    "Content-Range, X-Linked-Size, X-Linked-Etag, X-Xet-Access-Token, X-Xet-Token-Expiration, "
    "X-Xet-Refresh-Route, X-Xet-Cas-Url, X-Xet-Hash"
)
_CORS_RAW = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
)
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "authorization, content-type, range, x-request-id, user-agent",
    "Access-Control-Max-Age": "86400",
}


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    endpoint: Endpoint


def route(methods: str, pattern: str, endpoint: Endpoint) -> Route:
    """``route("GET HEAD", r"/api/x/(?P<id>[^/]+)", handler)`` - the pattern is anchored."""
    return Route(frozenset(methods.split()), re.compile(f"^{pattern}$"), endpoint)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, headers=headers, media_type="application/json")


_TRUE = {"1", "true", "yes", "on"}


@dataclass
class Ctx:
    """What a handler gets: the request, its decoded path parameters, and the hub."""

    request: Request
    params: dict[str, str]
    hub: Hub
    request_id: str
    path: str  # the raw (undecoded) request path, without the public URL's prefix
    _query: QueryParams | None = field(default=None, repr=False)

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def query(self) -> QueryParams:
        if self._query is None:
            self._query = self.request.query_params
        return self._query

    def qbool(self, name: str, default: bool = False) -> bool:
        """Booleans arrive as true/false, True/False (older clients) or 1/0."""
        value = self.query.get(name)
        if value is None:
            return default
        return value.strip().lower() in _TRUE

    def qlist(self, name: str) -> list[str]:
        return self.query.getlist(name) + self.query.getlist(f"{name}[]")

    @property
    def token(self) -> str | None:
        """The bearer token (or the password of HTTP basic auth, as git sends it)."""
        header = self.request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value:
            return value
        if scheme.lower() == "basic" and value:
            import base64
            import binascii

            try:
                _, _, password = base64.b64decode(value).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return password or None
        return None

    async def json(self) -> Any:
        body = await self.request.body()
        if not body:
            return {}
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as err:
            raise BadRequest(f"Malformed JSON body: {err}") from None

    async def json_object(self, what: str = "request body") -> dict[str, Any]:
        """The JSON body, which must be an object (a 400 naming ``what`` otherwise)."""
        body = await self.json()
        if not isinstance(body, dict):
            raise BadRequest(f"The {what} must be a JSON object")
        return body

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run blocking service code (database, object store) off the event loop."""
        return await run_in_threadpool(fn, *args, **kwargs)

    def url(self, path: str) -> str:
        """An absolute URL on the hub's public base URL."""
        return self.hub.settings.public_url + path

    def next_link(self, **changes: str) -> str:
        """A ``Link`` header value for the next page: this URL with some query params replaced."""
        params = [(k, v) for k, v in self.query.multi_items() if k not in changes]
        params += list(changes.items())
        return f'<{self.url(self.path)}?{urlencode(params)}>; rel="next"'


def error_response(err: HubError, path: str) -> Response:
    headers = dict(err.headers)
    if err.code:
        headers["X-Error-Code"] = err.code
    # header values must be latin-1 and one line
    headers["X-Error-Message"] = err.message.replace("\n", " ").encode("latin-1", "replace").decode("latin-1")
    body: dict[str, Any] = {"error": err.message, **err.extra}
    if isinstance(err, RepoMoved):
        headers["Location"] = path
    return json_response(body, err.status, headers)


class HubApp:
    """The ASGI application: a route table over the raw request path."""

    def __init__(self, hub: Hub, routes: Sequence[Route]) -> None:
        self.hub = hub
        self.routes = list(routes)
        self._prefix = hub.settings.path_prefix
        # Routes indexed by a literal first path segment ("api", "xet"); the others (repo URLs
        # such as /{ns}/{name}/resolve/...) are tried after them, in table order.
        self._by_segment: dict[str, list[Route]] = {}
        wild = []
        for r in self.routes:
            m = _LITERAL_SEGMENT.match(r.pattern.pattern)
            if m:
                self._by_segment.setdefault(m.group(1), []).append(r)
            else:
                wild.append(r)
        self._wild = wild

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request_id = _request_id(scope)
        if scope["method"] == "OPTIONS":
            response: Response = Response(status_code=204, headers=_PREFLIGHT)
        else:
            response = await self._dispatch(scope, receive, request_id)
        # Browser clients (huggingface.js) read the CORS headers; tokens travel in headers, never
        # cookies, so allowing any origin exposes nothing a script could not already ask for.
        # Appended as raw bytes: no response sets these itself.
        response.raw_headers += [(b"x-request-id", request_id.encode("latin-1")), *_CORS_RAW]
        await response(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, request_id: str) -> Response:
        raw = scope.get("raw_path") or scope["path"].encode()
        path = raw.split(b"?", 1)[0].decode("latin-1")
        if self._prefix and (path == self._prefix or path.startswith(self._prefix + "/")):
            path = path[len(self._prefix) :] or "/"
        method = scope["method"]
        allowed: set[str] = set()
        first = path[1:].split("/", 1)[0]
        for r in (*self._by_segment.get(first, ()), *self._wild):
            m = r.pattern.match(path)
            if not m:
                continue
            if method not in r.methods:
                allowed |= r.methods
                continue
            params = {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
            ctx = Ctx(Request(scope, receive), params, self.hub, request_id, path)
            try:
                return await r.endpoint(ctx)
            except RepoMoved as err:
                return error_response(err, self._prefix + _moved_path(path, m, err.new_id))
            except HubError as err:
                return error_response(err, path)
            except Exception:
                log.exception("internal error on %s %s (request %s)", method, path, request_id)
                return json_response({"error": "Internal server error"}, 500)
        if allowed:
            return json_response({"error": "Method not allowed"}, 405, {"Allow": ", ".join(sorted(allowed))})
        return json_response({"error": "Not found"}, 404)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.hub.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


_LITERAL_SEGMENT = re.compile(r"^\^/([A-Za-z0-9_.-]+)(?:/|\$)")


def _moved_path(path: str, m: re.Match[str], new_id: str) -> str:
    """The same request path with the repo id (groups ``ns`` and ``name``) replaced."""
    start, end = m.start("ns"), m.end("name")
    return path[:start] + new_id + path[end:]


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key in (b"x-request-id", b"x-amzn-trace-id") and 0 < len(value) <= 200:
            text = value.decode("latin-1")
            if _REQUEST_ID_RE.fullmatch(text):
                return text
    # unique without a syscall per request: a random per-process prefix and a counter
    return f"{_ID_PREFIX}{next(_ids):016x}"


_REQUEST_ID_RE = re.compile(r"[\w.:;=/+-]+")
_ID_PREFIX = secrets.token_hex(8)
_ids = itertools.count(1)


def _new_id_prefix() -> None:  # a forked worker must not repeat its parent's ids
    global _ID_PREFIX, _ids
    _ID_PREFIX, _ids = secrets.token_hex(8), itertools.count(1)


os.register_at_fork(after_in_child=_new_id_prefix)
