"""The identity map: which record in which system is which hub record, and match keys by HMAC.

Links and match keys are insert-or-ignore: the first link of a (connection, stream, record id)
wins and is never moved silently, so staging the same identities twice (a retried batch, a
resumed run) is harmless.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, select

from hub.state.database import bulk_insert
from hub.state.schema import identity, match_keys

__all__ = ["find_match_keys", "hub_links", "insert_links", "insert_match_keys", "resolve"]

# Keeps IN lists well under SQLite's bound-parameter limit and PostgreSQL's plan-size sweet spot.
_CHUNK = 500
T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def resolve(conn: Connection, connection: str, stream: str, record_ids: Sequence[str]) -> dict[str, str]:
    """``{record_id: hub_id}`` for the ids already linked; unknown ids are absent."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(record_ids))
    for chunk in _chunks(unique):
        query = select(identity.c.record_id, identity.c.hub_id).where(
            identity.c.connection == connection, identity.c.stream == stream, identity.c.record_id.in_(chunk)
        )
        found.update({key: hub_id for key, hub_id in conn.execute(query)})
    return found


def hub_links(conn: Connection, hub_ids: Sequence[str], stream: str) -> dict[str, dict[str, str]]:
    """``{hub_id: {connection: record_id}}``; with several records of one hub id in one connection, the smallest id."""
    links: dict[str, dict[str, str]] = {}
    unique = list(dict.fromkeys(hub_ids))
    for chunk in _chunks(unique):
        query = (
            select(identity.c.hub_id, identity.c.connection, identity.c.record_id)
            .where(identity.c.stream == stream, identity.c.hub_id.in_(chunk))
            .order_by(identity.c.record_id.desc())
        )
        for hub_id, connection, record_id in conn.execute(query):
            links.setdefault(hub_id, {})[connection] = record_id  # descending order: the smallest id is kept
    return links


def find_match_keys(conn: Connection, stream: str, key_hmacs: Sequence[str]) -> dict[str, str]:
    """``{key_hmac: hub_id}`` for the match keys already known in ``stream``."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(key_hmacs))):
        query = select(match_keys.c.key_hmac, match_keys.c.hub_id).where(
            match_keys.c.stream == stream, match_keys.c.key_hmac.in_(chunk)
        )
        found.update({key: hub_id for key, hub_id in conn.execute(query)})
    return found


def insert_links(conn: Connection, stream: str, links: Sequence[tuple[str, str, str]]) -> None:
    """Insert-or-ignore ``(hub_id, connection, record_id)`` links of ``stream``."""
    # Sorted by key (stably, so the first of duplicates still wins): concurrent writers then lock index
    # entries in the same order and cannot deadlock on PostgreSQL; SQLite inserts with better locality.
    rows = sorted(((h, c, stream, r) for h, c, r in links), key=lambda row: (row[1], row[3]))
    bulk_insert(conn, identity, ("hub_id", "connection", "stream", "record_id"), rows, ignore_conflicts=True)


def insert_match_keys(conn: Connection, stream: str, keys: Sequence[tuple[str, str]]) -> None:
    """Insert-or-ignore ``(key_hmac, hub_id)`` match keys of ``stream``."""
    rows = sorted(((stream, k, h) for k, h in keys), key=lambda row: row[1])
    bulk_insert(conn, match_keys, ("stream", "key_hmac", "hub_id"), rows, ignore_conflicts=True)
