"""The client's HTTP layer: one shared ``httpx.Client``, retries, redirects, and the error funnel.

Sending is a chain of small steps: ``http_backoff`` (retries with backoff) → the shared client
(offline guard and request id in a request hook) → one send. Every response that may be an
error goes through ``raise_for_status``, which turns it into the ``hubkit.errors`` class named
by a table of rules (``ERROR_RULES``). The token travels only in the ``authorization`` header:
it is never logged, and httpx drops it whenever a redirect leaves the origin.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import json
import logging
import os
import platform
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__, constants
from ._auth import get_token_to_send
from .errors import (
    BadRequestError,
    BucketNotFoundError,
    DisabledRepoError,
    GatedRepoError,
    HfHubHTTPError,
    JobNotFoundError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

__all__ = [
    "ERROR_RULES",
    "build_hf_headers",
    "close_session",
    "get_session",
    "head_following_same_origin",
    "hf_raise_for_status",
    "http_backoff",
    "http_stream_backoff",
    "paginate",
    "raise_for_status",
    "same_origin",
    "set_client_factory",
]

logger = logging.getLogger(__name__)

RETRY_ON_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
RETRY_ON_STATUS_CODES: tuple[int, ...] = (408, 429, 500, 502, 503, 504)
MAX_REDIRECTS = 20

# Indirection so tests can make waits instantaneous.
_sleep = time.sleep


# --- headers -------------------------------------------------------------------------------


def _user_agent(library_name: str | None, library_version: str | None, user_agent: dict[str, Any] | str | None) -> str:
    parts = [f"{library_name}/{library_version}" if library_name else "unknown/None"]
    parts += [f"hubkit/{__version__}", f"python/{platform.python_version()}"]
    if isinstance(user_agent, dict):
        parts += [f"{k}/{v}" for k, v in user_agent.items()]
    elif isinstance(user_agent, str):
        parts.append(user_agent)
    origin = constants.HF_HUB_USER_AGENT_ORIGIN
    if origin:
        parts.append(f"origin/{origin}")
    items = [p.strip() for part in parts for p in part.split(";") if p.strip()]
    return "; ".join(dict.fromkeys(items))


def build_hf_headers(
    *,
    token: bool | str | None = None,
    library_name: str | None = None,
    library_version: str | None = None,
    user_agent: dict[str, Any] | str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """Headers for a Hub request: user-agent, ``authorization`` if a token applies, then ``headers``.

    ``token`` follows the usual rules (see ``hubkit._auth.get_token_to_send``); caller headers
    win over generated ones.
    """
    out = {"user-agent": _user_agent(library_name, library_version, user_agent)}
    token_to_send = get_token_to_send(token)
    if token_to_send is not None:
        out["authorization"] = f"Bearer {token_to_send}"
    if headers:
        out.update(headers)
    return out


_DOWNLOAD_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("hubkit_download_call", default=False)


@contextlib.contextmanager
def download_call() -> Iterator[None]:
    """Mark the requests sent inside this block as part of a download (``X-HF-Download-Counter``)."""
    reset = _DOWNLOAD_CALL.set(True)
    try:
        yield
    finally:
        _DOWNLOAD_CALL.reset(reset)


# --- the shared client ---------------------------------------------------------------------


def _on_request(request: httpx.Request) -> None:
    # The offline switch is read on every request, so flipping HF_HUB_OFFLINE takes effect at once.
    if constants.is_offline_mode():
        raise OfflineModeIsEnabled(f"Cannot reach {request.url}: offline mode is enabled (HF_HUB_OFFLINE is set).")
    if _DOWNLOAD_CALL.get():
        request.headers[constants.X_HF_DOWNLOAD_COUNTER] = "1"
    if "x-amzn-trace-id" not in request.headers:
        request.headers["X-Amzn-Trace-Id"] = request.headers.get("x-request-id") or str(uuid.uuid4())
    # Never the header itself: only whether one is present.
    logger.debug(
        "%s %s (request %s, authenticated: %s)",
        request.method,
        request.url,
        request.headers["x-amzn-trace-id"],
        "authorization" in request.headers,
    )


def default_client_factory() -> httpx.Client:
    """The client hubkit uses unless ``set_client_factory`` says otherwise."""
    return httpx.Client(
        event_hooks={"request": [_on_request]},
        follow_redirects=True,
        timeout=None,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )


_client_lock = threading.Lock()
_client_factory: Callable[[], httpx.Client] = default_client_factory
_client: httpx.Client | None = None


def set_client_factory(factory: Callable[[], httpx.Client]) -> None:
    """Use ``factory`` to build the shared client (proxies, certificates, a mock transport...).

    A custom client should keep the offline guard: add ``hubkit._http.on_request`` to its request hooks.
    """
    global _client_factory
    with _client_lock:
        _close_locked()
        _client_factory = factory


def get_session() -> httpx.Client:
    """The ``httpx.Client`` shared by every call of the library (do not close it yourself)."""
    global _client
    client = _client
    if client is None:
        with _client_lock:
            if _client is None:
                _client = _client_factory()
            client = _client
    return client


def _close_locked() -> None:
    global _client
    client, _client = _client, None
    if client is not None:
        try:
            client.close()
        except Exception as err:  # closing must never mask the caller's own error
            logger.debug("error while closing the HTTP client: %s", err)


def close_session() -> None:
    """Close the shared client; the next request builds a fresh one."""
    with _client_lock:
        _close_locked()


def _forget_client_after_fork() -> None:
    # The child must not reuse (or close) sockets it shares with its parent: drop them unclosed.
    global _client, _client_lock
    _client = None
    _client_lock = threading.Lock()


on_request = _on_request
atexit.register(close_session)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_client_after_fork)


# --- retries -------------------------------------------------------------------------------

_RATELIMIT_RE = re.compile(r'"(?P<resource>\w+)"\s*;\s*r\s*=\s*(?P<r>\d+)\s*;\s*t\s*=\s*(?P<t>\d+)')
_RATELIMIT_POLICY_RE = re.compile(r"q\s*=\s*(?P<q>\d+).*?w\s*=\s*(?P<w>\d+)")


@dataclass(frozen=True)
class RateLimitInfo:
    """What the IETF-draft ``RateLimit`` and ``RateLimit-Policy`` headers say."""

    resource_type: str
    remaining: int
    reset_in_seconds: int
    limit: int | None = None
    window_seconds: int | None = None


def parse_ratelimit_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """``RateLimit: "api";r=0;t=55`` (+ optional policy) as a ``RateLimitInfo``, or None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    m = _RATELIMIT_RE.search(lowered.get("ratelimit", ""))
    if not m:
        return None
    limit = window = None
    policy = _RATELIMIT_POLICY_RE.search(lowered.get("ratelimit-policy", ""))
    if policy:
        limit, window = int(policy.group("q")), int(policy.group("w"))
    return RateLimitInfo(m.group("resource"), int(m.group("r")), int(m.group("t")), limit, window)


