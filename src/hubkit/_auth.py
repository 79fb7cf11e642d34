"""Finding the token to send: ``HF_TOKEN``, then the token file, unless the caller says otherwise.

Only discovery lives here; login, logout and stored tokens belong to the auth commands.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import constants
from .errors import LocalTokenNotFoundError

__all__ = ["get_token", "get_token_to_send"]


def _clean(token: str | None) -> str | None:
    if token is None:
        return None
    return token.replace("\r", "").replace("\n", "").strip() or None


def get_token() -> str | None:
    """The configured token: ``HF_TOKEN`` (or legacy ``HUGGING_FACE_HUB_TOKEN``), else the token file.

    The token file is ``$HF_TOKEN_PATH``, by default ``$HF_HOME/token``. Both are read at call time.
    """
    from_env = _clean(os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"))
    if from_env:
        return from_env
    try:
        return _clean(Path(constants.HF_TOKEN_PATH).read_text())
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


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
