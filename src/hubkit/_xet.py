"""Glue to ``hf_xet`` (optional): Xet downloads of files the Hub stores in its CAS.

Used when the resolve answer carries ``X-Xet-Hash`` and a token refresh route, ``hf_xet`` is
importable, and ``HF_HUB_DISABLE_XET`` is not set; otherwise files come over plain HTTP. The
caller still verifies size and sha256 of what hf_xet wrote (hf_xet itself does not re-hash on
download), so a Xet download is as safe as an HTTP one.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from . import constants

logger = logging.getLogger(__name__)
_session: Any = None
_lock = threading.Lock()


def is_xet_available() -> bool:
    """hf_xet is installed and not disabled (``HF_HUB_DISABLE_XET``)."""
    if constants._is_true(os.environ.get("HF_HUB_DISABLE_XET")):
        return False
    return importlib.util.find_spec("hf_xet") is not None


def _xet_session() -> Any:
    """One hf_xet session per process (it owns a runtime and connection pools)."""
    global _session
    with _lock:
        if _session is None:
            import hf_xet

            _session = hf_xet.XetSession()
        return _session


def download_xet_file(
    *,
    xet_hash: str,
    size: int | None,
    refresh_url: str,
    headers: dict[str, str],
    dest: str,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Reconstruct one file from the CAS into ``dest`` (created or overwritten).

    ``headers`` are the Hub headers (with ``authorization``): sent to the token refresh route
    only; the CAS receives the same headers without the Hub token.
    """
    import hf_xet

    custom = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    done = [0]

    def on_progress(report: Any, *_: Any) -> None:
        if progress is None:
            return
        total = getattr(report, "total_bytes_completed", None)
        if isinstance(total, int) and total > done[0]:
            progress(total - done[0])
            done[0] = total

    group = _xet_session().new_file_download_group(
        token_refresh_url=refresh_url,
        token_refresh_headers=headers,
        custom_headers=custom,
        progress_callback=on_progress if progress else None,
    )
    with group:
        group.start_download_file(hf_xet.XetFileInfo(xet_hash, size), dest)
    if progress is not None and size is not None and size > done[0]:
        progress(size - done[0])