def _server_delay(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait, or None to use our own backoff."""
    if response.status_code == 429:
        info = parse_ratelimit_headers(response.headers)
        if info is not None and info.remaining == 0:
            return info.reset_in_seconds + 1
    retry_after = response.headers.get("retry-after", "").strip()
    if retry_after.isdigit():  # HTTP-date values are not honoured, as in huggingface_hub
        return int(retry_after) + 1
    return None


def _attempts(
    method: str,
    url: str,
    *,
    max_retries: int,
    base_wait_time: float,
    max_wait_time: float,
    retry_on_exceptions: type[Exception] | tuple[type[Exception], ...],
    retry_on_status_codes: int | tuple[int, ...],
    send: Callable[[], contextlib.AbstractContextManager[httpx.Response]],
) -> Iterator[httpx.Response]:
    """Yield the first response worth returning; retry transient failures in between."""
    excs = (retry_on_exceptions,) if isinstance(retry_on_exceptions, type) else tuple(retry_on_exceptions)
    codes = (retry_on_status_codes,) if isinstance(retry_on_status_codes, int) else tuple(retry_on_status_codes)
    wait = base_wait_time
    attempt = 0
    while True:
        attempt += 1
        delay: float | None = None
        try:
            with send() as response:
                if response.status_code not in codes or attempt > max_retries:
                    yield response
                    return
                delay = _server_delay(response)
                logger.warning("HTTP %s on %s %s, retrying", response.status_code, method, url)
        except excs as err:
            if attempt > max_retries:
                raise
            logger.warning("%s on %s %s, retrying", type(err).__name__, method, url)
        _sleep(delay if delay is not None else wait)
        wait = min(max_wait_time, wait * 2)


def http_backoff(
    method: str,
    url: str,
    *,
    max_retries: int = 5,
    base_wait_time: float = 1,
    max_wait_time: float = 8,
    retry_on_exceptions: type[Exception] | tuple[type[Exception], ...] = RETRY_ON_EXCEPTIONS,
    retry_on_status_codes: int | tuple[int, ...] = RETRY_ON_STATUS_CODES,
    **kwargs: Any,
) -> httpx.Response:
    """Send a request with the shared client, retrying network errors and 408/429/5xx.

    Waits 1 s, doubling up to 8 s, or what ``RateLimit`` (on 429 with ``r=0``) or a numeric
    ``Retry-After`` asks, plus one second. After ``max_retries`` retries the last response is
    returned (or the last exception raised). ``kwargs`` go to ``httpx.Client.request``.
    """

    @contextlib.contextmanager
    def send() -> Iterator[httpx.Response]:
        yield get_session().request(method, url, **kwargs)

    attempts = _attempts(
        method,
        url,
        max_retries=max_retries,
        base_wait_time=base_wait_time,
        max_wait_time=max_wait_time,
        retry_on_exceptions=retry_on_exceptions,
        retry_on_status_codes=retry_on_status_codes,
        send=send,
    )
    return next(attempts)


@contextlib.contextmanager
def http_stream_backoff(
    method: str,
    url: str,
    *,
    max_retries: int = 5,
    base_wait_time: float = 1,
    max_wait_time: float = 8,
    retry_on_exceptions: type[Exception] | tuple[type[Exception], ...] = RETRY_ON_EXCEPTIONS,
    retry_on_status_codes: int | tuple[int, ...] = RETRY_ON_STATUS_CODES,
    **kwargs: Any,
) -> Iterator[httpx.Response]:
    """Like ``http_backoff`` but the body is streamed: use as a context manager."""
    attempts = _attempts(
        method,
        url,
        max_retries=max_retries,
        base_wait_time=base_wait_time,
        max_wait_time=max_wait_time,
        retry_on_exceptions=retry_on_exceptions,
        retry_on_status_codes=retry_on_status_codes,
        send=lambda: get_session().stream(method, url, **kwargs),
    )
    try:
        yield next(attempts)
    finally:
        attempts.close()  # leaves the ``with send()`` block: the response is closed


# --- redirects -----------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme, 0)


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (the rule for keeping ``authorization``)."""
    return _origin(url) == _origin(other)


def head_following_same_origin(
    url: str,
    *,
    headers: dict[str, str],
    timeout: float | None,
    retry_on_errors: bool = False,
) -> httpx.Response:
    """A HEAD that follows redirects only while they stay on the same origin.

    A redirect to another origin (a CDN, an object store) is returned as is: its headers carry
    the file's metadata and its ``Location`` is where the content is, fetched later without the
    token. Without ``retry_on_errors`` nothing is retried, so callers fall back to the cache fast.
    """
    no_retry: dict[str, Any] = {} if retry_on_errors else {"retry_on_exceptions": (), "retry_on_status_codes": ()}
    for _ in range(MAX_REDIRECTS + 1):
        response = http_backoff("HEAD", url, headers=headers, timeout=timeout, follow_redirects=False, **no_retry)
        raise_for_status(response)
        location = response.headers.get("location")
        if not (response.is_redirect and location):
            return response
        target = urljoin(url, location)
        if not same_origin(url, target):
            return response
        url = target
    raise httpx.TooManyRedirects(f"More than {MAX_REDIRECTS} redirects while resolving {url}")


# --- pagination ----------------------------------------------------------------------------

_LINK_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)


