"""Xet uploads through ``hf_xet``, for LFS-mode files, when both sides can (xet-protocol.md §12.4).

Used when ``hf_xet`` is importable, ``HF_HUB_DISABLE_XET`` is not set, no content is an open
file object, and the Hub hands out a write token at
``/api/{type}s/{repo}/xet-write-token/{rev}``. ``hf_xet`` chunks, deduplicates and uploads the
files and computes their sha256 in the same read pass; the commit then names them by sha256
in ``lfsFile`` lines, as for Git LFS.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .. import constants
from .._http import get_session
from .content import BytesContent, PathContent
from .lfs import LfsObject
from .target import RepoTarget

__all__ = ["XetItem", "upload_with_xet", "xet_enabled_for"]

logger = logging.getLogger(__name__)

_session_lock = threading.Lock()
_session: Any = None
_session_pid: int | None = None


def _xet_installed() -> bool:
    return importlib.util.find_spec("hf_xet") is not None


def _token_url(target: RepoTarget) -> str:
    url = target.api_url("xet-write-token", target.quoted_revision)
    return url + "?create_pr=1" if target.create_pr else url


def xet_enabled_for(target: RepoTarget, contents: Sequence[object]) -> bool:
    """Whether this commit's LFS files should go through Xet (asks the Hub once)."""
    if constants.HF_HUB_DISABLE_XET or not _xet_installed():
        return False
    if any(not isinstance(c, (PathContent, BytesContent)) for c in contents):
        logger.info("A file object cannot be uploaded through Xet: using Git LFS for this commit.")
        return False
    try:
        response = get_session().get(_token_url(target), headers=target.headers)
    except Exception as err:  # a network error here is not worth failing for: LFS may work
        logger.debug("Xet token request failed (%s): using Git LFS", err)
        return False
    if response.status_code != 200:
        logger.debug("The Hub does not offer Xet (HTTP %s): using Git LFS", response.status_code)
        return False
    try:
        return bool(response.json().get("casUrl"))
    except ValueError:
        return False


def _get_session() -> Any:
    # One session per process, rebuilt after a fork (its runtime threads do not survive one).
    global _session, _session_pid
    with _session_lock:
        if _session is None or _session_pid != os.getpid():
            import hf_xet

            _session = hf_xet.XetSession()
            _session_pid = os.getpid()
        return _session


class XetItem:
    """One file for Xet, with its sha256 if already known."""

    def __init__(self, obj: LfsObject | None, content: PathContent | BytesContent, sha256: str | None) -> None:
        self.obj, self.content, self.sha256 = obj, content, sha256


def upload_with_xet(
    target: RepoTarget, items: Sequence[XetItem], on_bytes: Callable[[int], None] | None = None
) -> list[str]:
    """Upload ``items`` in one Xet upload commit; returns their sha256 (hex), in order."""
    if not items:
        return []
    import hf_xet

    session = _get_session()
    custom = {k: v for k, v in target.headers.items() if k.lower() != "authorization"}
    reported = [0]

    def progress(group_report: Any, _items: Any = None) -> None:
        done = int(getattr(group_report, "total_bytes_completed", 0) or 0)
        if on_bytes and done > reported[0]:
            on_bytes(done - reported[0])
            reported[0] = done

    handles = []
    with session.new_upload_commit(
        token_refresh_url=_token_url(target),
        token_refresh_headers=dict(target.headers),
        custom_headers=custom,
        progress_callback=progress if on_bytes else None,
    ) as commit:
        for item in items:
            sha = item.sha256 or hf_xet.COMPUTE_SHA256
            if isinstance(item.content, PathContent):
                handles.append(commit.start_upload_file(item.content.path, sha256=sha))
            else:
                handles.append(commit.start_upload_bytes(item.content.read_all(), sha256=sha))
    out = []
    for item, handle in zip(items, handles, strict=True):
        out.append(item.sha256 or str(handle.result().xet_info.sha256))
    return out
