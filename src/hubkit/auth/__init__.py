"""Authentication on the client side: logging in and out, stored tokens, git credentials.

Token files are ``huggingface_hub``'s (``$HF_HOME/token`` and ``stored_tokens``), so a login
with either library is seen by the other. Finding the token to send is ``hubkit._auth``.
"""

from __future__ import annotations

from .._auth import get_stored_tokens, get_token
from ._login import auth_list, auth_switch, interpreter_login, login, logout, notebook_login
from .git_credential import (
    install_git_credential_helper,
    list_credential_helpers,
    set_git_credential,
    uninstall_git_credential_helper,
    unset_git_credential,
)
from .oauth import DeviceCodeError, OAuthErrorCode

__all__ = [
    "DeviceCodeError",
    "OAuthErrorCode",
    "auth_list",
    "auth_switch",
    "get_stored_tokens",
    "get_token",
    "install_git_credential_helper",
    "interpreter_login",
    "list_credential_helpers",
    "login",
    "logout",
    "notebook_login",
    "set_git_credential",
    "uninstall_git_credential_helper",
    "unset_git_credential",
]
