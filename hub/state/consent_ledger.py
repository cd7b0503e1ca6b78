"""The consent ledger: append-only consent records, each change a new row that supersedes the last.

A record says who (``subject_id``: a hub id, or the keyed pseudonym of an e-mail, phone or national
id when the person is not yet known to the hub), on which channel and for which purpose, what
(``status`` under a ``legal_basis``), and how it can be proven (capture time, method, source,
notice version and text hash, evidence, actor). Rows are never updated (a trigger refuses it);
they are deleted only when the person is erased. Nothing in a row is raw personal data: identifiers
are stored as HMACs only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, delete, insert, or_, select, update

from hub.state.database import bulk_insert
from hub.state.schema import consent_ledger, consent_propagation, utcnow

__all__ = [
    "ConsentEntry",
    "Propagation",
    "append",
    "by_ids",
    "delete_subjects",
    "history",
    "new_consent_id",
    "pending_propagation",
    "propagation_of",
    "record_propagation",
    "unpropagated_withdrawals",
]

_CHUNK = 2000  # bound parameters per IN list: far below SQLite's 32766 and PostgreSQL's 65535
# What a consent says; the bookkeeping columns (ids, when it was recorded, by which run) are not part of it.
_BOOKKEEPING = frozenset({"consent_id", "supersedes_id", "identifier_hmacs", "recorded_at", "run_id"})


def new_consent_id() -> str:
    """A 32-hex-digit consent id: milliseconds since the epoch, then 80 random bits.

    Time first, so ids of new records land at the end of the unique index instead of all over it.
    """
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


@dataclass(slots=True)
class ConsentEntry:
    """One consent record as privacy.md lists its fields; ``fingerprint`` identifies its content."""

    subject_id: str
    channel: str
    purpose: str
    status: str
    subject_kind: str = "hub"
    identifier_hmacs: tuple[str, ...] = ()
    consent_id: str = field(default_factory=new_consent_id)
    supersedes_id: str | None = None
    legal_basis: str | None = None
    regime: str | None = None
    article: str | None = None
    assessment_ref: str | None = None
    jurisdiction: str | None = None
    captured_at: dt.datetime | None = None
    effective_from: dt.datetime | None = None
    effective_to: dt.datetime | None = None
    double_optin_at: dt.datetime | None = None
    capture_method: str | None = None
    source_system: str | None = None
    collection_point: str | None = None
    notice_id: str | None = None
    notice_version: str | None = None
    notice_language: str | None = None
    notice_hash: str | None = None
    evidence_ref: str | None = None
    actor: str | None = None
    iys_status: str | None = None
    withdrawn_at: dt.datetime | None = None
    retention_until: dt.datetime | None = None
    recorded_at: dt.datetime | None = None
    run_id: str | None = None
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of what the record says: two reads of an unchanged consent give the same value."""
        if self._fingerprint is None:
            content = list(_content_of(self))
            for index in _CONTENT_TIMES:  # the same moment read back (UTC) and from a source (+03:00) hash alike
                if content[index] is not None:
                    content[index] = content[index].astimezone(dt.UTC).isoformat()
            self._fingerprint = hashlib.sha256(repr(content).encode("utf-8")).hexdigest()
        return self._fingerprint

    @property
    def provable(self) -> bool:
        """GDPR Art. 7(1): a consent counts only with when, where and under which notice it was given."""
        return bool(self.captured_at and (self.collection_point or self.capture_method)
                    and (self.notice_version or self.notice_hash or self.evidence_ref))

    def as_dict(self) -> dict[str, Any]:
        """Every field, datetimes as ISO text (for ``consent show`` and exports)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.startswith("_"):
                continue
            out[f.name] = value.isoformat() if isinstance(value, dt.datetime) else (
                list(value) if isinstance(value, tuple) else value)
        return out


_COLUMNS = [f.name for f in fields(ConsentEntry) if not f.name.startswith("_")]
_CONTENT = [name for name in _COLUMNS if name not in _BOOKKEEPING]
_STORED = (*_COLUMNS, "fingerprint")
_HMACS_AT = _COLUMNS.index("identifier_hmacs")


def _sqlite_time(value: dt.datetime) -> str:
    # The text SQLAlchemy's SQLite DATETIME stores, for the UTC value UtcDateTime would bind.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


_content_of = operator.attrgetter(*_CONTENT)
_CONTENT_TIMES = [i for i, name in enumerate(_CONTENT) if name in {
    "captured_at", "effective_from", "effective_to", "double_optin_at", "withdrawn_at", "retention_until"}]
_columns_of = operator.attrgetter(*_COLUMNS)
_RECORDED_AT = _COLUMNS.index("recorded_at")
_TIMES = [i for i, f in enumerate(fields(ConsentEntry)) if "datetime" in str(f.type) and not f.name.startswith("_")]


def _row(entry: ConsentEntry, now: Any, sqlite: bool) -> tuple[Any, ...]:
    values = list(_columns_of(entry))
    # Pseudonyms are hex: a JSON list of them needs no escaping.
    values[_HMACS_AT] = "[" + ",".join(f'"{h}"' for h in sorted(entry.identifier_hmacs)) + "]"
    if values[_RECORDED_AT] is None:
        values[_RECORDED_AT] = now
    if sqlite:
        for index in _TIMES:
            value = values[index]
            if value is not None and not isinstance(value, str):
                values[index] = _sqlite_time(value)
    values.append(entry.fingerprint)
    return tuple(values)


def append(conn: Connection, entries: Sequence[ConsentEntry]) -> None:
    """Append ``entries`` in order; each keeps the ``supersedes_id`` it was given."""
    if entries:
        # A first run records one entry per channel per person: straight to the driver, like run outcomes.
        sqlite = conn.dialect.name == "sqlite"
        now: Any = _sqlite_time(utcnow()) if sqlite else utcnow()
        bulk_insert(conn, consent_ledger, _STORED, [_row(e, now, sqlite) for e in entries], ignore_conflicts=False)


_SELECTED = [consent_ledger.c[name] for name in _STORED]
# One expanding parameter: SQLAlchemy then does not coerce thousands of values one by one per query.
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)


def _entry(row: Sequence[Any]) -> ConsentEntry:
    # Positional: the columns are selected in the dataclass's field order (history reads thousands per batch).
    values = list(row[:len(_COLUMNS)])
    values[_HMACS_AT] = tuple(json.loads(values[_HMACS_AT]))
    entry = ConsentEntry(*values)
    entry._fingerprint = row[len(_COLUMNS)]
    return entry


def history(conn: Connection, subject_ids: Iterable[str], channel: str | None = None) -> list[ConsentEntry]:
    """Every record of these subjects, oldest first (the order they were appended)."""
    unique = list(dict.fromkeys(subject_ids))
    rows: list[tuple[int, ConsentEntry]] = []
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        query = select(*_SELECTED, consent_ledger.c.id).where(consent_ledger.c.subject_id.in_(_IDS))
        if channel is not None:
            query = query.where(consent_ledger.c.channel == channel)
        rows.extend((int(row.id), _entry(row)) for row in conn.execute(query, {"ids": chunk}))
    rows.sort(key=lambda pair: pair[0])
    return [entry for _, entry in rows]


def by_ids(conn: Connection, consent_ids: Iterable[str]) -> list[ConsentEntry]:
    """The records with these consent ids, in the order they were appended."""
    unique = list(dict.fromkeys(consent_ids))
    rows: list[tuple[int, ConsentEntry]] = []
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        query = select(*_SELECTED, consent_ledger.c.id).where(consent_ledger.c.consent_id.in_(chunk))
        rows.extend((int(row.id), _entry(row)) for row in conn.execute(query))
    return [entry for _, entry in sorted(rows, key=lambda pair: pair[0])]


def delete_subjects(conn: Connection, subject_ids: Iterable[str]) -> int:
    """Erase the records of these subjects and their propagation rows; return how many records went."""
    unique = list(dict.fromkeys(subject_ids))
    removed = 0
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        ids = list(conn.execute(select(consent_ledger.c.consent_id)
                                .where(consent_ledger.c.subject_id.in_(chunk))).scalars())
        for id_start in range(0, len(ids), _CHUNK):
            conn.execute(delete(consent_propagation)
                         .where(consent_propagation.c.consent_id.in_(ids[id_start:id_start + _CHUNK])))
        removed += int(conn.execute(delete(consent_ledger).where(consent_ledger.c.subject_id.in_(chunk))).rowcount)
    return removed


# Propagation: has a withdrawal reached every system the person was sent to? ----------------------
@dataclass(slots=True)
class Propagation:
    """One recipient system's state for one consent record: ``pending``, ``acknowledged``, ``failed``, ``none``."""

    consent_id: str
    connection: str
    status: str
    attempts: int = 0
    pushed_at: dt.datetime | None = None
    message: str = ""


