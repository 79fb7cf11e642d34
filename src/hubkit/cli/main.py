"""Entry point of the ``hubkit`` command: parses arguments, imports command groups lazily."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


class CliError(Exception):
    """An error to show the user as one line, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubkit", description="hubkit: the Hugging Face Hub protocol, client and server."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run a self-hosted Hub")
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

    admin = sub.add_parser("admin", help="provision users, organizations and tokens")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    def with_data_dir(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data-dir", help="the hub's data dir (default: $HUBKIT_DATA_DIR or a per-user folder)")
        p.add_argument(
            "--database-url", help="SQLAlchemy URL (default: $HUBKIT_DATABASE_URL or SQLite in the data dir)"
        )
        p.add_argument("--storage-url", help="s3://bucket/prefix (default: $HUBKIT_STORAGE_URL or the data dir)")
        return p

    with_data_dir(admin_sub.add_parser("migrate", help="upgrade the database schema to this version"))
    gc = with_data_dir(admin_sub.add_parser("gc", help="delete objects nothing references any more"))
    gc.add_argument("--grace-hours", type=float, default=24.0, help="keep objects younger than this (default 24)")
    gc.add_argument("--dry-run", action="store_true", help="report what would be deleted")

    user = with_data_dir(admin_sub.add_parser("create-user", help="create a user"))
    user.add_argument("name")
    user.add_argument("--fullname", default="")
    user.add_argument("--email")
    user.add_argument("--admin", action="store_true", help="a hub administrator (sees and manages every repo)")

    org = with_data_dir(admin_sub.add_parser("create-org", help="create an organization"))
    org.add_argument("name")
    org.add_argument("--fullname", default="")
    org.add_argument("--member", action="append", default=[], metavar="USER[:admin|write|read]")

    token = with_data_dir(admin_sub.add_parser("create-token", help="create an access token and print it"))
    token.add_argument("user")
    token.add_argument("--role", choices=["read", "write"], default="write")
    token.add_argument("--name", default="")
    token.add_argument("--value", help="use this value (for CI provisioning) instead of a random one")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "serve":
            from .serve import run_serve

            return run_serve(args)
        if args.command == "admin":
            from .admin import run_admin

            return run_admin(args)
    except CliError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        if os.environ.get("HUBKIT_DEBUG") or os.environ.get("HF_DEBUG"):
            raise
        print(f"Error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
