"""OAuth for interactive login: the device-code flow (RFC 8628) and refreshing its tokens.

hub-protocol.md §10.2 and §10.5: ``POST {endpoint}/oauth/device`` gives a code the user enters
in a browser; ``POST {endpoint}/oauth/token`` is polled until it answers the access token
(maybe with a refresh token and a lifetime). No printing and no files here: the login
functions show the code, ``hubkit.auth.tokens`` stores the result.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import httpx

from .. import constants
from .._http import get_session

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DeviceCodeError",
    "OAuthErrorCode",
    "poll_device_token",
    "refresh_access_token",
    "request_device_code",
]

logger = logging.getLogger(__name__)

DEFAULT_CLIENT_ID = "26be6b09-91c5-47da-9861-d2d2bb7a7e36"  # huggingface_hub's public device-flow client
_DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_SLOW_DOWN_STEP = 5  # seconds added to the polling interval on ``slow_down`` (RFC 8628 §3.5)

# Indirection so tests can poll without waiting.
_sleep = time.sleep


class OAuthErrorCode(str, Enum):
    """OAuth ``error`` codes the token endpoint answers (RFC 6749, RFC 8628)."""

    AUTHORIZATION_PENDING = "authorization_pending"
    SLOW_DOWN = "slow_down"
    EXPIRED_TOKEN = "expired_token"
    ACCESS_DENIED = "access_denied"
    INVALID_GRANT = "invalid_grant"


class DeviceCodeError(Exception):
    """The device-code login or a token refresh failed; ``error_code`` is the OAuth code, if any."""

    def __init__(self, message: str, error_code: str | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code


def _client_id() -> str:
    return os.environ.get("HF_DEVICE_CODE_OAUTH_CLIENT_ID") or DEFAULT_CLIENT_ID


def _post(path: str, form: dict[str, str]) -> httpx.Response:
    return get_session().post(
        f"{constants.ENDPOINT}{path}", data=form, timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT
    )  # never the token in a log: these bodies are not logged anywhere


def request_device_code() -> dict[str, Any]:
    """Start a device-code login: ``device_code``, ``user_code``, ``verification_uri(_complete)``...

    ``interval`` (5 s), ``expires_in`` (900 s) and ``verification_uri_complete`` are always set.

    Raises:
        ``DeviceCodeError``: the Hub does not offer the flow or answered something unusable.
    """
    try:
        response = _post("/oauth/device", {"client_id": _client_id()})
        response.raise_for_status()
        info = response.json()
        if not isinstance(info, dict) or not {"device_code", "user_code", "verification_uri"} <= info.keys():
            raise ValueError("the answer lacks device_code, user_code or verification_uri")
    except (httpx.HTTPError, ValueError) as err:
        raise DeviceCodeError(f"Cannot start a browser login at {constants.ENDPOINT}/oauth/device: {err}") from err
    info.setdefault("interval", 5)
    info.setdefault("expires_in", 900)
    info["verification_uri_complete"] = info.get("verification_uri_complete") or info["verification_uri"]
    return info


def poll_device_token(info: dict[str, Any], *, on_pending: Callable[[], None] | None = None) -> dict[str, Any]:
    """Wait until the user authorizes the device; returns the token answer (``access_token``...).

    Network failures, 5xx and non-OAuth answers are transient: polling goes on until the code
    expires.

    Raises:
        ``DeviceCodeError``: denied, expired, or another OAuth error.
    """
    interval = float(info.get("interval", 5))
    deadline = time.monotonic() + float(info.get("expires_in", 900))
    form = {"grant_type": _DEVICE_GRANT, "device_code": str(info["device_code"]), "client_id": _client_id()}
    while time.monotonic() < deadline:
        data: Any = None
        try:
            response = _post("/oauth/token", form)
            if response.status_code < 500:
                data = response.json()
        except (httpx.HTTPError, ValueError):
            data = None
        if isinstance(data, dict):
            if data.get("access_token"):
                return data
            error = data.get("error")
            if error == OAuthErrorCode.AUTHORIZATION_PENDING:
                if on_pending is not None:
                    on_pending()
            elif error == OAuthErrorCode.SLOW_DOWN:
                interval += _SLOW_DOWN_STEP
            elif error == OAuthErrorCode.EXPIRED_TOKEN:
                raise DeviceCodeError("The login code expired: start again.", error_code=error)
            elif error == OAuthErrorCode.ACCESS_DENIED:
                raise DeviceCodeError("The login was denied in the browser.", error_code=error)
            elif error is not None:
                raise DeviceCodeError(f"OAuth error {error}: {data.get('error_description', '')}", error_code=error)
        _sleep(interval)
    raise DeviceCodeError("The login code expired before it was used: start again.", error_code="expired_token")


def refresh_access_token(refresh_token: str) -> dict[str, Any]:
    """A new access token (and maybe a rotated refresh token) for ``refresh_token``.

    Raises:
        ``DeviceCodeError``: ``error_code == "invalid_grant"`` when the session is over.
    """
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": _client_id()}
    try:
        response = _post("/oauth/token", form)
        data = response.json()
    except (httpx.HTTPError, ValueError) as err:
        raise DeviceCodeError(f"Cannot refresh the access token: {err}") from err
    if isinstance(data, dict) and data.get("access_token"):
        return data
    error = data.get("error") if isinstance(data, dict) else None
    description = data.get("error_description", "") if isinstance(data, dict) else ""
    raise DeviceCodeError(f"Cannot refresh the access token: {error or response.status_code} {description}", error)


def refresh_stored_token(token_name: str, token: str) -> tuple[str, int | None]:
    """Refresh the stored OAuth token ``token_name`` (currently ``token``) and save the new one.

    Under a file lock next to ``stored_tokens``, so concurrent processes refresh once: the
    second finds the token already replaced and takes the new one. The token file follows when
    it held the old token. Returns the token to use and its expiry.

    Raises:
        ``DeviceCodeError`` when the Hub refuses, ``filelock.Timeout`` when the lock stays taken.
    """
    from filelock import FileLock

    from .._auth import read_stored_tokens, token_from_file
    from .tokens import save_token, write_secret

    with FileLock(constants.HF_STORED_TOKENS_PATH + ".lock", timeout=30):
        fields = read_stored_tokens().get(token_name, {})
        if fields.get("hf_token") != token:  # someone refreshed it meanwhile
            return fields.get("hf_token") or token, _int_or_none(fields.get("expires_at"))
        refresh_token = fields.get("refresh_token")
        if not refresh_token:
            return token, None
        answer = refresh_access_token(refresh_token)
        new_token = str(answer["access_token"])
        expires_at = int(time.time()) + int(answer["expires_in"]) if answer.get("expires_in") else None
        save_token(new_token, token_name, refresh_token=answer.get("refresh_token") or refresh_token,
                   expires_at=expires_at)  # fmt: skip
        if token_from_file() == token:
            from pathlib import Path

            write_secret(Path(constants.HF_TOKEN_PATH), new_token)
        logger.info("Access token %r refreshed.", token_name)
        return new_token, expires_at


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
