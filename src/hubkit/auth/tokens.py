"""Writing the token files ``huggingface_hub`` reads: ``$HF_TOKEN_PATH`` and ``stored_tokens``.

Same places and format (hub-protocol.md §10.3): the active token as plain text without a
newline; every saved token as one INI section named after the token, keys ``hf_token`` and
optionally ``refresh_token``/``expires_at``, sections sorted by name. Files are 0600 and their
folder 0700 on POSIX. Reading lives in ``hubkit._auth``.
"""

from __future__ import annotations

import configparser
import io
import os
from pathlib import Path

from .. import constants
from .._auth import read_stored_tokens, token_from_file

__all__ = ["delete_stored_token", "forget_all_tokens", "save_token", "set_active_token", "write_secret"]

SECRET_FILE_MODE = 0o600
SECRET_DIR_MODE = 0o700


def write_secret(path: Path, content: str) -> None:
    """Write a file only its owner can read, in a folder only its owner can list.

    The file is created with its final mode (never briefly world-readable), then the modes are
    set again in case the file or folder existed with looser ones.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=SECRET_DIR_MODE)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SECRET_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(content)
    try:
        os.chmod(path, SECRET_FILE_MODE)
        os.chmod(path.parent, SECRET_DIR_MODE)
    except (OSError, NotImplementedError):  # best effort (Windows, foreign file systems)
        pass


def _write_stored_tokens(sections: dict[str, dict[str, str]]) -> None:
    parser = configparser.ConfigParser(interpolation=None)
    for name in sorted(sections):
        parser[name] = sections[name]
    buffer = io.StringIO()
    parser.write(buffer)
    write_secret(Path(constants.HF_STORED_TOKENS_PATH), buffer.getvalue())


def save_token(token: str, token_name: str, *, refresh_token: str | None = None, expires_at: int | None = None) -> None:
    """Store ``token`` under ``token_name`` in ``stored_tokens``, replacing a section of that name."""
    if not token_name.strip() or "\n" in token_name or "\r" in token_name:
        raise ValueError(f"Invalid token name {token_name!r}: it names an INI section.")
    sections = read_stored_tokens()
    fields = {"hf_token": token}
    if refresh_token is not None:
        fields["refresh_token"] = refresh_token
    if expires_at is not None:
        fields["expires_at"] = str(int(expires_at))
    sections[token_name] = fields
    _write_stored_tokens(sections)


def set_active_token(token_name: str) -> str:
    """Copy the stored token ``token_name`` into the token file; returns the token."""
    token = (read_stored_tokens().get(token_name) or {}).get("hf_token", "").strip()
    if not token:
        raise ValueError(f"Access token {token_name!r} not found in {constants.HF_STORED_TOKENS_PATH}")
    write_secret(Path(constants.HF_TOKEN_PATH), token)
    return token


def delete_stored_token(token_name: str) -> bool:
    """Remove one stored token; the token file goes too when it held that token. True if found."""
    sections = read_stored_tokens()
    fields = sections.pop(token_name, None)
    if fields is None:
        return False
    _write_stored_tokens(sections)
    if fields.get("hf_token") and fields.get("hf_token") == token_from_file():
        Path(constants.HF_TOKEN_PATH).unlink(missing_ok=True)
    return True


def forget_all_tokens() -> None:
    """Delete the token file and ``stored_tokens``."""
    for path in (constants.HF_TOKEN_PATH, constants.HF_STORED_TOKENS_PATH):
        Path(path).unlink(missing_ok=True)
