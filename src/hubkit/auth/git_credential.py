"""Git credentials for the Hub: ``git`` pushing to or cloning from the Hub uses the saved token.

Two ways, both keyed on the Hub's URL (``HF_ENDPOINT``):

- ``set_git_credential`` / ``unset_git_credential`` hand the token to the credential helpers
  the user already configured (``git credential approve|reject``), as ``huggingface_hub`` does.
- ``install_git_credential_helper`` registers hubkit's own helper for the Hub's host only. It
  stores nothing: each time git asks, it answers the token ``get_token()`` finds right then
  (``HF_TOKEN`` or the saved one), so ``login``, ``auth_switch`` and ``logout`` apply to git at
  once and no token is copied into a git store. Run it as ``python -m hubkit.auth.git_credential``.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from .. import constants

__all__ = [
    "GIT_USERNAME",
    "install_git_credential_helper",
    "list_credential_helpers",
    "main",
    "set_git_credential",
    "uninstall_git_credential_helper",
    "unset_git_credential",
]

GIT_USERNAME = "hf_user"  # the Hub ignores the user name and checks the password (the token)
_HELPER_LINE = re.compile(r"^\s*credential\.helper\s*=\s*([\w\-/]+)(?:\s|$)", re.IGNORECASE | re.MULTILINE)


def _git(*args: str, stdin: str | None = None, folder: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], input=stdin, capture_output=True, text=True, cwd=folder, check=True
        )  # the token travels on stdin only, never in argv (visible to other users via ps)
    except subprocess.CalledProcessError as err:
        raise OSError(f"git {args[0]} failed: {err.stderr.strip()}") from err


def list_credential_helpers(folder: str | None = None) -> list[str]:
    """The credential helpers configured for every host (``credential.helper``), sorted."""
    output = _git("config", "--list", folder=folder).stdout
    return sorted(set(_HELPER_LINE.findall(output)))


def _credential_input(username: str | None, password: str | None = None) -> str:
    lines = [f"url={constants.ENDPOINT}"]
    if username is not None:
        lines.append(f"username={username.lower()}")
    if password is not None:
        lines.append(f"password={password}")
    return "\n".join(lines) + "\n\n"


def set_git_credential(token: str, username: str = GIT_USERNAME, folder: str | None = None) -> None:
    """Save ``token`` for the Hub's URL in every configured credential helper (``git credential approve``)."""
    _git("credential", "approve", stdin=_credential_input(username, token), folder=folder)


def unset_git_credential(username: str = GIT_USERNAME, folder: str | None = None) -> None:
    """Erase the Hub's credentials from the configured helpers (``git credential reject``)."""
    _git("credential", "reject", stdin=_credential_input(username), folder=folder)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _helper_key(endpoint: str) -> str:
    # scheme://host[:port] only: git matches credentials on host unless credential.useHttpPath is set
    return f"credential.{_origin(endpoint)}.helper"


def _helper_command(endpoint: str) -> str:
    python = shlex.quote(sys.executable)
    return f"!{python} -m hubkit.auth.git_credential --endpoint {shlex.quote(endpoint)}"


def install_git_credential_helper(endpoint: str | None = None, *, scope: str = "global") -> str:
    """Make ``git`` ask hubkit for the Hub's credentials; returns the git config key set.

    Args:
        endpoint: the Hub's URL (default ``HF_ENDPOINT``); other hosts are not affected.
        scope: ``"global"`` (``~/.gitconfig``), ``"system"`` or ``"local"`` (the current repo).
    """
    endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
    key = _helper_key(endpoint)
    _git("config", f"--{scope}", "--replace-all", key, _helper_command(endpoint))
    return key


def uninstall_git_credential_helper(endpoint: str | None = None, *, scope: str = "global") -> None:
    """Remove what ``install_git_credential_helper`` added (no error when absent)."""
    key = _helper_key((endpoint or constants.ENDPOINT).rstrip("/"))
    try:
        _git("config", f"--{scope}", "--unset-all", key)
    except OSError:
        pass  # not set


def is_helper_installed(endpoint: str | None = None) -> bool:
    """Whether hubkit's helper answers for the Hub's host in the effective git config."""
    key = _helper_key((endpoint or constants.ENDPOINT).rstrip("/"))
    try:
        values = _git("config", "--get-all", key).stdout
    except OSError:
        return False
    return "hubkit.auth.git_credential" in values


def _read_request(stream: Sequence[str]) -> dict[str, str]:
    request: dict[str, str] = {}
    for line in stream:
        line = line.rstrip("\r\n")
        if not line:
            break
        key, _, value = line.partition("=")
        request[key] = value
    return request


def _answers_for(request: dict[str, str], endpoint: str) -> bool:
    hub = urlsplit(endpoint)
    if "url" in request:
        asked = urlsplit(request["url"])
        protocol, host = asked.scheme, asked.netloc
    else:
        protocol, host = request.get("protocol", ""), request.get("host", "")
    return protocol.lower() == hub.scheme.lower() and host.lower() == hub.netloc.lower()


def main(argv: Sequence[str] | None = None) -> int:
    """The git credential helper: ``get`` answers the Hub's token; ``store`` and ``erase`` do nothing."""
    from .._auth import get_token

    parser = argparse.ArgumentParser(prog="python -m hubkit.auth.git_credential")
    parser.add_argument("--endpoint", default=None, help="the Hub's URL (default: HF_ENDPOINT)")
    parser.add_argument("operation", choices=["get", "store", "erase"])
    args = parser.parse_args(argv)
    request = _read_request(sys.stdin.readlines())
    if args.operation != "get":
        return 0  # the token lives in hubkit's files; git has nothing to store or erase here
    endpoint = (args.endpoint or constants.ENDPOINT).rstrip("/")
    if not _answers_for(request, endpoint):
        return 0  # another host: say nothing, git asks its other helpers
    token = get_token()
    if token:
        sys.stdout.write(f"username={GIT_USERNAME}\npassword={token}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
