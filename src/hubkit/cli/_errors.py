"""Turning an exception into what the user reads: one line, a hint, and an exit code.

The library's messages are written for tracebacks (several lines, the URL, the request id); the
CLI shows the gist on one line and says what to do next. ``describe`` is a pure function of the
exception, tested without a server; the classes are looked up by name along the MRO so this
module imports no library code (and so no httpx) before an error actually happened.
"""

from __future__ import annotations

from typing import Any

from .main import EXIT_AUTH, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE

__all__ = ["describe"]

_LOGIN_HINT = "log in with `hubkit auth login`, or set HF_TOKEN (HF_ENDPOINT names a self-hosted Hub)"


def _names(err: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(err).__mro__}


def _status(err: BaseException) -> int | None:
    response = getattr(err, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _server_line(err: BaseException) -> str:
    """The server's own explanation when there is one, else the first line of the message."""
    server = getattr(err, "server_message", None)
    if isinstance(server, str) and server.strip():
        return " ".join(server.split())
    return _first_line(err)


def _first_line(err: BaseException) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    if not lines:
        return type(err).__name__
    # "404 Client Error." alone says little: keep the line after it ("... for url: ...") too
    if len(lines) > 1 and lines[0].endswith("Error."):
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _repo(err: Any, context: str | None = None) -> str:
    repo_id = getattr(err, "repo_id", None) or context
    repo_type = getattr(err, "repo_type", None) if getattr(err, "repo_id", None) else None
    if not repo_id:
        return ""
    return f" {repo_id}" + (f" ({repo_type})" if repo_type and repo_type != "model" else "")


def _host(err: BaseException) -> str:
    try:
        url = err.request.url  # type: ignore[attr-defined]  # httpx errors know their request
    except Exception:  # not an httpx error, or one raised before a request existed
        return ""
    return f" at {url.scheme}://{url.netloc.decode()}"


def describe(err: BaseException, repo_id: str | None = None) -> tuple[str, str | None, int]:
    """``(message, hint, exit code)`` for an exception escaping a command.

    ``repo_id`` is the repo the command was about, for errors that do not name it (a failed
    ``repos delete`` is answered on ``/api/repos/delete``, with no repo in the URL).
    """
    names = _names(err)
    status = _status(err)
    if "GatedRepoError" in names:
        return (f"Access to the gated repo{_repo(err, repo_id)} is not granted.",
                "request access on the repo's page, then retry with a token of that account", EXIT_AUTH)  # fmt: skip
    if "RepositoryNotFoundError" in names:
        hint = "check the id and --repo-type; a private repo needs a token that can read it (`hubkit auth login`)"
        return f"Repository not found:{_repo(err, repo_id) or ' ' + _first_line(err)}", hint, EXIT_NOT_FOUND
    if "RevisionNotFoundError" in names:
        hint = "check --revision; `hubkit repos tag list REPO_ID --branches` lists branches and tags"
        return f"Revision not found in{_repo(err, repo_id) or ' the repo'}: {_server_line(err)}", hint, EXIT_NOT_FOUND
    if "LocalEntryNotFoundError" in names:
        hint = "check that the Hub is reachable (HF_ENDPOINT) and HF_HUB_OFFLINE is not set"
        return _first_line(err), hint, EXIT_NOT_FOUND
    if "EntryNotFoundError" in names:
        return (f"File not found in{_repo(err, repo_id) or ' the repo'}: {_server_line(err)}",
                "list the repo's files with `hubkit files ls REPO_ID`", EXIT_NOT_FOUND)  # fmt: skip
    if "LocalTokenNotFoundError" in names:
        return _first_line(err), _LOGIN_HINT, EXIT_AUTH
    if "CacheNotFound" in names:
        return _first_line(err), "pass --cache-dir, or set HF_HUB_CACHE / HF_HOME", EXIT_NOT_FOUND
    if "OfflineModeIsEnabled" in names:
        return _first_line(err), "unset HF_HUB_OFFLINE to reach the Hub", EXIT_FAILED
    if status is not None:
        return _http(err, status)
    if "HFValidationError" in names or type(err) is ValueError:
        return _first_line(err), None, EXIT_USAGE
    if "FileNotFoundError" in names:
        return _first_line(err), None, EXIT_NOT_FOUND
    if "PermissionError" in names:
        return _first_line(err), None, EXIT_AUTH
    if names & {"ConnectError", "ConnectTimeout", "ConnectionError", "ConnectionRefusedError"}:
        return (f"Cannot reach the Hub{_host(err)}: {_first_line(err)}",
                "check HF_ENDPOINT and your network; HF_HUB_OFFLINE=1 uses only the cache", EXIT_FAILED)  # fmt: skip
    if names & {"TimeoutException", "TimeoutError", "ReadTimeout"}:
        return f"The Hub did not answer in time: {_first_line(err)}", "retry, or raise HF_HUB_ETAG_TIMEOUT", EXIT_FAILED
    return (f"{type(err).__name__}: {_first_line(err)}",
            "run again with --debug (or HF_DEBUG=1) for the traceback", EXIT_FAILED)  # fmt: skip


def _http(err: BaseException, status: int) -> tuple[str, str | None, int]:
    detail = _server_line(err)
    if status == 401:
        return f"Not authenticated: {detail}", _LOGIN_HINT, EXIT_AUTH
    if status == 403:
        return (f"Not allowed: {detail}",
                "use a token with write access to this repo (`hubkit auth whoami` shows yours)", EXIT_AUTH)  # fmt: skip
    if status == 404:
        return f"Not found: {detail}", None, EXIT_NOT_FOUND
    if status == 409:
        return f"Conflict: {detail}", "it may already exist: some commands take --exist-ok", EXIT_FAILED
    if status == 412:
        return f"The branch moved meanwhile: {detail}", "retry the command", EXIT_FAILED
    if status in (400, 422):
        return f"Rejected by the Hub: {detail}", None, EXIT_USAGE
    if status == 429:
        return f"Rate limited: {detail}", "wait a moment and retry", EXIT_FAILED
    return (
        f"Hub error {status}: {detail}",
        "retry; if it persists, report it with the output of `hubkit env`",
        EXIT_FAILED,
    )
