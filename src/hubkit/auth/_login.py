"""Logging in and out: ``login``, ``logout``, ``interpreter_login``, ``notebook_login``, ``auth_list``, ``auth_switch``.

A login checks the token with ``whoami`` on ``HF_ENDPOINT``, saves it in ``stored_tokens`` under
its name (the ``displayName`` the Hub gives it, else ``oauth-{user}``) and makes it the active
token. The files are ``huggingface_hub``'s, so either library sees the other's logins.
Tokens are never printed or logged; ``auth_list`` shows them masked.
"""

from __future__ import annotations

import html
import logging
import sys
import time
from datetime import datetime
from getpass import getpass
from typing import Any

from .. import constants
from .._auth import get_token, read_stored_tokens, token_from_environment
from . import git_credential, oauth, tokens

__all__ = ["auth_list", "auth_switch", "interpreter_login", "login", "logout", "notebook_login"]

logger = logging.getLogger(__name__)


def login(token: str | None = None, *, add_to_git_credential: bool = False, skip_if_logged_in: bool = True) -> None:
    """Log this machine in to the Hub (``HF_ENDPOINT``): every hubkit and huggingface_hub call then uses the token.

    Args:
        token: a user access token. Without one, ask for it: a browser login or a pasted token
            in a terminal, a widget in a notebook.
        add_to_git_credential: also let ``git`` use the token for the Hub's host (only with ``token``).
        skip_if_logged_in: without ``token``, do nothing when a token is already configured.

    Raises:
        ``ValueError``: an organization token (``api_org...``); ``HfHubHTTPError``: the Hub
        rejects the token (nothing is saved then).
    """
    if token is not None:
        _validate_and_save(token, add_to_git_credential=add_to_git_credential)
        return
    if add_to_git_credential:
        logger.warning("add_to_git_credential is only used with a token passed to login(); ignored.")
    if _in_notebook():
        notebook_login(skip_if_logged_in=skip_if_logged_in)
    else:
        interpreter_login(skip_if_logged_in=skip_if_logged_in)


def logout(token_name: str | None = None) -> None:
    """Forget saved tokens: all of them, or only ``token_name``.

    The git credentials of the Hub are erased too. A token still set in ``HF_TOKEN`` keeps
    working, which is an ``OSError`` after the files are deleted.

    Raises:
        ``ValueError``: no stored token has that name.
    """
    if get_token() is None and not read_stored_tokens():
        logger.warning("Not logged in!")
        return
    if token_name:
        if not tokens.delete_stored_token(token_name):
            raise ValueError(f"Access token {token_name!r} not found in {constants.HF_STORED_TOKENS_PATH}")
        logger.info("Logged out from access token %r.", token_name)
    else:
        tokens.forget_all_tokens()
        logger.info("Logged out from all access tokens.")
    try:
        git_credential.unset_git_credential()
    except (OSError, FileNotFoundError):  # no git on this machine: nothing to erase
        pass
    if token_from_environment() is not None:
        raise OSError(
            "The saved tokens are deleted, but HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) is still set and still "
            "authenticates: unset it to log out completely."
        )


def auth_switch(token_name: str, add_to_git_credential: bool = False) -> None:
    """Make the stored token ``token_name`` the active one.

    Raises:
        ``ValueError``: no stored token has that name.
    """
    token = tokens.set_active_token(token_name)
    if add_to_git_credential:
        _add_to_git_credential(token)
    logger.info("The active token is now %r.", token_name)
    from_env = token_from_environment()
    if from_env is not None and from_env != token:
        logger.warning("HF_TOKEN is set: it overrides the token you switched to.")


def auth_list() -> None:
    """Print the stored tokens (masked) and mark the active one with ``*``."""
    current = get_token()
    stored = read_stored_tokens()
    if not stored:
        logger.info("No access tokens found.")
        if token_from_environment():
            logger.warning("HF_TOKEN is set and is the active token.")
        return
    show_expiry = any("expires_at" in fields for fields in stored.values())
    rows = [["", "name", "token", *(["expires"] if show_expiry else [])]]
    for name, fields in stored.items():
        value = fields.get("hf_token", "")
        row = ["*" if value and value == current else "", name, _mask(value)]
        if show_expiry:
            row.append(_expiry(fields.get("expires_at")))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    print("\n".join(lines))
    if token_from_environment():
        logger.warning("Note: HF_TOKEN is set and is the active token, whatever is stored.")
    elif not any(r[0] == "*" for r in rows[1:]):
        logger.warning("Note: no stored token is active. Use `login()` or `auth_switch(name)`.")


def interpreter_login(*, skip_if_logged_in: bool = True) -> None:
    """Log in from a terminal: a browser login, or a pasted token (asked without echo).

    With a terminal the user chooses; without one the browser login is tried first, and a Hub
    that does not offer it (a self-hosted one, typically) falls back to reading a token.
    """
    if skip_if_logged_in and get_token() is not None:
        logger.info("Already logged in. Use login(skip_if_logged_in=False) to log in again.")
        return
    if _choose_method() == "token":
        _paste_token_login()
        return
    try:
        info = oauth.request_device_code()
    except oauth.DeviceCodeError as err:
        logger.info("Browser login unavailable (%s): reading a token instead.", err)
        _paste_token_login()
        return
    print(f"\n    Open {info['verification_uri_complete']} in a browser\n    and enter the code: {info['user_code']}\n")
    print("    Waiting for authorization", end="", flush=True)
    try:
        answer = oauth.poll_device_token(info, on_pending=lambda: print(".", end="", flush=True))
    finally:
        print()
    _save_oauth_answer(answer)


