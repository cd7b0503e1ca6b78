"""Tables of the state store (SQLAlchemy Core). Migrations in ``hub/state/migrations`` must agree with this.

Every table is prefixed ``hub_`` so the store can share a PostgreSQL database with other data.

==================  =======================================================================================
``hub_runs``        one row per run: pipeline, source, target, streams, dry-run flag, fencing token,
                    status (running|succeeded|failed|stopped), start/finish times, JSON summary
``hub_run_records`` one row per record a run handled: stream, sequence, human ref, source id, hub id,
                    outcome (created|updated|...|quarantined), target id, JSON detail (reason codes, no PII)
``hub_checkpoints`` the latest cursor per (pipeline, stream); per-pipeline phase data uses its own stream name
``hub_identity``    identity map: (connection, stream, record id) -> hub id; first link wins
``hub_match_keys``  (stream, HMAC of a normalised match key) -> hub id, for matching without storing PII
``hub_quarantine``  records held back: reasons (codes + messages, no values), Fernet-encrypted payload,
                    status (open|retried|resolved|discarded); payloads are purged after a retention period
``hub_audit``       append-only, hash-chained log: hash = sha256(previous hash + canonical JSON of the entry)
``hub_audit_head``  the single row (id 1) holding the chain's last id and hash; writers lock it to append
``hub_leases``      one row per lease name: holder, fencing token (monotonic, never reset), expiry
``hub_kv``          Fernet-encrypted values by (namespace, key): OAuth tokens, SDK sessions
==================  =======================================================================================

Times are stored as UTC (``timestamptz`` on PostgreSQL, ISO text on SQLite) and always read back
timezone-aware. JSON columns are text written by :func:`dump_json` so that hashing is reproducible.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

__all__ = [
    "audit",
    "audit_head",
    "checkpoints",
    "dump_json",
    "identity",
    "kv",
    "leases",
    "match_keys",
    "metadata",
    "quarantine",
    "run_records",
    "runs",
    "utcnow",
]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


# One encoder for every call: json.dumps with non-default options builds a new encoder each time.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def dump_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept; dates and decimals become strings."""
    return _CANONICAL.encode(value)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A datetime stored as UTC and read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the state store; pass a timezone-aware value")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY (the rowid alias).
AutoId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

