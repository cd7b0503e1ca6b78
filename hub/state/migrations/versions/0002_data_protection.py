"""Data protection: consent ledger, propagation, suppression list, subject index and subject requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_TZ = sa.DateTime(timezone=True)
_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Consent records are never edited: a change is a new row. DELETE stays possible, for erasure only.
_SQLITE_GUARDS = (
    "CREATE TRIGGER hub_consent_ledger_no_update BEFORE UPDATE ON hub_consent_ledger "
    "BEGIN SELECT RAISE(ABORT, 'hub_consent_ledger is append-only'); END",
)
_POSTGRES_GUARDS = (
    "CREATE FUNCTION hub_consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'hub_consent_ledger is append-only'; END $$",
    "CREATE TRIGGER hub_consent_ledger_no_update BEFORE UPDATE ON hub_consent_ledger "
    "FOR EACH ROW EXECUTE FUNCTION hub_consent_ledger_append_only()",
)


def upgrade() -> None:
    op.create_table(
        "hub_consent_ledger",
        sa.Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
        sa.Column("consent_id", sa.String(32), nullable=False, unique=True),
        sa.Column("supersedes_id", sa.String(32), nullable=True),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("identifier_hmacs", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("legal_basis", sa.String(32), nullable=True),
        sa.Column("regime", sa.String(8), nullable=True),
        sa.Column("article", sa.String(64), nullable=True),
        sa.Column("assessment_ref", sa.String(200), nullable=True),
        sa.Column("jurisdiction", sa.String(8), nullable=True),
        sa.Column("captured_at", _TZ, nullable=True),
        sa.Column("effective_from", _TZ, nullable=True),
        sa.Column("effective_to", _TZ, nullable=True),
        sa.Column("double_optin_at", _TZ, nullable=True),
        sa.Column("capture_method", sa.String(64), nullable=True),
        sa.Column("source_system", sa.String(200), nullable=True),
        sa.Column("collection_point", sa.String(200), nullable=True),
        sa.Column("notice_id", sa.String(100), nullable=True),
        sa.Column("notice_version", sa.String(64), nullable=True),
        sa.Column("notice_language", sa.String(16), nullable=True),
        sa.Column("notice_hash", sa.String(64), nullable=True),
        sa.Column("evidence_ref", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(16), nullable=True),
        sa.Column("iys_status", sa.String(16), nullable=True),
        sa.Column("withdrawn_at", _TZ, nullable=True),
        sa.Column("retention_until", _TZ, nullable=True),
        sa.Column("recorded_at", _TZ, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )
    op.create_index("ix_hub_consent_ledger_subject", "hub_consent_ledger", ["subject_id", "channel", "id"])
    guards = _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)

    op.create_table(
        "hub_consent_propagation",
        sa.Column("consent_id", sa.String(32), primary_key=True),
        sa.Column("connection", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("pushed_at", _TZ, nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
    )

    op.create_table(
        "hub_suppression",
        sa.Column("identifier_hmac", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(16), primary_key=True),
        sa.Column("id_type", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
    )

    op.create_table(
        "hub_subject_keys",
        sa.Column("key_hmac", sa.String(64), primary_key=True),
        sa.Column("hub_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_hub_subject_keys_hub", "hub_subject_keys", ["hub_id"])

    op.create_table(
        "hub_subject_requests",
        sa.Column("request_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("hub_ids", sa.Text(), nullable=False),
        sa.Column("regime", sa.String(16), nullable=False),
        sa.Column("received_at", _TZ, nullable=False),
        sa.Column("due_at", _TZ, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("completed_at", _TZ, nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_hub_subject_requests_status", "hub_subject_requests", ["status", "due_at"])

    op.create_table(
        "hub_subject_request_systems",
        sa.Column("request_id", sa.String(32), primary_key=True),
        sa.Column("connection", sa.String(200), primary_key=True),
        sa.Column("stream", sa.String(200), primary_key=True),
        sa.Column("mechanism", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", _TZ, nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("sealed_keys", sa.LargeBinary(), nullable=True),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS hub_consent_ledger_append_only() CASCADE")
    for table in (
        "hub_subject_request_systems",
        "hub_subject_requests",
        "hub_subject_keys",
        "hub_suppression",
        "hub_consent_propagation",
        "hub_consent_ledger",
    ):
        op.drop_table(table)