def notebook_login(*, skip_if_logged_in: bool = True) -> None:
    """Log in from a Jupyter notebook with a small password widget (needs ``ipywidgets``).

    Without ``ipywidgets`` this is ``interpreter_login``.
    """
    if skip_if_logged_in and get_token() is not None:
        logger.info("Already logged in. Use notebook_login(skip_if_logged_in=False) to log in again.")
        return
    try:
        import ipywidgets  # type: ignore[import-not-found]
        from IPython.display import display  # type: ignore[import-not-found]
    except ImportError:
        interpreter_login(skip_if_logged_in=False)
        return
    box = _login_widget(ipywidgets)
    display(box)


def _login_widget(widgets: Any) -> Any:
    """The notebook form: a password field, a git-credential checkbox and a button."""
    token_field = widgets.Password(description="Token:")
    git_box = widgets.Checkbox(value=False, description="Add token as git credential?")
    button = widgets.Button(description="Login")
    status = widgets.HTML(value=f"<p>Paste a token for <b>{html.escape(constants.ENDPOINT)}</b>.</p>")
    box = widgets.VBox([status, token_field, git_box, button])

    def on_click(_: Any) -> None:
        value, token_field.value = token_field.value, ""  # do not keep the secret in the widget
        try:
            _validate_and_save(value, add_to_git_credential=bool(git_box.value))
        except Exception as err:  # shown to the user; the widget stays usable
            status.value = f"<p style='color:red'>{html.escape(str(err))}</p>"
        else:
            status.value = "<p>Login successful.</p>"

    button.on_click(on_click)
    return box


# --- helpers -------------------------------------------------------------------------------


def _validate_and_save(
    token: str, *, add_to_git_credential: bool, refresh_token: str | None = None, expires_at: int | None = None
) -> tuple[str, str]:
    """Check the token with the Hub, store it, make it active; returns (token name, user name)."""
    from ..api import HfApi

    token = token.replace("\r", "").replace("\n", "").strip()
    if not token:
        raise ValueError("No token given.")
    if token.startswith("api_org"):
        raise ValueError("Log in with a personal access token, not an organization token (api_org...).")
    me = HfApi().whoami(token=token)
    username = str(me["name"])
    access = (me.get("auth") or {}).get("accessToken") or {}
    logger.info("Token is valid (permission: %s).", access.get("role") or "unknown")
    name = str(access.get("displayName") or f"oauth-{username}")
    tokens.save_token(token, name, refresh_token=refresh_token, expires_at=expires_at)
    tokens.set_active_token(name)
    if add_to_git_credential:
        _add_to_git_credential(token)
    logger.info("Login successful: the active token is %r.", name)
    if token_from_environment():
        logger.warning("Note: HF_TOKEN is set and is used instead of the token you just saved.")
    return name, username


def _add_to_git_credential(token: str) -> None:
    try:
        helpers = git_credential.list_credential_helpers()
        if helpers:
            git_credential.set_git_credential(token)
            logger.info("Token saved in your git credential helpers (%s).", ", ".join(helpers))
        else:
            # No helper to hand the token to: register hubkit's, which stores nothing itself.
            key = git_credential.install_git_credential_helper()
            logger.info("git now asks hubkit for the Hub's credentials (%s in ~/.gitconfig).", key)
    except (OSError, FileNotFoundError) as err:
        logger.warning("Token not added to git credentials: %s", err)


def _save_oauth_answer(answer: dict[str, Any]) -> tuple[str, str]:
    expires_in = answer.get("expires_in")
    expires_at = int(time.time()) + int(expires_in) if expires_in else None
    return _validate_and_save(
        str(answer["access_token"]),
        add_to_git_credential=False,
        refresh_token=answer.get("refresh_token"),
        expires_at=expires_at,
    )


def _choose_method() -> str:
    if sys.stdin is None or not sys.stdin.isatty():
        return "browser"
    answer = input("Log in with [1] your browser or [2] a pasted access token? [1]: ").strip()
    return "token" if answer == "2" else "browser"


def _paste_token_login() -> None:
    print(f"    Paste an access token of {constants.ENDPOINT} (settings/tokens).")
    token = getpass("Token (input hidden): ")
    _validate_and_save(token, add_to_git_credential=False)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ in ("ZMQInteractiveShell", "Shell")


def _mask(token: str) -> str:
    return f"{token[:3]}****{token[-4:]}" if len(token) > 8 else "****"


def _expiry(expires_at: str | None) -> str:
    try:
        when = int(expires_at or "")
    except ValueError:
        return ""
    text = datetime.fromtimestamp(when).strftime("%Y-%m-%d")
    return f"{text} (expired)" if when < time.time() else text
