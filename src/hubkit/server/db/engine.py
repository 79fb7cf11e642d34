"""Database engine and sessions (SQLite by default, PostgreSQL for several processes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Executable, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """``postgresql://`` URLs use psycopg 3 (the driver we depend on)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        # The admin CLI writes while the server runs: wait for the lock instead of failing.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        # one connection per worker thread (anyio runs up to 40): opening one costs more than a query
        kwargs.update(pool_size=40, max_overflow=10)
    else:
        kwargs.update(pool_size=20, max_overflow=20, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # persists in the file
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


class Database:
    """The engine plus a session factory. ``migrate``: "auto" upgrades the schema to the
    current version (the embedded SQLite default), "check" refuses an outdated schema (shared
    databases are migrated explicitly, with ``hubkit admin migrate``), "none" does neither."""

    def __init__(self, url: str, *, migrate: str = "auto") -> None:
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.url.get_backend_name() == "sqlite"
        if migrate != "none":
            from . import migrate as migrations

            if migrate == "auto" and self.is_sqlite:
                migrations.upgrade(self.engine)
            else:
                migrations.check(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self._sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def insert_ignore(s: Session, model: type[Any], values: dict[str, Any]) -> Executable:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the session's database (SQLite or PostgreSQL)."""
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).values(**values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).values(**values).on_conflict_do_nothing()