runs = Table(
    "hub_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("pipeline", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("target", String(200), nullable=False),
    Column("streams", Text, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("fencing_token", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("summary", Text, nullable=True),
    Index("ix_hub_runs_pipeline_started", "pipeline", "started_at"),
    Index("ix_hub_runs_started", "started_at"),
)

run_records = Table(
    "hub_run_records",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=False),
    Column("stream", String(200), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("ref", Text, nullable=False),
    Column("source_id", Text, nullable=True),
    Column("hub_id", String(64), nullable=True),
    Column("outcome", String(32), nullable=False),
    Column("target_id", Text, nullable=True),
    Column("detail", Text, nullable=True),
    Index("ix_hub_run_records_run", "run_id", "id"),
    Index("ix_hub_run_records_run_outcome", "run_id", "outcome"),
)

checkpoints = Table(
    "hub_checkpoints",
    metadata,
    Column("pipeline", String(200), primary_key=True),
    Column("stream", String(200), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("run_id", String(32), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

identity = Table(
    "hub_identity",
    metadata,
    Column("connection", String(200), primary_key=True),
    Column("stream", String(200), primary_key=True),
    Column("record_id", String(512), primary_key=True),
    Column("hub_id", String(64), nullable=False),
    Index("ix_hub_identity_hub", "hub_id", "stream"),
    sqlite_with_rowid=False,  # the primary key is the lookup path; no second b-tree for a rowid
)

match_keys = Table(
    "hub_match_keys",
    metadata,
    Column("stream", String(200), primary_key=True),
    Column("key_hmac", String(64), primary_key=True),
    Column("hub_id", String(64), nullable=False),
    sqlite_with_rowid=False,
)

quarantine = Table(
    "hub_quarantine",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=True),
    Column("pipeline", String(200), nullable=False),
    Column("stream", String(200), nullable=False),
    Column("ref", Text, nullable=False),
    Column("source_id", Text, nullable=True),
    Column("connection", String(200), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("payload", LargeBinary, nullable=True),
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("purged_at", UtcDateTime, nullable=True),
    Index("ix_hub_quarantine_status", "status", "pipeline", "id"),
    Index("ix_hub_quarantine_created", "created_at"),
    Index("ix_hub_quarantine_ref", "pipeline", "stream", "ref", mysql_length={"ref": 255}),
)

audit = Table(
    "hub_audit",
    metadata,
    # Ids are assigned by the writer holding the head lock, so each entry's hash can cover its own id.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("event", String(100), nullable=False),
    Column("subject", String(128), nullable=True),
    Column("run_id", String(32), nullable=True),
    Column("details", Text, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "hub_audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

leases = Table(
    "hub_leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=True),
    Column("token", BigInteger, nullable=False),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

kv = Table(
    "hub_kv",
    metadata,
    Column("namespace", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


# Data protection (GDPR / KVKK): consent ledger, suppression list, subject index, subject requests ---------
# ``hub_consent_ledger``       append-only consent records; a change is a new row naming the one it supersedes
# ``hub_consent_propagation``  per recipient system: has a withdrawal reached it (pushed, acknowledged)?
# ``hub_suppression``          keyed hashes (HMAC-SHA256) of identifiers no run may (re)create or market to
# ``hub_subject_keys``         HMAC of a person's e-mail / phone / national id -> hub id, to find them on request
# ``hub_subject_requests``     erasure, export and restriction requests with their legal deadline
# ``hub_subject_request_systems``  one row per system a request must reach: mechanism, status, attempts

consent_ledger = Table(
    "hub_consent_ledger",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("consent_id", String(32), nullable=False, unique=True),
    Column("supersedes_id", String(32), nullable=True),
    Column("subject_id", String(64), nullable=False),
    Column("subject_kind", String(16), nullable=False),
    Column("identifier_hmacs", Text, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("legal_basis", String(32), nullable=True),
    Column("regime", String(8), nullable=True),
    Column("article", String(64), nullable=True),
    Column("assessment_ref", String(200), nullable=True),
    Column("jurisdiction", String(8), nullable=True),
    Column("captured_at", UtcDateTime, nullable=True),
    Column("effective_from", UtcDateTime, nullable=True),
    Column("effective_to", UtcDateTime, nullable=True),
    Column("double_optin_at", UtcDateTime, nullable=True),
    Column("capture_method", String(64), nullable=True),
    Column("source_system", String(200), nullable=True),
    Column("collection_point", String(200), nullable=True),
    Column("notice_id", String(100), nullable=True),
    Column("notice_version", String(64), nullable=True),
    Column("notice_language", String(16), nullable=True),
    Column("notice_hash", String(64), nullable=True),
    Column("evidence_ref", Text, nullable=True),
    Column("actor", String(16), nullable=True),
    Column("iys_status", String(16), nullable=True),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    Column("retention_until", UtcDateTime, nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("run_id", String(32), nullable=True),
    Column("fingerprint", String(64), nullable=False),
    Index("ix_hub_consent_ledger_subject", "subject_id", "channel", "id"),
)

consent_propagation = Table(
    "hub_consent_propagation",
    metadata,
    Column("consent_id", String(32), primary_key=True),
    Column("connection", String(200), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("pushed_at", UtcDateTime, nullable=True),
    Column("message", Text, nullable=False),
)

suppression = Table(
    "hub_suppression",
    metadata,
    Column("identifier_hmac", String(64), primary_key=True),
    Column("reason", String(16), primary_key=True),
    Column("id_type", String(16), nullable=False),
    Column("scope", String(64), nullable=False),
    Column("request_id", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("legal_hold", Boolean, nullable=False),
)

subject_keys = Table(
    "hub_subject_keys",
    metadata,
    Column("key_hmac", String(64), primary_key=True),
    Column("hub_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Index("ix_hub_subject_keys_hub", "hub_id"),
    sqlite_with_rowid=False,
)

subject_requests = Table(
    "hub_subject_requests",
    metadata,
    Column("request_id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("hub_ids", Text, nullable=False),
    Column("regime", String(16), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("detail", Text, nullable=False),
    Index("ix_hub_subject_requests_status", "status", "due_at"),
)

subject_request_systems = Table(
    "hub_subject_request_systems",
    metadata,
    Column("request_id", String(32), primary_key=True),
    Column("connection", String(200), primary_key=True),
    Column("stream", String(200), primary_key=True),
    Column("mechanism", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    Column("message", Text, nullable=False),
    # The record keys to erase, encrypted: kept only until the system acknowledges, then set to NULL.
    Column("sealed_keys", LargeBinary, nullable=True),
)

__all__ += [
    "consent_ledger",
    "consent_propagation",
    "subject_keys",
    "subject_request_systems",
    "subject_requests",
    "suppression",
]


# Identity resolution: candidate index, review queue, merge decisions, golden-record provenance ---------
# ``hub_block_keys``     (stream, HMAC of a blocking key) -> hub ids: candidates for probabilistic matching
#                        in syncs, found without storing a name, e-mail or phone
# ``hub_review``         pairs and clusters a person must decide: members (connection, record id, hub id),
#                        score, reason, status (open|accepted|rejected)
# ``hub_merges``         every merge (automatic, by rule, or accepted in review) with what each member was
#                        linked to before, so ``crmhub unmerge`` can restore the identity map
# ``hub_match_vetoes``   pairs of hub ids a person said are different: never merged again
# ``hub_golden_fields``  which source supplied each field of a golden record, and by which rule

block_keys = Table(
    "hub_block_keys",
    metadata,
    Column("stream", String(200), primary_key=True),
    Column("key_hmac", String(64), primary_key=True),
    Column("hub_id", String(64), primary_key=True),
    sqlite_with_rowid=False,
)

review_items = Table(
    "hub_review",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("stream", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("members", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("run_id", String(32), nullable=True),
    Column("note", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime, nullable=True),
    Index("ix_hub_review_status", "status", "stream", "id"),
)

merges = Table(
    "hub_merges",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("stream", String(200), nullable=False),
    Column("hub_id", String(64), nullable=False),
    Column("members", Text, nullable=False),
    Column("score", Float, nullable=True),
    Column("rule", String(64), nullable=True),
    Column("decided_by", String(16), nullable=False),
    Column("review_id", BigInteger, nullable=True),
    Column("run_id", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("undone_at", UtcDateTime, nullable=True),
    Index("ix_hub_merges_hub", "hub_id", "stream"),
)

match_vetoes = Table(
    "hub_match_vetoes",
    metadata,
    Column("stream", String(200), primary_key=True),
    Column("hub_a", String(64), primary_key=True),
    Column("hub_b", String(64), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)

golden_fields = Table(
    "hub_golden_fields",
    metadata,
    Column("stream", String(200), primary_key=True),
    Column("hub_id", String(64), primary_key=True),
    Column("field", String(200), primary_key=True),
    Column("connection", String(200), nullable=False),
    Column("record_id", String(512), nullable=False),
    Column("rule", String(32), nullable=False),
    Column("chosen_at", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)

__all__ += ["block_keys", "golden_fields", "match_vetoes", "merges", "review_items"]
