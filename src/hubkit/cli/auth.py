"""``hubkit auth``: login, logout, whoami, list, switch, token.

Tokens are stored in ``huggingface_hub``'s files (``$HF_HOME/token``, ``stored_tokens``), so a
login made here is seen by ``hf`` and the other way round. Token values are never printed,
except by ``auth token``, whose whole purpose is that.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import Any

from ._common import add_output, add_token, api, emit, emit_object, leaf, note, out
from ._output import Column
from .main import EXIT_AUTH, EXIT_NOT_FOUND, EXIT_USAGE, CliError


def register(name: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")

    p = leaf(sub, "login", _login, "log in: check a token against the Hub and save it as the active one")
    p.add_argument("--token", help="the access token, `-` to read it from stdin (default: ask, or a browser login)")
    p.add_argument("--add-to-git-credential", action="store_true", help="also let git use the token for this Hub")
    p.add_argument("--force", action="store_true", help="log in again even if a token is already configured")

    p = leaf(sub, "logout", _logout, "forget the saved tokens (all, or the one named)")
    p.add_argument("--token-name", help="forget only this saved token")

    p = leaf(sub, "whoami", _whoami, "show the account behind the current token")
    add_token(p)
    add_output(p, listing=False)

    p = leaf(sub, "list", _list, "list the saved tokens (masked) and which one is active", aliases=["ls"])
    add_output(p)

    p = leaf(sub, "switch", _switch, "make another saved token the active one")
    p.add_argument("--token-name", help="the saved token to activate (default: ask)")
    p.add_argument("--add-to-git-credential", action="store_true", help="also let git use the token for this Hub")

    leaf(sub, "token", _token, "print the current token (for scripts: `export HF_TOKEN=$(hubkit auth token)`)")


def _mask(token: str) -> str:
    return f"{token[:3]}…{token[-4:]}" if len(token) > 12 else "…"


def _login(args: argparse.Namespace) -> int:
    from ..auth import login

    if args.token == "-":  # keeps the token out of the shell history and `ps`
        args.token = sys.stdin.readline().strip()
    if args.token is None and not sys.stdin.isatty():
        raise CliError(
            "No token given and no terminal to ask for one.",
            hint="pass --token hf_..., or run `hubkit auth login` in a terminal",
            code=EXIT_USAGE,
        )
    login(args.token, add_to_git_credential=args.add_to_git_credential, skip_if_logged_in=not args.force)
    try:
        me = api(args).whoami()
    except Exception:  # a login that worked deserves a success line even if this check fails
        note("Logged in.")
        return 0
    note(f"Logged in as {me.get('name')} on {api(args).endpoint}.")
    return 0


def _logout(args: argparse.Namespace) -> int:
    from .._auth import read_stored_tokens, token_from_environment, token_from_file
    from ..auth import logout

    stored = read_stored_tokens()
    if not stored and not args.token_name and token_from_file() is None:
        note("Not logged in: no saved token." + (" HF_TOKEN is set, though." if token_from_environment() else ""))
        return 0
    if args.token_name and args.token_name not in stored:
        raise CliError(f"No saved token is named {args.token_name!r}.", hint="see `hubkit auth list`",
                       code=EXIT_NOT_FOUND)  # fmt: skip
    try:
        logout(args.token_name)
    except OSError as err:  # the files are gone, but HF_TOKEN still authenticates
        if token_from_environment() is None:
            raise
        note(f"Logged out. {err}")
        return 0
    note(f"Logged out from {args.token_name!r}." if args.token_name else "Logged out.")
    return 0


def _whoami(args: argparse.Namespace) -> int:
    from .._auth import get_token

    if not (args.token or get_token()):
        raise CliError("Not logged in.", hint="log in with `hubkit auth login`, or set HF_TOKEN", code=EXIT_AUTH)
    client = api(args)
    me: dict[str, Any] = client.whoami()
    access = (me.get("auth") or {}).get("accessToken") or {}
    orgs = [o.get("name") for o in me.get("orgs") or [] if isinstance(o, dict)]
    pairs = [
        ("user", me.get("name")),
        ("fullname", me.get("fullname")),
        ("orgs", orgs),
        ("token", access.get("displayName")),
        ("role", access.get("role")),
        ("endpoint", client.endpoint),
    ]
    emit_object(args, me, [(k, v) for k, v in pairs if v not in (None, "", [])])
    return 0


def token_records() -> list[dict[str, Any]]:
    """The saved tokens as records (name, masked value, active, expiry): never the value itself."""
    from .._auth import get_token, read_stored_tokens

    current = get_token()
    records = []
    for name, fields in read_stored_tokens().items():
        value = fields.get("hf_token", "")
        expires = fields.get("expires_at") or ""
        records.append({
            "name": name,
            "token": _mask(value),
            "active": bool(value) and value == current,
            "expires_at": datetime.fromtimestamp(int(expires), timezone.utc) if expires.isdigit() else None,
        })  # fmt: skip
    return records


_TOKEN_COLUMNS = (
    Column("active", "", lambda v: "*" if v else ""),
    Column("name", "NAME"),
    Column("token", "TOKEN"),
    Column("expires_at", "EXPIRES"),
)


def _list(args: argparse.Namespace) -> int:
    from .._auth import token_from_environment

    records = token_records()
    columns = [c for c in _TOKEN_COLUMNS if c.key != "expires_at" or any(r["expires_at"] for r in records)]
    emit(args, records, columns, id_key="name", empty="No saved tokens.")
    if token_from_environment() and args.format == "table" and not args.quiet:
        note("Note: HF_TOKEN is set; it is the token in use, whatever is saved.")
    return 0


def _switch(args: argparse.Namespace) -> int:
    from .._auth import read_stored_tokens
    from ..auth import auth_switch

    names = list(read_stored_tokens())
    if not names:
        raise CliError("No saved tokens to switch to.", hint="log in with `hubkit auth login`", code=EXIT_NOT_FOUND)
    name = args.token_name
    if name is None:
        if not sys.stdin.isatty():
            raise CliError("Which token? Pass --token-name.", hint="see `hubkit auth list`", code=EXIT_USAGE)
        for i, candidate in enumerate(names, 1):
            note(f"  [{i}] {candidate}")
        answer = input("Token number: ").strip()
        if not answer.isdigit() or not 1 <= int(answer) <= len(names):
            raise CliError("No such choice.", code=EXIT_USAGE)
        name = names[int(answer) - 1]
    if name not in names:
        raise CliError(f"No saved token is named {name!r}.", hint="see `hubkit auth list`", code=EXIT_NOT_FOUND)
    auth_switch(name, add_to_git_credential=args.add_to_git_credential)
    note(f"The active token is now {name!r}.")
    return 0


def _token(args: argparse.Namespace) -> int:
    from .._auth import get_token

    token = get_token()
    if token is None:
        raise CliError("Not logged in.", hint="log in with `hubkit auth login`, or set HF_TOKEN", code=EXIT_AUTH)
    out(token)
    return 0
