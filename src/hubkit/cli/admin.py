"""``hubkit admin``: provisioning and maintenance straight on the hub's database, also while
the hub runs."""

from __future__ import annotations

import argparse

from .main import CliError
from .settings import settings_from_args


def run_admin(args: argparse.Namespace) -> int:
    from ..server.db.engine import Database
    from ..server.db.migrate import SchemaOutdated
    from ..server.errors import HubError

    settings = settings_from_args(args)
    if args.admin_command == "migrate":
        from ..server.db import migrate

        db = Database(settings.database_url, migrate="none")
        try:
            before = migrate.current_revision(db.engine)
            migrate.upgrade(db.engine)
            print(f"Database schema: {before or 'empty'} -> {migrate.head_revision()}")
        finally:
            db.dispose()
        return 0
    if args.admin_command == "gc":
        from ..server.gc import collect
        from ..server.hub import Hub

        try:
            hub = Hub(settings)
        except SchemaOutdated as err:
            raise CliError(str(err)) from None
        try:
            report = collect(hub, grace_seconds=args.grace_hours * 3600, dry_run=args.dry_run)
        finally:
            hub.close()
        verb = "would delete" if args.dry_run else "deleted"
        print(f"{verb} {report.objects} objects ({report.bytes} bytes); kept {report.kept}")
        return 0
    try:
        db = Database(settings.database_url)
    except SchemaOutdated as err:
        raise CliError(str(err)) from None
    try:
        _provision(db, args)
    except HubError as err:
        raise CliError(err.message) from None
    finally:
        db.dispose()
    return 0


def _provision(db, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from ..server.services import accounts

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
            suffix = f" with {len(members)} member(s)" if members else ""
            print(f"Created organization {org.name}{suffix}")
        elif args.admin_command == "create-token":
            _, value = accounts.create_token(s, args.user, role=args.role, name=args.name, value=args.value)
            print(value)