RESTRICTIVE = ("withdrawn", "denied", "expired")


def unpropagated_withdrawals(conn: Connection, limit: int = 10_000) -> list[ConsentEntry]:
    """Withdrawals, and refusals that replace an earlier record, no recipient has been told about yet.

    A first refusal changes nothing anyone was told, so it is not pushed (sources say "no" a lot).
    """
    told = select(consent_propagation.c.consent_id).distinct()
    changed = or_(consent_ledger.c.status == "withdrawn", consent_ledger.c.supersedes_id.is_not(None))
    query = (select(*_SELECTED)
             .where(consent_ledger.c.status.in_(RESTRICTIVE), changed, consent_ledger.c.consent_id.not_in(told))
             .order_by(consent_ledger.c.id).limit(limit))
    return [_entry(row) for row in conn.execute(query)]


def propagation_of(conn: Connection, consent_ids: Iterable[str]) -> list[Propagation]:
    """The propagation rows of these consent records (``pending`` ones are retried by ``consent propagate``)."""
    unique = list(dict.fromkeys(consent_ids))
    found: list[Propagation] = []
    for start in range(0, len(unique), _CHUNK):
        query = select(consent_propagation).where(consent_propagation.c.consent_id.in_(unique[start:start + _CHUNK]))
        found.extend(Propagation(r.consent_id, r.connection, r.status, r.attempts, r.pushed_at, r.message)
                     for r in conn.execute(query))
    return found


def pending_propagation(conn: Connection) -> list[Propagation]:
    """Every propagation still waiting for its system (unreachable at the last attempt)."""
    query = select(consent_propagation).where(consent_propagation.c.status == "pending")
    return [Propagation(r.consent_id, r.connection, r.status, r.attempts, r.pushed_at, r.message)
            for r in conn.execute(query)]


def record_propagation(conn: Connection, item: Propagation) -> None:
    """Insert or replace the row of (consent, connection)."""
    values = {"status": item.status, "attempts": item.attempts, "pushed_at": item.pushed_at, "message": item.message}
    changed = conn.execute(update(consent_propagation).where(
        consent_propagation.c.consent_id == item.consent_id,
        consent_propagation.c.connection == item.connection).values(**values)).rowcount
    if not changed:
        conn.execute(insert(consent_propagation).values(consent_id=item.consent_id, connection=item.connection,
                                                        **values))
