"""Alembic environment: runs on the connection handed over by ``hubkit.server.db.migrate``."""

from __future__ import annotations

from alembic import context

from hubkit.server.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `hubkit admin migrate`")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