def paginate(url: str, *, params: dict[str, Any] | None, headers: dict[str, str]) -> Iterator[Any]:
    """Items of a JSON-array listing, following ``Link: <...>; rel="next"`` page after page."""
    next_url: str | None = url
    first = True
    while next_url:
        response = http_backoff("GET", next_url, params=params if first else None, headers=headers)
        raise_for_status(response)
        yield from response.json()
        first = False
        m = _LINK_NEXT_RE.search(response.headers.get("link", ""))
        next_url = m.group(1) if m else None


# --- the error funnel ----------------------------------------------------------------------

DISABLED_MESSAGE = "Access to this resource is disabled."
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"
_REPO_URL_RE = re.compile(r"^https://[^/]+(/api/(models|datasets|spaces)/(.+)|/(.+)/resolve/(.+))")
_BUCKET_URL_RE = re.compile(r"^https?://[^/]+/api/buckets/")
_JOB_URL_RE = re.compile(r"^https?://[^/]+/api/(?:scheduled-jobs|jobs)/[^/]+/([^/?]+)")
_RESOLVE_URL_RE = re.compile(r"^https?://[^/]+/(?:(datasets|spaces|kernels)/)?([^/?]+(?:/[^/?]+)?)/resolve/")
_API_REPO_URL_RE = re.compile(r"^https?://[^/]+/api/(models|datasets|spaces)/([^/?]+)(?:/([^/?]+))?")
_REPO_SUBPATHS = {"resolve", "tree", "blob", "raw", "refs", "commit", "discussions", "settings", "revision"}


