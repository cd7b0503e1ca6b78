"""The quarantine: records held back with their reasons, payload encrypted, until someone decides.

Reasons are codes and messages that name fields, never values; the payload (the record as read)
is Fernet-encrypted and can be purged after a retention period while the entry itself stays.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from hub.state.errors import StateLookupError
from hub.state.keys import StoreKeys
from hub.state.schema import dump_json, quarantine, utcnow

__all__ = ["QUARANTINE_STATUSES", "QuarantineEntry", "QuarantineItem"]

QUARANTINE_STATUSES = frozenset({"open", "retried", "resolved", "discarded"})


@dataclass(slots=True)
class QuarantineItem:
    """A record to quarantine, as the engine hands it to ``commit_batch``."""

    ref: str
    source_id: str | None
    connection: str
    reasons: list[dict[str, Any]]
    payload: dict[str, Any]


@dataclass(slots=True)
class QuarantineEntry:
    """A quarantined record as stored. ``payload`` is only filled by ``get_quarantine`` (``None`` once purged)."""

    id: int
    run_id: str | None
    pipeline: str
    stream: str
    ref: str
    source_id: str | None
    connection: str
    reasons: list[dict[str, Any]]
    status: str
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    purged: bool = False
    payload: dict[str, Any] | None = field(default=None, repr=False)


def item_rows(
    keys: StoreKeys, run_id: str | None, pipeline: str, stream: str, items: Sequence[QuarantineItem]
) -> list[dict[str, Any]]:
    """Rows with encrypted payloads, built before the write transaction so the lock is held briefly."""
    now = utcnow()
    return [
        {
            "run_id": run_id,
            "pipeline": pipeline,
            "stream": stream,
            "ref": item.ref,
            "source_id": item.source_id,
            "connection": item.connection,
            "reasons": dump_json(item.reasons),
            "payload": keys.encrypt(dump_json(item.payload).encode("utf-8")),
            "status": "open",
            "note": "",
            "created_at": now,
            "updated_at": now,
        }
        for item in items
    ]


_REFRESHED = ("run_id", "reasons", "payload", "updated_at")
_CHUNK = 500


def insert_items(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """File ``rows`` (one pipeline's and stream's): a record whose entry is still open gets it refreshed.

    A scheduled sync reads an invalid record again each time until someone fixes it at the source;
    its entry then holds the latest reasons, payload and run, and the quarantine one entry per record.
    The record is recognised by where it lives (connection and ``ref``, e.g. ``customers.csv line 17``),
    not by its id alone: two rows of a file sharing one id are two records, each kept.
    """
    if not rows:
        return
    pipeline, stream = rows[0]["pipeline"], rows[0]["stream"]
    refs = sorted({row["ref"] for row in rows})
    waiting: dict[tuple[str, str], int] = {}
    for start in range(0, len(refs), _CHUNK):
        query = select(quarantine.c.id, quarantine.c.connection, quarantine.c.ref).where(
            quarantine.c.pipeline == pipeline, quarantine.c.stream == stream, quarantine.c.status == "open",
            quarantine.c.ref.in_(refs[start:start + _CHUNK])).order_by(quarantine.c.id)
        waiting.update(((connection, ref), entry_id) for entry_id, connection, ref in conn.execute(query))
    fresh: list[dict[str, Any]] = []
    refreshed: list[dict[str, Any]] = []
    for row in rows:
        entry_id = waiting.pop((row["connection"], row["ref"]), None)
        if entry_id is None:
            fresh.append(row)
        else:
            refreshed.append({"entry_id": entry_id, **{f"new_{name}": row[name] for name in _REFRESHED}})
    if fresh:
        conn.execute(insert(quarantine), fresh)
    if refreshed:
        conn.execute(update(quarantine).where(quarantine.c.id == bindparam("entry_id")).values(
            {name: bindparam(f"new_{name}") for name in _REFRESHED}), refreshed)


_LISTED = [c for c in quarantine.c if c.name != "payload"]


def _entry(row: Row[Any], payload: dict[str, Any] | None = None) -> QuarantineEntry:
    return QuarantineEntry(
        id=row.id,
        run_id=row.run_id,
        pipeline=row.pipeline,
        stream=row.stream,
        ref=row.ref,
        source_id=row.source_id,
        connection=row.connection,
        reasons=json.loads(row.reasons),
        status=row.status,
        note=row.note,
        created_at=row.created_at,
        updated_at=row.updated_at,
        purged=row.purged_at is not None,
        payload=payload,
    )


def list_entries(conn: Connection, status: str, pipeline: str | None, limit: int) -> list[QuarantineEntry]:
    query = select(*_LISTED).where(quarantine.c.status == status).order_by(quarantine.c.id).limit(limit)
    if pipeline is not None:
        query = query.where(quarantine.c.pipeline == pipeline)
    return [_entry(row) for row in conn.execute(query)]


def get_entry(conn: Connection, keys: StoreKeys, entry_id: int) -> QuarantineEntry:
    row = conn.execute(select(quarantine).where(quarantine.c.id == entry_id)).first()
    if row is None:
        raise StateLookupError(f"no quarantine entry {entry_id}")
    payload = json.loads(keys.decrypt(row.payload)) if row.payload is not None else None
    return _entry(row, payload)


def set_status(conn: Connection, entry_ids: Sequence[int], status: str, note: str) -> None:
    if status not in QUARANTINE_STATUSES:
        raise ValueError(f"quarantine status must be one of {sorted(QUARANTINE_STATUSES)}, not {status!r}")
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        return
    found = set(conn.execute(select(quarantine.c.id).where(quarantine.c.id.in_(ids))).scalars())
    missing = [i for i in ids if i not in found]
    if missing:
        raise StateLookupError(f"no quarantine entries {', '.join(map(str, missing[:10]))}")
    conn.execute(
        update(quarantine).where(quarantine.c.id.in_(ids)).values(status=status, note=note, updated_at=utcnow())
    )


def purge_payloads(conn: Connection, older_than_days: int) -> int:
    """Drop the encrypted payloads of entries created more than ``older_than_days`` ago; return how many."""
    if older_than_days < 0:
        raise ValueError("older_than_days cannot be negative")
    now = utcnow()
    cutoff = now - dt.timedelta(days=older_than_days)
    result = conn.execute(
        update(quarantine)
        .where(quarantine.c.created_at < cutoff, quarantine.c.payload.is_not(None))
        .values(payload=None, purged_at=now, updated_at=now)
    )
    return int(result.rowcount)
