"""The suppression list: keyed hashes of identifiers that no run may (re)create or market to.

Only HMAC-SHA256 pseudonyms are stored (``StoreKeys.pseudonym``), never a bare hash, which anyone
could reverse by hashing every phone number. ``reason`` says why: ``erasure`` (GDPR Art. 17: never
recreate), ``restriction`` (Art. 18: no processing beyond storage) or ``opt_out`` (no marketing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, select

from hub.state.database import insert_ignore
from hub.state.schema import suppression, utcnow

__all__ = ["SUPPRESSION_REASONS", "SuppressionEntry", "add", "find", "list_entries", "remove"]

SUPPRESSION_REASONS = frozenset({"erasure", "restriction", "opt_out"})
_CHUNK = 500


@dataclass(slots=True)
class SuppressionEntry:
    """One suppressed identifier: ``id_type`` is ``email``, ``phone``, ``national_id`` or ``hub_id``."""

    identifier_hmac: str
    id_type: str
    reason: str
    scope: str = "all"
    request_id: str | None = None
    created_at: dt.datetime = field(default_factory=utcnow)
    legal_hold: bool = False


def add(conn: Connection, entries: Sequence[SuppressionEntry]) -> None:
    """Insert-or-ignore: suppressing an identifier twice for the same reason keeps the first entry."""
    for entry in entries:
        if entry.reason not in SUPPRESSION_REASONS:
            raise ValueError(f"suppression reason must be one of {sorted(SUPPRESSION_REASONS)}, not {entry.reason!r}")
    if entries:
        conn.execute(insert_ignore(conn, suppression), [
            {"identifier_hmac": e.identifier_hmac, "id_type": e.id_type, "reason": e.reason, "scope": e.scope,
             "request_id": e.request_id, "created_at": e.created_at, "legal_hold": e.legal_hold}
            for e in entries])


def find(conn: Connection, hmacs: Iterable[str]) -> dict[str, list[SuppressionEntry]]:
    """``{hmac: entries}`` for the identifiers that are on the list."""
    unique = list(dict.fromkeys(hmacs))
    found: dict[str, list[SuppressionEntry]] = {}
    for start in range(0, len(unique), _CHUNK):
        query = select(suppression).where(suppression.c.identifier_hmac.in_(unique[start:start + _CHUNK]))
        for row in conn.execute(query):
            found.setdefault(row.identifier_hmac, []).append(SuppressionEntry(
                row.identifier_hmac, row.id_type, row.reason, row.scope, row.request_id, row.created_at,
                bool(row.legal_hold)))
    return found


def remove(conn: Connection, hmacs: Iterable[str], reason: str) -> int:
    """Lift ``reason`` for these identifiers (a restriction lifted); erasure entries under legal hold stay."""
    unique = list(dict.fromkeys(hmacs))
    removed = 0
    for start in range(0, len(unique), _CHUNK):
        removed += int(conn.execute(delete(suppression).where(
            suppression.c.identifier_hmac.in_(unique[start:start + _CHUNK]), suppression.c.reason == reason,
            suppression.c.legal_hold.is_(False))).rowcount)
    return removed


def list_entries(conn: Connection, reason: str | None = None) -> list[SuppressionEntry]:
    """Every entry (optionally of one reason), oldest first."""
    query = select(suppression).order_by(suppression.c.created_at)
    if reason is not None:
        query = query.where(suppression.c.reason == reason)
    return [SuppressionEntry(r.identifier_hmac, r.id_type, r.reason, r.scope, r.request_id, r.created_at,
                             bool(r.legal_hold)) for r in conn.execute(query)]
