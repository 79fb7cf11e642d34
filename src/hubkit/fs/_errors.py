"""Hub errors as the built-in exceptions a filesystem user catches.

fsspec users (pandas, pyarrow, datasets) catch ``FileNotFoundError`` and ``PermissionError``, not
Hub classes. The Hub error is kept as the cause (``raise ... from err``) so nothing is lost.
"""

from __future__ import annotations

from typing import NoReturn

from ..errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    HFValidationError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

__all__ = ["raise_file_not_found", "raise_for_write"]


def raise_file_not_found(path: str, err: BaseException | None = None) -> NoReturn:
    """``FileNotFoundError`` for ``path``, saying which part is missing when ``err`` tells."""
    msg = path
    if isinstance(err, RepositoryNotFoundError):
        msg = (
            f"{path} (repository not found). If the repo is private, make sure you are authenticated"
            " and your token has the required permissions."
        )
    elif isinstance(err, RevisionNotFoundError):
        msg = f"{path} (revision not found)"
    elif isinstance(err, HFValidationError):
        msg = f"{path} (invalid repository id)"
    raise FileNotFoundError(msg) from err


def raise_for_write(path: str, err: Exception) -> NoReturn:
    """Re-raise an error of a commit as the built-in exception it means for ``path``.

    401/403 (no write access, read-only token) -> ``PermissionError``; a missing repo, revision or
    copy source -> ``FileNotFoundError``; anything else unchanged.
    """
    if isinstance(err, (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError)):
        raise_file_not_found(path, err)
    if isinstance(err, HfHubHTTPError) and err.response is not None and err.response.status_code in (401, 403):
        reason = err.server_message or "the token may not write to this repository"
        raise PermissionError(f"{path}: write access denied ({reason})") from err
    raise err
