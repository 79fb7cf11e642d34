"""safetensors parameter counts (per content, and per repo main branch)

Revision ID: cards
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cards"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safetensors_files",
        sa.Column("content_id", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("content_id"),
    )
    op.create_table(
        "repo_safetensors",
        sa.Column("repo_id", sa.Integer(), nullable=False),
        sa.Column("commit", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["repo_id"], ["repos.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("repo_id"),
    )
    with op.batch_alter_table("repo_safetensors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repo_safetensors_total"), ["total"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("repo_safetensors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repo_safetensors_total"))
    op.drop_table("repo_safetensors")
    op.drop_table("safetensors_files")
