"""Grammar of ``hubkit serve`` and ``hubkit admin``; the work is done by ``serve.py`` and ``admin.py``.

Only the argument definitions live here, so the top-level parser can stay free of them; the
handlers (and the server's heavy imports) load when one of these commands runs.
"""

from __future__ import annotations

import argparse


def register(name: str, parser: argparse.ArgumentParser) -> None:
    """Add the options of ``serve`` or ``admin`` to ``parser``."""
    if name == "serve":
        _serve(parser)
    else:
        _admin(parser)


def _run_serve(args: argparse.Namespace) -> int:
    from .serve import run_serve

    return run_serve(args)


def _run_admin(args: argparse.Namespace) -> int:
    from .admin import run_admin

    return run_admin(args)


def _serve(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--data-dir", help="where the database and objects live (default: $HUBKIT_DATA_DIR or a per-user folder)"
    )
    serve.add_argument(
        "--storage-url", help="where objects live: s3://bucket/prefix (default: $HUBKIT_STORAGE_URL or the data dir)"
    )
    serve.add_argument("--public-url", help="the URL clients use (HF_ENDPOINT), may carry a path prefix")
    serve.add_argument(
        "--database-url", help="SQLAlchemy URL (default: $HUBKIT_DATABASE_URL or SQLite in the data dir)"
    )
    serve.add_argument("--workers", type=int, default=1, help="number of server processes")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument(
        "--accel-redirect",
        metavar="PREFIX",
        help="behind nginx: let it send large files from an internal location PREFIX aliasing <data>/objects/",
    )
    serve.add_argument(
        "--inference",
        action="store_true",
        help="run the hub's own models: /v1/chat/completions and hf-inference routes (needs hubkit[inference])",
    )
    serve.add_argument(
        "--inference-memory-mb",
        type=int,
        default=4096,
        metavar="MB",
        help="memory budget of loaded models (default 4096)",
    )
    serve.add_argument(
        "--inference-workers", type=int, default=2, metavar="N", help="threads running models (default 2)"
    )
    serve.set_defaults(func=_run_serve)


def _with_data_dir(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--data-dir", help="the hub's data dir (default: $HUBKIT_DATA_DIR or a per-user folder)")
    p.add_argument("--database-url", help="SQLAlchemy URL (default: $HUBKIT_DATABASE_URL or SQLite in the data dir)")
    p.add_argument("--storage-url", help="s3://bucket/prefix (default: $HUBKIT_STORAGE_URL or the data dir)")
    p.set_defaults(func=_run_admin)
    return p


def _admin(admin: argparse.ArgumentParser) -> None:
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    _with_data_dir(admin_sub.add_parser("migrate", help="upgrade the database schema to this version"))
    gc = _with_data_dir(admin_sub.add_parser("gc", help="delete objects nothing references any more"))
    gc.add_argument("--grace-hours", type=float, default=24.0, help="keep objects younger than this (default 24)")
    gc.add_argument("--dry-run", action="store_true", help="report what would be deleted")

    user = _with_data_dir(admin_sub.add_parser("create-user", help="create a user"))
    user.add_argument("name")
    user.add_argument("--fullname", default="")
    user.add_argument("--email")
    user.add_argument("--admin", action="store_true", help="a hub administrator (sees and manages every repo)")

    org = _with_data_dir(admin_sub.add_parser("create-org", help="create an organization"))
    org.add_argument("name")
    org.add_argument("--fullname", default="")
    org.add_argument("--member", action="append", default=[], metavar="USER[:admin|write|read]")

    token = _with_data_dir(admin_sub.add_parser("create-token", help="create an access token and print it"))
    token.add_argument("user")
    token.add_argument("--role", choices=["read", "write"], default="write")
    token.add_argument("--name", default="")
    token.add_argument("--value", help="use this value (for CI provisioning) instead of a random one")
