"""The subject index: keyed hashes of a person's e-mail, phones and national id → their hub ids.

Filled during runs (by the consent screening), so that ``crmhub gdpr erase +905321234567`` finds the
person even when the engine's match keys do not cover that identifier (phones) or deduplication is
off. Insert-or-ignore; rows of an erased person are deleted with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, delete, select

from hub.state.database import bulk_insert
from hub.state.schema import subject_keys

__all__ = ["delete_hubs", "hub_ids_for", "index", "keys_of"]

_CHUNK = 500


def index(conn: Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    """Insert-or-ignore ``(key_hmac, hub_id, kind)`` rows."""
    ordered = sorted(set(rows))
    bulk_insert(conn, subject_keys, ("key_hmac", "hub_id", "kind"), ordered, ignore_conflicts=True)


def hub_ids_for(conn: Connection, key_hmacs: Iterable[str]) -> dict[str, set[str]]:
    """``{key_hmac: {hub ids}}`` for the keys that are indexed."""
    unique = list(dict.fromkeys(key_hmacs))
    found: dict[str, set[str]] = {}
    for start in range(0, len(unique), _CHUNK):
        query = select(subject_keys.c.key_hmac, subject_keys.c.hub_id).where(
            subject_keys.c.key_hmac.in_(unique[start:start + _CHUNK]))
        for key, hub_id in conn.execute(query):
            found.setdefault(key, set()).add(hub_id)
    return found


def keys_of(conn: Connection, hub_ids: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(key_hmac, hub_id, kind)`` of every identifier indexed for these hub ids."""
    unique = list(dict.fromkeys(hub_ids))
    rows: list[tuple[str, str, str]] = []
    for start in range(0, len(unique), _CHUNK):
        query = select(subject_keys.c.key_hmac, subject_keys.c.hub_id, subject_keys.c.kind).where(
            subject_keys.c.hub_id.in_(unique[start:start + _CHUNK]))
        rows.extend((k, h, kind) for k, h, kind in conn.execute(query))
    return rows


def delete_hubs(conn: Connection, hub_ids: Iterable[str]) -> int:
    """Forget every identifier of these hub ids; return how many rows went."""
    unique = list(dict.fromkeys(hub_ids))
    removed = 0
    for start in range(0, len(unique), _CHUNK):
        removed += int(conn.execute(delete(subject_keys).where(
            subject_keys.c.hub_id.in_(unique[start:start + _CHUNK]))).rowcount)
    return removed
