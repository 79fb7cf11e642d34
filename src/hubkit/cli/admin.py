"""``hubkit admin``: provisioning straight on the hub's database, also while it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from .main import CliError


def _hub_db(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from ..server.db.engine import Database
    from ..server.settings import Settings, default_data_dir

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, public_url="http://localhost", database_url=args.database_url or "")
    return Database(settings.database_url)


def run_admin(args: argparse.Namespace) -> int:
    from ..server.errors import HubError
    from ..server.services import accounts

    db = _hub_db(args)
    try:
        with db.session() as s:
            if args.admin_command == "create-user":
                user = accounts.create_user(s, args.name, fullname=args.fullname, email=args.email, is_admin=args.admin)
                print(f"Created user {user.name}")
            elif args.admin_command == "create-org":
                members = []
                for spec in args.member:
                    name, _, role = spec.partition(":")
                    members.append((name, role or "write"))
                org = accounts.create_org(s, args.name, members=members, fullname=args.fullname)
                print(f"Created organization {org.name}" + (f" with {len(members)} member(s)" if members else ""))
            elif args.admin_command == "create-token":
                _, value = accounts.create_token(s, args.user, role=args.role, name=args.name, value=args.value)
                print(value)
    except HubError as err:
        raise CliError(err.message) from None
    finally:
        db.dispose()
    return 0
