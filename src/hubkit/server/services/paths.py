"""Validation of file paths that arrive from clients (commit operations, tree queries)."""

from __future__ import annotations

import re

from ..errors import BadRequest

_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH_BYTES = 4096
MAX_SEGMENT_BYTES = 255


def check_repo_path(path: str, *, what: str = "path") -> str:
    """Return ``path`` if it is a safe, normalised path inside a repo, else raise BadRequest.

    Refused: empty paths, absolute, drive-letter and UNC forms, backslashes, NUL and control
    characters, empty, ``.`` and ``..`` segments, and anything inside a ``.git`` folder. A
    repo holding such names could make a client write outside its target folder.
    """
    if not isinstance(path, str) or path == "":
        raise BadRequest(f"Invalid {what}: empty")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise BadRequest(f"Invalid {what}: longer than {MAX_PATH_BYTES} bytes")
    if _CONTROL_RE.search(path):
        raise BadRequest(f"Invalid {what} {path!r}: contains NUL or control characters")
    if "\\" in path:
        raise BadRequest(f"Invalid {what} {path!r}: backslashes are not allowed")
    if path.startswith("/"):
        raise BadRequest(f"Invalid {what} {path!r}: must be relative to the repo root")
    if _DRIVE_RE.match(path):
        raise BadRequest(f"Invalid {what} {path!r}: drive letters are not allowed")
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise BadRequest(f"Invalid {what} {path!r}: empty, '.' and '..' segments are not allowed")
        if segment.lower() == ".git":
            raise BadRequest(f"Invalid {what} {path!r}: cannot write inside a '.git' folder")
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES:
            raise BadRequest(f"Invalid {what} {path!r}: a path segment is longer than 255 bytes")
    return path


def clean_folder_path(path: str) -> str:
    """A folder path as received in queries: leading/trailing slashes dropped ('' = root)."""
    return path.strip("/")
