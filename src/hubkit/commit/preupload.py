"""Preupload: ask the Hub how each addition travels (inline or LFS), whether it is ignored, and
what is at its path now (hub-protocol.md §7.3).

Requests carry at most 256 files; several run at once. The answer is returned as a mapping
from path to ``RemoteFile`` and never written into the operations.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from .._http import http_backoff, raise_for_status
from ..errors import RepositoryNotFoundError
from .operations import UploadMode
from .target import RepoTarget

__all__ = ["NO_REPO_HINT", "PREUPLOAD_CHUNK", "Preuploadable", "RemoteFile", "fetch_upload_modes"]

PREUPLOAD_CHUNK = 256
PREUPLOAD_PARALLEL = 4
NO_REPO_HINT = (
    "\nNote: commits go to an existing repo. Make sure repo_id and repo_type are right, that your token may"
    " write to it, and create the repo first if needed (create_repo)."
)


class _Sampled(Protocol):
    size: int
    sample: bytes


class Preuploadable(Protocol):
    """What preupload needs of a file: its path in the repo, size and first 512 bytes."""

    @property
    def path_in_repo(self) -> str: ...

    @property
    def upload_info(self) -> _Sampled: ...


@dataclass(frozen=True)
class RemoteFile:
    """The Hub's answer for one path: how to upload it, and what is there now."""

    upload_mode: UploadMode
    should_ignore: bool
    remote_oid: str | None  # sha256 for "lfs", git blob sha1 for "regular"; None if absent


def _payload(chunk: Sequence[Preuploadable], gitignore_content: str | None) -> dict[str, Any]:
    files = [
        {
            "path": op.path_in_repo,
            "sample": base64.b64encode(op.upload_info.sample).decode("ascii"),
            "size": op.upload_info.size,
        }
        for op in chunk
    ]
    payload: dict[str, Any] = {"files": files}
    if gitignore_content is not None:
        payload["gitIgnore"] = gitignore_content
    return payload


def _parse(body: Any) -> dict[str, RemoteFile]:
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, list):
        raise ValueError("Malformed preupload response from the Hub: 'files' is not a list")
    out: dict[str, RemoteFile] = {}
    for entry in files:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and entry.get("uploadMode") in ("lfs", "regular")
            and "shouldIgnore" in entry
        ):
            raise ValueError(f"Malformed preupload response from the Hub: {entry!r}")
        oid = entry.get("oid")
        out[entry["path"]] = RemoteFile(entry["uploadMode"], bool(entry["shouldIgnore"]), oid if oid else None)
    return out


def _fetch_chunk(
    target: RepoTarget, chunk: Sequence[Preuploadable], gitignore_content: str | None
) -> dict[str, RemoteFile]:
    url = target.api_url("preupload", target.quoted_revision)
    response = http_backoff(
        "POST", url, json=_payload(chunk, gitignore_content), headers=target.headers, params=target.pr_params
    )
    try:
        raise_for_status(response)
    except RepositoryNotFoundError as err:
        err.append_to_message(NO_REPO_HINT)
        raise
    answers = _parse(response.json())
    missing = [op.path_in_repo for op in chunk if op.path_in_repo not in answers]
    if missing:
        raise ValueError(f"The Hub's preupload answer lacks {len(missing)} path(s), e.g. {missing[0]!r}")
    return answers


def fetch_upload_modes(
    target: RepoTarget, additions: Sequence[Preuploadable], gitignore_content: str | None = None
) -> dict[str, RemoteFile]:
    """Upload mode, ignore verdict and remote oid of every addition, by path.

    Empty files are always ``regular`` (an empty object cannot be stored through LFS).
    """
    chunks = [additions[i : i + PREUPLOAD_CHUNK] for i in range(0, len(additions), PREUPLOAD_CHUNK)]
    answers: dict[str, RemoteFile] = {}
    if len(chunks) <= 1:
        results = [_fetch_chunk(target, c, gitignore_content) for c in chunks]
    else:
        with ThreadPoolExecutor(min(PREUPLOAD_PARALLEL, len(chunks)), thread_name_prefix="hubkit-preupload") as pool:
            results = list(pool.map(lambda c: _fetch_chunk(target, c, gitignore_content), chunks))
    for result in results:
        answers.update(result)
    for op in additions:
        remote = answers[op.path_in_repo]
        if op.upload_info.size == 0 and remote.upload_mode != "regular":
            answers[op.path_in_repo] = RemoteFile("regular", remote.should_ignore, None)
    return answers
