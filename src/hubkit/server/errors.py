"""Domain errors of the hub, each carrying the HTTP status and ``X-Error-Code`` it maps to.

Services raise these without knowing about HTTP; one handler in ``http.py`` turns them into
responses, so the mapping lives in one table (the client's error funnel reads it backwards).
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    status = 400
    code: str | None = None

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.extra = extra


class BadRequest(HubError):
    status = 400


class Unauthorized(HubError):
    status = 401


class Forbidden(HubError):
    status = 403


class NotFound(HubError):
    status = 404


class RepoNotFound(NotFound):
    code = "RepoNotFound"

    def __init__(self, message: str = "Repository not found", *, anonymous: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        # the Hub answers 401 to anonymous callers and 404 to authenticated ones
        self.status = 401 if anonymous else 404


class RevisionNotFound(NotFound):
    code = "RevisionNotFound"


class EntryNotFound(NotFound):
    code = "EntryNotFound"


class GatedRepo(HubError):
    status = 403
    code = "GatedRepo"


class Conflict(HubError):
    status = 409


class PreconditionFailed(HubError):
    status = 412


class PayloadTooLarge(HubError):
    status = 413


class RangeNotSatisfiable(HubError):
    status = 416


class NotImplementedYet(HubError):
    status = 501


class RepoMoved(HubError):
    """The repo was renamed: answer with a redirect to its new id."""

    status = 307

    def __init__(self, new_id: str) -> None:
        super().__init__(f"Repository moved to {new_id}")
        self.new_id = new_id


PARENT_MISMATCH = "The branch was updated since you opened this page. Please refresh and try again."
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"
