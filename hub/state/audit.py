"""The audit log: append-only and hash-chained, so that an edited or removed entry is detected.

Entry ``n`` stores ``hash_n = sha256(hash_{n-1} + canonical_json(entry_n))`` with ``hash_0`` sixty-four
zeros; the canonical JSON covers the entry's id, time, event, subject, run id and details (sorted
keys, no spaces). Ids are consecutive and assigned by the writer that holds the chain head
(``hub_audit_head``, row 1, locked with ``FOR UPDATE`` or ``BEGIN IMMEDIATE``), so two writers
never fork the chain. The head also remembers the last hash, which catches a truncated tail.

Subjects are pseudonyms (``StoreKeys.pseudonym``) or hub ids, never raw PII.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hub.state.schema import audit, audit_head, dump_json, utcnow

__all__ = ["GENESIS_HASH", "AuditEvent", "AuditVerification"]

GENESIS_HASH = "0" * 64
_VERIFY_CHUNK = 5000


@dataclass(slots=True)
class AuditEvent:
    """One thing that happened, for ``audit_many``. ``subject`` is a pseudonym or hub id."""

    event: str
    subject: str | None
    details: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """Result of walking the chain: ``first_bad_id`` is the first entry that fails, with why."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def entry_hash(
    prev_hash: str, entry_id: int, at: dt.datetime, event: str, subject: str | None, run_id: str | None, details: str
) -> str:
    """The chained hash of one entry; ``details`` is its canonical JSON text exactly as stored."""
    head = dump_json({"at": at.isoformat(), "event": event, "id": entry_id, "run_id": run_id, "subject": subject})
    # The details text is spliced in verbatim: any byte changed in the stored column changes the hash.
    canonical = head[:-1] + ',"details":' + details + "}"
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _check_subject(subject: str | None) -> None:
    if subject is not None and "@" in subject:
        raise ValueError("audit subject looks like an email address; pass a pseudonym (StoreKeys.pseudonym)")


def append(conn: Connection, events: Sequence[AuditEvent]) -> None:
    """Append ``events`` in order, under the chain-head lock of the current write transaction."""
    if not events:
        return
    for ev in events:
        _check_subject(ev.subject)
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1).with_for_update()).one()
    last_id, last_hash = int(head.last_id), str(head.last_hash)
    at = utcnow()
    rows = []
    for ev in events:
        last_id += 1
        details = dump_json(ev.details)
        last_hash = entry_hash(last_hash, last_id, at, ev.event, ev.subject, ev.run_id, details)
        rows.append(
            {
                "id": last_id,
                "at": at,
                "event": ev.event,
                "subject": ev.subject,
                "run_id": ev.run_id,
                "details": details,
                "hash": last_hash,
            }
        )
    conn.execute(insert(audit), rows)
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(last_id=last_id, last_hash=last_hash))


def verify(conn: Connection) -> AuditVerification:
    """Recompute the chain from the first entry; report the first entry that is missing or altered."""
    prev_hash, expected_id, checked = GENESIS_HASH, 1, 0
    while True:
        query = select(audit).where(audit.c.id >= expected_id).order_by(audit.c.id).limit(_VERIFY_CHUNK)
        rows = conn.execute(query).all()
        for row in rows:
            if row.id != expected_id:
                missing = f"entry {expected_id}" if row.id == expected_id + 1 else f"entries {expected_id}-{row.id - 1}"
                return AuditVerification(False, checked, expected_id, f"{missing} missing before entry {row.id}")
            computed = entry_hash(prev_hash, row.id, row.at, row.event, row.subject, row.run_id, row.details)
            if computed != row.hash:
                return AuditVerification(
                    False, checked, row.id, f"entry {row.id} does not match its hash: it was altered"
                )
            prev_hash, expected_id, checked = row.hash, expected_id + 1, checked + 1
        if len(rows) < _VERIFY_CHUNK:
            break
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    if int(head.last_id) > checked:
        return AuditVerification(
            False, checked, checked + 1, f"entries {checked + 1}-{head.last_id} are missing from the end of the log"
        )
    if int(head.last_id) < checked or head.last_hash != prev_hash:
        return AuditVerification(
            False,
            checked,
            int(head.last_id) + 1 if int(head.last_id) < checked else int(head.last_id),
            "the chain head does not match the last entry: entries were added or replaced outside the store",
        )
    return AuditVerification(True, checked)
