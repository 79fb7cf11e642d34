"""``hubkit env`` (what a bug report needs) and ``hubkit version``.

Both answer without the network: versions of installed packages come from their metadata,
settings from the environment through ``hubkit.constants``. ``version`` imports nothing else.
"""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any

from ._common import add_output, emit_object, out


def register(name: str, parser: argparse.ArgumentParser) -> None:
    add_output(parser, listing=False)
    parser.set_defaults(func=_env if name == "env" else _version)


def _installed(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    """The facts that explain most "works here, not there" reports. The token is never shown:
    only whether one is configured and where it comes from."""
    from .. import __version__, constants
    from .._auth import token_from_environment, token_from_file

    token_source = "HF_TOKEN" if token_from_environment() else ("saved login" if token_from_file() else None)
    packages = ("httpx", "huggingface_hub", "hf_xet", "tqdm", "fsspec", "starlette", "uvicorn", "sqlalchemy")
    return {
        "hubkit": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "executable": sys.executable,
        "endpoint": constants.ENDPOINT,
        "hf_home": constants.HF_HOME,
        "hub_cache": constants.HF_HUB_CACHE,
        "token_path": constants.HF_TOKEN_PATH,
        "token": token_source or "none",
        "offline": constants.HF_HUB_OFFLINE,
        "disable_progress_bars": constants.HF_HUB_DISABLE_PROGRESS_BARS,
        "disable_symlinks": constants.HF_HUB_DISABLE_SYMLINKS,
        "disable_xet": constants.HF_HUB_DISABLE_XET,
        "etag_timeout": constants.HF_HUB_ETAG_TIMEOUT,
        "download_timeout": constants.HF_HUB_DOWNLOAD_TIMEOUT,
        "packages": {p: _installed(p) for p in packages},
    }


def _env(args: argparse.Namespace) -> int:
    data = environment()
    pairs = [(k, "unset" if v is None else v) for k, v in data.items() if k != "packages"]
    pairs += [(name, v or "not installed") for name, v in data["packages"].items()]
    emit_object(args, data, pairs)
    return 0


def _version(args: argparse.Namespace) -> int:
    from .. import __version__

    if args.format == "json":
        from ._output import render_json

        out(render_json({"hubkit": __version__, "python": platform.python_version()}))
    else:
        out(f"hubkit {__version__}")
    return 0
