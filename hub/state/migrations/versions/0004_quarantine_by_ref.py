"""Quarantine entries found by where their record lives, so a record read again refreshes its open entry.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_hub_quarantine_ref", "hub_quarantine", ["pipeline", "stream", "ref"],
                    mysql_length={"ref": 255})


def downgrade() -> None:
    op.drop_index("ix_hub_quarantine_ref", table_name="hub_quarantine")
