"""Identity resolution: candidate index, review queue, merge decisions, vetoes, golden-record provenance.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_TZ = sa.DateTime(timezone=True)
_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hub_block_keys",
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("key_hmac", sa.String(64), primary_key=True),
        sa.Column("hub_id", sa.String(64), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hub_review",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("decided_at", _TZ, nullable=True),
    )
    op.create_index("ix_hub_review_status", "hub_review", ["status", "stream", "id"])
    op.create_table(
        "hub_merges",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("hub_id", sa.String(64), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("decided_by", sa.String(16), nullable=False),
        sa.Column("review_id", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("undone_at", _TZ, nullable=True),
    )
    op.create_index("ix_hub_merges_hub", "hub_merges", ["hub_id", "stream"])
    op.create_table(
        "hub_match_vetoes",
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("hub_a", sa.String(64), primary_key=True),
        sa.Column("hub_b", sa.String(64), primary_key=True),
        sa.Column("created_at", _TZ, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "hub_golden_fields",
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("hub_id", sa.String(64), primary_key=True),
        sa.Column("field", sa.String(200), primary_key=True),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("record_id", sa.String(512), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("chosen_at", _TZ, nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for name in ("hub_golden_fields", "hub_match_vetoes", "hub_merges", "hub_review", "hub_block_keys"):
        op.drop_table(name)
