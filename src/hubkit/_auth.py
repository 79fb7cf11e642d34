"""Finding the token to send: ``HF_TOKEN``, then the token file, unless the caller says otherwise.

Only discovery lives here (plus the small readers the auth commands share); login, logout and
writing stored tokens belong to ``hubkit.auth``. The files are those of ``huggingface_hub``
(hub-protocol.md §10.3): the active token in ``$HF_TOKEN_PATH`` (default ``$HF_HOME/token``),
every saved token in the INI file ``stored_tokens`` next to it.
"""

from __future__ import annotations

import configparser
import logging
import os
import threading
import time
from pathlib import Path

from . import constants
from .errors import LocalTokenNotFoundError

__all__ = ["get_stored_tokens", "get_token", "get_token_to_send"]

logger = logging.getLogger(__name__)


def _clean(token: str | None) -> str | None:
    if token is None:
        return None
    return token.replace("\r", "").replace("\n", "").strip() or None


def token_from_environment() -> str | None:
    """``HF_TOKEN``, else the legacy ``HUGGING_FACE_HUB_TOKEN``."""
    return _clean(os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"))


def token_from_file() -> str | None:
    """The active token saved by ``login`` (``$HF_TOKEN_PATH``), or None."""
    try:
        return _clean(Path(constants.HF_TOKEN_PATH).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnicodeDecodeError):
        return None


def read_stored_tokens() -> dict[str, dict[str, str]]:
    """Every section of ``stored_tokens`` with all its keys (``hf_token``, ``refresh_token``...).

    A missing or unreadable file reads as no tokens (logged, never raised): a broken file must
    not stop anonymous use.
    """
    path = Path(constants.HF_STORED_TOKENS_PATH)
    if not path.is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None)  # '%' in a token is literal
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as err:
        logger.error("Cannot parse %s: %s", path, err)
        return {}
    return {name: dict(parser.items(name)) for name in parser.sections()}


def get_stored_tokens() -> dict[str, str]:
    """Saved tokens by name (``{name: token}``), from ``stored_tokens``."""
    return {name: fields.get("hf_token", "") for name, fields in read_stored_tokens().items()}


def get_token() -> str | None:
    """The configured token: ``HF_TOKEN`` (or legacy ``HUGGING_FACE_HUB_TOKEN``), else the token file.

    The token file is ``$HF_TOKEN_PATH``, by default ``$HF_HOME/token``. Both are read at call time.
    A token saved by a browser (OAuth) login is refreshed when less than a day of validity remains.
    """
    from_env = token_from_environment()
    if from_env:
        return from_env
    from_file = token_from_file()
    return _refreshed(from_file) if from_file else None


# --- OAuth refresh of the saved token --------------------------------------------------------
# get_token runs for every request: what we learnt about the file's token is remembered until
# ``recheck_at``, so a plain token costs one INI read every few minutes, not one per request.

_REFRESH_MARGIN = 24 * 3600  # refresh when less than a day of validity remains
_RECHECK_INTERVAL = 300
_refresh_lock = threading.Lock()
_refresh_memo: tuple[str, str, float] | None = None  # (file token, token to use, recheck_at)


def _refreshed(token: str) -> str:
    global _refresh_memo
    with _refresh_lock:
        now = time.time()
        if _refresh_memo is not None and _refresh_memo[0] == token and now < _refresh_memo[2]:
            return _refresh_memo[1]
        name, fields = next(((n, f) for n, f in read_stored_tokens().items() if f.get("hf_token") == token), (None, {}))
        try:
            expires_at = int(fields["expires_at"])
        except (KeyError, ValueError):
            expires_at = None
        if name is None or not fields.get("refresh_token") or expires_at is None:
            _refresh_memo = (token, token, now + _RECHECK_INTERVAL)
            return token
        if expires_at - _REFRESH_MARGIN > now:
            _refresh_memo = (token, token, expires_at - _REFRESH_MARGIN)
            return token
        from .auth.oauth import refresh_stored_token

        try:
            new_token, new_expiry = refresh_stored_token(name, token)
        except Exception as err:  # best effort: the old token may still work for a while
            logger.warning("Could not refresh the saved access token %r (%s); using it as is.", name, err)
            _refresh_memo = (token, token, now + _RECHECK_INTERVAL)
            return token
        recheck = max(now + _RECHECK_INTERVAL, (new_expiry or 0) - _REFRESH_MARGIN)
        _refresh_memo = (new_token, new_token, recheck)
        return new_token


def get_token_to_send(token: bool | str | None) -> str | None:
    """Which token a request carries, given a public ``token=`` argument.

    A string is used as is; ``False`` sends none; ``True`` requires a configured token; ``None``
    uses the configured one unless ``HF_HUB_DISABLE_IMPLICIT_TOKEN`` is set.
    """
    if isinstance(token, str):
        return token
    if token is False:
        return None
    if token is True:
        found = get_token()
        if found is None:
            raise LocalTokenNotFoundError(
                "A token is required (token=True) but none is configured: set HF_TOKEN or log in."
            )
        return found
    if constants.HF_HUB_DISABLE_IMPLICIT_TOKEN:
        return None
    return get_token()