@dataclass(frozen=True)
class ErrorRule:
    """One row of the funnel: every condition given must hold for ``error`` to be raised."""

    error: type[HfHubHTTPError]
    title: str
    code: str | None = None
    status: int | None = None
    message: str | None = None
    url: re.Pattern[str] | None = None
    not_message: str | None = None
    hint: str = ""

    def matches(self, response: httpx.Response, url: str) -> bool:
        headers = response.headers
        return (
            (self.code is None or headers.get("x-error-code") == self.code)
            and (self.status is None or response.status_code == self.status)
            and (self.message is None or headers.get("x-error-message") == self.message)
            and (self.not_message is None or headers.get("x-error-message") != self.not_message)
            and (self.url is None or self.url.search(url) is not None)
        )


_REPO_HINT = (
    "\nCheck the repo_id and repo_type. For a private or gated repo, make sure you are authenticated"
    " and that your token may read it."
)

# Evaluated top to bottom (the order matters: e.g. a 404 on a jobs URL wins over RepoNotFound).
ERROR_RULES: tuple[ErrorRule, ...] = (
    ErrorRule(RevisionNotFoundError, "Revision Not Found", code="RevisionNotFound"),
    ErrorRule(RemoteEntryNotFoundError, "Entry Not Found", code="EntryNotFound"),
    ErrorRule(GatedRepoError, "Cannot access gated repo", code="GatedRepo"),
    ErrorRule(DisabledRepoError, "Cannot access repository", message=DISABLED_MESSAGE),
    ErrorRule(BucketNotFoundError, "Bucket Not Found", code="RepoNotFound", url=_BUCKET_URL_RE),
    ErrorRule(JobNotFoundError, "Job Not Found", status=404, url=_JOB_URL_RE),
    ErrorRule(RepositoryNotFoundError, "Repository Not Found", code="RepoNotFound", hint=_REPO_HINT),
    # The Hub answers 401 for missing and private repos alike (only on https URLs, as the reference does).
    ErrorRule(
        RepositoryNotFoundError,
        "Repository Not Found",
        status=401,
        url=_REPO_URL_RE,
        not_message=INVALID_CREDENTIALS,
        hint=_REPO_HINT,
    ),
    ErrorRule(BadRequestError, "Bad request", status=400),
    ErrorRule(HfHubHTTPError, "Forbidden", status=403, hint="\nMake sure your token has the right permissions."),
    ErrorRule(HfHubHTTPError, "Too Many Requests", status=429),
    ErrorRule(HfHubHTTPError, "Range Not Satisfiable", status=416),
)

_warned_topics: set[str] = set()


def _warn_from_headers(response: httpx.Response) -> None:
    for value in response.headers.get_list("x-hf-warning"):
        topic, message = value.split(";", 1) if ";" in value else ("", value)
        topic, message = topic.strip(), message.strip()
        if message and topic not in _warned_topics:
            _warned_topics.add(topic)
            logger.warning(message)


