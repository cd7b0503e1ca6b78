"""Where one person's data sits in the state store, and how to remove it after an erasure.

The recipient map is the identity map plus the run history: a hub id's links say which systems hold
the person, and the outcomes of the runs that wrote them say when. :func:`purge` removes what could
name the person: identity links and match keys, record ids and locators in run outcomes, quarantined
payloads, and checkpoints whose cursor carries one of their identifiers. The audit log never held any.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update

from hub.state.keys import StoreKeys
from hub.state.schema import checkpoints, identity, match_keys, quarantine, run_records, runs, utcnow

__all__ = ["ERASED_REF", "Link", "Needles", "Recipient", "forget_links", "links_of", "purge", "recipients"]

ERASED_REF = "(erased)"
_CHUNK = 500
_WRITTEN = ("created", "updated", "merged", "unchanged")
_NON_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True, slots=True)
class Link:
    """A record of the person in one system: ``(connection, stream, record id)`` under ``hub_id``."""

    hub_id: str
    connection: str
    stream: str
    record_id: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """A system a run sent the person to, and when (first and last run that wrote or confirmed them)."""

    hub_id: str
    connection: str
    stream: str
    first_at: dt.datetime
    last_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Needles:
    """The raw identifiers to search for (held in memory only, never stored)."""

    emails: frozenset[str] = frozenset()
    phone_digits: frozenset[str] = frozenset()
    """Phones as digits; matched on their last ten digits, so ``0532 123 45 67`` finds ``+905321234567``."""
    national_ids: frozenset[str] = frozenset()

    def found_in(self, text: str) -> bool:
        """True when ``text`` (a payload or cursor) contains one of the identifiers."""
        folded = text.casefold()
        if any(email in folded for email in self.emails):
            return True
        if not (self.phone_digits or self.national_ids):
            return False
        for run in re.findall(r"[\d][\d\s\-./()]{5,}[\d]", text):
            digits = _NON_DIGITS.sub("", run)
            if digits in self.national_ids:
                return True
            if len(digits) >= 10 and any(digits[-10:] == phone[-10:] for phone in self.phone_digits):
                return True
        return False


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def links_of(conn: Connection, hub_ids: Iterable[str]) -> list[Link]:
    """Every identity link of these hub ids, in every stream and connection."""
    unique = list(dict.fromkeys(hub_ids))
    found: list[Link] = []
    for chunk in _chunks(unique):
        query = select(identity.c.hub_id, identity.c.connection, identity.c.stream, identity.c.record_id).where(
            identity.c.hub_id.in_(chunk))
        found.extend(Link(*row) for row in conn.execute(query))
    return sorted(found, key=lambda link: (link.connection, link.stream, link.record_id))


def recipients(conn: Connection, hub_ids: Iterable[str]) -> list[Recipient]:
    """Which system received each person and when, from the outcomes of real (not dry) runs."""
    unique = list(dict.fromkeys(hub_ids))
    found: list[Recipient] = []
    for chunk in _chunks(unique):
        query = (
            select(run_records.c.hub_id, runs.c.target, run_records.c.stream,
                   func.min(runs.c.started_at), func.max(runs.c.started_at))
            .join(runs, runs.c.run_id == run_records.c.run_id)
            .where(run_records.c.hub_id.in_(chunk), run_records.c.outcome.in_(_WRITTEN), runs.c.dry_run.is_(False))
            .group_by(run_records.c.hub_id, runs.c.target, run_records.c.stream)
        )
        for hub_id, target, stream, first, last in conn.execute(query):
            found.append(Recipient(hub_id, target, stream, _aware(first), _aware(last)))
    return sorted(found, key=lambda r: (r.connection, r.first_at))


def _aware(value: Any) -> dt.datetime:
    # Aggregates bypass the column type on SQLite and come back as text or naive datetimes.
    moment: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def forget_links(conn: Connection, hub_ids: Sequence[str]) -> None:
    """Drop the identity links and match keys of these hub ids (staged again for an erased person)."""
    ids = list(dict.fromkeys(hub_ids))
    for chunk in _chunks(ids):
        conn.execute(delete(identity).where(identity.c.hub_id.in_(chunk)))
        conn.execute(delete(match_keys).where(match_keys.c.hub_id.in_(chunk)))


def purge(conn: Connection, keys: StoreKeys, hub_ids: Sequence[str], links: Sequence[Link],
          needles: Needles) -> dict[str, int]:
    """Remove everything in the store that could name the person; return what was removed, by kind."""
    counts: dict[str, int] = {}
    ids = list(dict.fromkeys(hub_ids))
    record_ids = sorted({link.record_id for link in links})
    for chunk in _chunks(ids):
        counts["identity_links"] = counts.get("identity_links", 0) + int(
            conn.execute(delete(identity).where(identity.c.hub_id.in_(chunk))).rowcount)
        counts["match_keys"] = counts.get("match_keys", 0) + int(
            conn.execute(delete(match_keys).where(match_keys.c.hub_id.in_(chunk))).rowcount)
        counts["run_outcomes"] = counts.get("run_outcomes", 0) + int(conn.execute(
            update(run_records).where(run_records.c.hub_id.in_(chunk))
            .values(source_id=None, target_id=None, ref=ERASED_REF)).rowcount)
    for chunk in _chunks(record_ids):
        # Records quarantined before they got a hub id are known by their source id only.
        counts["run_outcomes"] = counts.get("run_outcomes", 0) + int(conn.execute(
            update(run_records).where(run_records.c.hub_id.is_(None), run_records.c.source_id.in_(chunk))
            .values(source_id=None, target_id=None, ref=ERASED_REF)).rowcount)
    counts["quarantine_payloads"] = _purge_quarantine(conn, keys, links, needles)
    counts["checkpoints"] = _purge_checkpoints(conn, needles)
    return counts


def _purge_quarantine(conn: Connection, keys: StoreKeys, links: Sequence[Link], needles: Needles) -> int:
    doomed: set[int] = set()
    by_connection: dict[str, list[str]] = {}
    for link in links:
        by_connection.setdefault(link.connection, []).append(link.record_id)
    for connection, record_ids in by_connection.items():
        for chunk in _chunks(record_ids):
            doomed.update(conn.execute(select(quarantine.c.id).where(
                quarantine.c.connection == connection, quarantine.c.source_id.in_(chunk))).scalars())
    # A record quarantined for a bad value may not be linked to anyone: look inside every payload.
    for entry_id, payload in conn.execute(select(quarantine.c.id, quarantine.c.payload)
                                          .where(quarantine.c.payload.is_not(None))):
        if entry_id not in doomed and needles.found_in(keys.decrypt(payload).decode("utf-8")):
            doomed.add(entry_id)
    now = utcnow()
    ordered = sorted(doomed)
    for start in range(0, len(ordered), _CHUNK):
        conn.execute(update(quarantine).where(quarantine.c.id.in_(ordered[start:start + _CHUNK])).values(
            payload=None, source_id=None, ref=ERASED_REF, status="discarded", note="erased on request",
            purged_at=now, updated_at=now))
    return len(doomed)


def _purge_checkpoints(conn: Connection, needles: Needles) -> int:
    """Forget cursors that name the person: the next run re-reads from the start, which is idempotent."""
    doomed = [(row.pipeline, row.stream) for row in conn.execute(select(checkpoints))
              if needles.found_in(json.dumps(json.loads(row.cursor), ensure_ascii=False))]
    for pipeline, stream in doomed:
        conn.execute(delete(checkpoints).where(and_(checkpoints.c.pipeline == pipeline,
                                                    checkpoints.c.stream == stream)))
    return len(doomed)


