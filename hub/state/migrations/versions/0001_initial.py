"""Initial state store: runs, outcomes, checkpoints, identity, quarantine, audit chain, leases, kv.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_TZ = sa.DateTime(timezone=True)
_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_GENESIS_HASH = "0" * 64

# The audit table refuses UPDATE and DELETE. A database owner can still drop the guard; the hash
# chain is what detects that. The guard stops accidents and scripts that "clean up" the log.
_SQLITE_GUARDS = (
    "CREATE TRIGGER hub_audit_no_update BEFORE UPDATE ON hub_audit "
    "BEGIN SELECT RAISE(ABORT, 'hub_audit is append-only'); END",
    "CREATE TRIGGER hub_audit_no_delete BEFORE DELETE ON hub_audit "
    "BEGIN SELECT RAISE(ABORT, 'hub_audit is append-only'); END",
)
_POSTGRES_GUARDS = (
    "CREATE FUNCTION hub_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'hub_audit is append-only'; END $$",
    "CREATE TRIGGER hub_audit_no_change BEFORE UPDATE OR DELETE ON hub_audit "
    "FOR EACH ROW EXECUTE FUNCTION hub_audit_append_only()",
    "CREATE TRIGGER hub_audit_no_truncate BEFORE TRUNCATE ON hub_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_append_only()",
)


def upgrade() -> None:
    op.create_table(
        "hub_runs",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("pipeline", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("streams", sa.Text(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("fencing_token", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", _TZ, nullable=False),
        sa.Column("finished_at", _TZ, nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
    )
    op.create_index("ix_hub_runs_pipeline_started", "hub_runs", ["pipeline", "started_at"])
    op.create_index("ix_hub_runs_started", "hub_runs", ["started_at"])

    op.create_table(
        "hub_run_records",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("hub_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_hub_run_records_run", "hub_run_records", ["run_id", "id"])
    op.create_index("ix_hub_run_records_run_outcome", "hub_run_records", ["run_id", "outcome"])

    op.create_table(
        "hub_checkpoints",
        sa.Column("pipeline", sa.String(200), primary_key=True),
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
    )

    op.create_table(
        "hub_identity",
        sa.Column("connection", sa.String(200), primary_key=True),
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("record_id", sa.String(512), primary_key=True),
        sa.Column("hub_id", sa.String(64), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_hub_identity_hub", "hub_identity", ["hub_id", "stream"])

    op.create_table(
        "hub_match_keys",
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("key_hmac", sa.String(64), primary_key=True),
        sa.Column("hub_id", sa.String(64), nullable=False),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "hub_quarantine",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("pipeline", sa.String(200), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.Column("purged_at", _TZ, nullable=True),
    )
    op.create_index("ix_hub_quarantine_status", "hub_quarantine", ["status", "pipeline", "id"])
    op.create_index("ix_hub_quarantine_created", "hub_quarantine", ["created_at"])

    op.create_table(
        "hub_audit",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("event", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(128), nullable=True),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    head = op.create_table(
        "hub_audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": _GENESIS_HASH}])
    guards = _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)

    op.create_table(
        "hub_leases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("acquired_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
    )

    op.create_table(
        "hub_kv",
        sa.Column("namespace", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS hub_audit_append_only() CASCADE")
    for table in (
        "hub_kv",
        "hub_leases",
        "hub_audit_head",
        "hub_audit",
        "hub_quarantine",
        "hub_match_keys",
        "hub_identity",
        "hub_checkpoints",
        "hub_run_records",
        "hub_runs",
    ):
        op.drop_table(table)