def _server_messages(response: httpx.Response) -> str:
    """``X-Error-Message`` then the body's messages, trimmed and de-duplicated."""
    found: list[Any] = []
    if "x-error-message" in response.headers:
        found.append(response.headers["x-error-message"])
    try:
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > 1_000_000:
            raise ValueError("error body too large to read")
        response.read()  # a streamed error response has not been read yet
        text = response.text
    except (httpx.HTTPError, ValueError, RuntimeError):
        text = ""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
        if text and "html" not in response.headers.get("content-type", "").lower():
            found.append(text)
    if isinstance(data, dict):
        error, description = data.get("error"), data.get("error_description")
        if isinstance(error, list):
            found.extend(error)
        elif error is not None:
            found.append(f"{error}: {description}" if description is not None else error)
        elif description is not None:
            found.append(description)
        errors = data.get("errors")
        if isinstance(errors, list):
            found.extend(e["message"] for e in errors if isinstance(e, dict) and "message" in e)
    lines = [str(x).strip() for x in found if str(x).strip()]
    return "\n".join(dict.fromkeys(lines))


def _repo_from_url(url: str) -> tuple[str | None, str | None]:
    m = _RESOLVE_URL_RE.search(url)
    if m:
        return constants.REPO_TYPES_MAPPING[m.group(1) or "models"], m.group(2)
    m = _API_REPO_URL_RE.search(url)
    if not m:
        return None, None
    first, second = m.group(2), m.group(3)
    repo_id = f"{first}/{second}" if second and second not in _REPO_SUBPATHS else first
    return constants.REPO_TYPES_MAPPING.get(m.group(1)), repo_id


def _request_url(response: httpx.Response) -> str:
    try:
        return str(response.request.url)
    except RuntimeError:
        return ""


def raise_for_status(response: httpx.Response, endpoint_name: str | None = None) -> None:
    """Raise the ``hubkit.errors`` class that matches an error response; 1xx-3xx pass.

    ``X-HF-Warning`` headers are logged (once per topic) on every response, errors or not.
    """
    try:
        _warn_from_headers(response)
    except Exception:  # a malformed warning must never break a request
        logger.debug("could not parse X-HF-Warning", exc_info=True)
    if response.status_code < 400:
        return
    url = _request_url(response)
    server_message = _server_messages(response)
    rule = next((r for r in ERROR_RULES if r.matches(response, url)), None)
    kind = "Client" if response.status_code < 500 else "Server"
    title = rule.title if rule else f"{response.status_code} {response.reason_phrase}"
    if rule is not None and rule.error is BadRequestError and endpoint_name:
        title = f"Bad request for {endpoint_name} endpoint"
    message = f"{response.status_code} {kind} Error.\n\n{title} for url: {response.url}."
    if rule is not None:
        message += rule.hint
    if response.status_code == 416:
        message += f"\nRequested range: {response.request.headers.get('range')}."
    if response.status_code == 429:
        info = parse_ratelimit_headers(response.headers)
        if info is not None and info.remaining == 0:
            message += f"\nRate limit '{info.resource_type}' reached: retry after {info.reset_in_seconds} seconds."
    request_id = response.headers.get("x-request-id") or response.headers.get("x-amzn-trace-id")
    if request_id:
        message += f" (Request ID: {request_id})"
    if server_message and server_message.lower() not in message.lower():
        message += "\n\n" + server_message
    error_cls = rule.error if rule else HfHubHTTPError
    error = error_cls(message, response=response, server_message=server_message or None)
    if isinstance(error, (RepositoryNotFoundError, RevisionNotFoundError, RemoteEntryNotFoundError)):
        error.repo_type, error.repo_id = _repo_from_url(url)
    elif isinstance(error, BucketNotFoundError):
        m = re.search(r"/api/buckets/([^/?]+/[^/?]+)", url)
        error.bucket_id = m.group(1) if m else None
    elif isinstance(error, JobNotFoundError):
        m = _JOB_URL_RE.search(url)
        error.job_id = m.group(1) if m else ""
    raise error


hf_raise_for_status = raise_for_status
