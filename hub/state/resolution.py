"""``IdentityStore``: the identity-resolution side of the state store, one transaction per method.

The candidate index (HMACs of blocking keys → hub ids), the review queue, merge decisions with
what each member was linked to before (so an unmerge restores the identity map), vetoes between
hub ids a person declared different, and the provenance of each golden-record field. Like the
rest of the store it holds ids, pseudonyms and scores, never a name, e-mail or phone.
It wraps a :class:`~hub.state.StateStore` (same database, same keys), as ``PrivacyStore`` does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, and_, delete, func, insert, or_, select, update

from hub.state.database import bulk_insert, read_tx, write_tx
from hub.state.errors import StateLookupError
from hub.state.schema import block_keys, dump_json, golden_fields, identity, match_vetoes, merges, review_items, utcnow
from hub.state.store import StateStore

__all__ = ["GoldenField", "IdentityStore", "Member", "MergeRecord", "ReviewItem"]

_CHUNK = 500
T = TypeVar("T")
MERGED_SUFFIX = "#merged"
INDEX_CAP = 100
"""The most hub ids the candidate index files under one blocking key: a larger ``max_block_size`` acts as this."""
"""As in :mod:`hub.engine.batch`: links of records merged into another record's hub id live in ``STREAM#merged``."""


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


@dataclass(frozen=True, slots=True)
class Member:
    """A record in a review item or a merge: where it lives, its hub id, and (for merges) its hub id before."""

    connection: str
    record_id: str
    hub_id: str
    previous_hub_id: str | None = None
    primary: bool = False
    """In a merge: the member whose link is the hub record's own (the others are linked as merged into it)."""

    def as_dict(self) -> dict[str, Any]:
        return {"connection": self.connection, "record_id": self.record_id, "hub_id": self.hub_id,
                "previous_hub_id": self.previous_hub_id, "primary": self.primary}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        return cls(data["connection"], data["record_id"], data["hub_id"], data.get("previous_hub_id"),
                   bool(data.get("primary")))


@dataclass(slots=True)
class ReviewItem:
    """Records that may be one person, waiting for a decision."""

    id: int
    stream: str
    kind: str
    """``records`` (found by ``crmhub dedup``) or ``sync`` (a record held back during a run)."""
    status: str
    score: float
    reason: str
    members: list[Member]
    run_id: str | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MergeRecord:
    """One merge: the surviving hub id and what each member was linked to before."""

    stream: str
    hub_id: str
    members: list[Member]
    score: float | None
    rule: str | None
    decided_by: str
    """``auto`` (score), ``rule``, ``review`` (a person accepted it) or ``dedup`` (crmhub dedup --apply)."""
    review_id: int | None = None
    run_id: str | None = None
    id: int | None = None
    undone: bool = False


@dataclass(frozen=True, slots=True)
class GoldenField:
    """Which source supplied a field of a golden record, and by which survivorship rule."""

    field: str
    connection: str
    record_id: str
    rule: str


def _fingerprint(stream: str, members: Sequence[Member]) -> str:
    keys = sorted(f"{m.connection}\x1f{m.record_id}\x1f{m.hub_id}" for m in members)
    return hashlib.sha256("\x1e".join([stream, *keys]).encode()).hexdigest()


def _review(row: Any) -> ReviewItem:
    return ReviewItem(row.id, row.stream, row.kind, row.status, row.score, row.reason,
                      [Member.from_dict(m) for m in json.loads(row.members)], row.run_id, row.note)


def _merge(row: Any) -> MergeRecord:
    return MergeRecord(row.stream, row.hub_id, [Member.from_dict(m) for m in json.loads(row.members)], row.score,
                       row.rule, row.decided_by, row.review_id, row.run_id, row.id, row.undone_at is not None)


class IdentityStore:
    """Candidate index, review queue, merges, vetoes and golden-record provenance over one :class:`StateStore`."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._engine = store.engine

    # Candidate index -----------------------------------------------------------------------------
    def stage_block_keys(self, stream: str, rows: Sequence[tuple[str, str]],
                         sizes: dict[str, int] | None = None) -> None:
        """Insert-or-ignore ``(key_hmac, hub_id)`` rows of ``stream``, at most ``INDEX_CAP + 1`` hub ids per key.

        A key shared by more records than any block may hold is useless for matching: once it is known
        to be that common, further hub ids are not filed under it, so the index and every lookup in it
        stay bounded however many records share a common name. ``sizes``: how many hub ids some of the
        keys hold already, as :meth:`find_candidates` just saw (the others are counted here).
        """
        if not rows:
            return
        wanted = sorted({(k, h) for k, h in rows})
        with write_tx(self._engine) as conn:
            held = dict(sizes or {})
            held.update(self._key_sizes(conn, stream, sorted({k for k, _ in wanted if k not in held})))
            ordered = []
            for key, hub_id in wanted:
                size = held.get(key, 0)
                if size <= INDEX_CAP:
                    held[key] = size + 1
                    ordered.append((stream, key, hub_id))
            bulk_insert(conn, block_keys, ("stream", "key_hmac", "hub_id"), ordered, ignore_conflicts=True)

    @staticmethod
    def _key_sizes(conn: Connection, stream: str, keys: Sequence[str]) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for chunk in _chunks(keys):
            query = select(block_keys.c.key_hmac, func.count()).where(
                block_keys.c.stream == stream, block_keys.c.key_hmac.in_(chunk)).group_by(block_keys.c.key_hmac)
            sizes.update((key, int(n)) for key, n in conn.execute(query))
        return sizes

    def index_is_empty(self, stream: str) -> bool:
        """Whether the candidate index files no key of ``stream``."""
        with read_tx(self._engine) as conn:
            first = conn.execute(select(block_keys.c.key_hmac).where(block_keys.c.stream == stream).limit(1))
            return first.first() is None

    def find_candidates(self, stream: str, key_hmacs: Sequence[str], limit: int,
                        sizes: dict[str, int] | None = None) -> dict[str, list[str]]:
        """``{key_hmac: [hub_id, …]}``; a key filed under more than ``limit`` hub ids is left out (too common).

        ``sizes``, when given, receives how many hub ids each key holds (0 for keys not filed at all).
        """
        found: dict[str, list[str]] = {}
        wanted = sorted(set(key_hmacs))
        with read_tx(self._engine) as conn:
            for chunk in _chunks(wanted):
                query = select(block_keys.c.key_hmac, block_keys.c.hub_id).where(
                    block_keys.c.stream == stream, block_keys.c.key_hmac.in_(chunk))
                for key, hub_id in conn.execute(query):
                    found.setdefault(key, []).append(hub_id)
        if sizes is not None:
            sizes.update((key, len(found.get(key, ()))) for key in wanted)
        return {k: v for k, v in found.items() if len(v) <= min(limit, INDEX_CAP)}

    # Review queue --------------------------------------------------------------------------------
    def add_reviews(self, items: Sequence[ReviewItem]) -> int:
        """Queue ``items`` (an item with the same stream and members as a queued one is not repeated)."""
        if not items:
            return 0
        now = utcnow()
        rows = [{"stream": i.stream, "kind": i.kind, "status": "open", "score": float(i.score), "reason": i.reason,
                 "members": dump_json([m.as_dict() for m in i.members]),
                 "fingerprint": _fingerprint(i.stream, i.members), "run_id": i.run_id, "note": i.note,
                 "created_at": now} for i in items]
        with write_tx(self._engine) as conn:
            before = _count(conn)
            _insert_ignore(conn, review_items, rows)
            return _count(conn) - before

    def list_reviews(
        self, status: str | None = "open", stream: str | None = None, limit: int = 100
    ) -> list[ReviewItem]:
        """Review items, oldest first."""
        query = select(review_items).order_by(review_items.c.id).limit(limit)
        if status:
            query = query.where(review_items.c.status == status)
        if stream:
            query = query.where(review_items.c.stream == stream)
        with read_tx(self._engine) as conn:
            return [_review(row) for row in conn.execute(query)]

    def get_review(self, item_id: int) -> ReviewItem:
        """One item; ``StateLookupError`` if there is none with this id."""
        with read_tx(self._engine) as conn:
            row = conn.execute(select(review_items).where(review_items.c.id == item_id)).first()
        if row is None:
            raise StateLookupError(f"no review item {item_id}")
        return _review(row)

    def decide_review(self, item_id: int, status: str, note: str = "") -> None:
        """Mark an item ``accepted`` or ``rejected`` (or ``open`` again after an unmerge)."""
        with write_tx(self._engine) as conn:
            conn.execute(update(review_items).where(review_items.c.id == item_id).values(
                status=status, note=note, decided_at=utcnow() if status != "open" else None))

    # Merges and the identity map -----------------------------------------------------------------
    def record_merges(self, records: Sequence[MergeRecord]) -> None:
        """Remember merges (the links themselves were already written)."""
        if not records:
            return
        now = utcnow()
        with write_tx(self._engine) as conn:
            conn.execute(insert(merges), [
                {"stream": r.stream, "hub_id": r.hub_id, "members": dump_json([m.as_dict() for m in r.members]),
                 "score": r.score, "rule": r.rule, "decided_by": r.decided_by, "review_id": r.review_id,
                 "run_id": r.run_id, "created_at": now} for r in records])

    def merge(self, record: MergeRecord) -> int:
        """Link every member to ``record.hub_id`` (moving existing links) and remember the merge; return its id.

        The primary member is linked as the hub record itself, the others as merged into it (they
        contribute by survivorship rules in later runs).
        """
        with write_tx(self._engine) as conn:
            for m in record.members:
                _unlink(conn, record.stream, m.connection, m.record_id)
                stream = record.stream if m.primary else record.stream + MERGED_SUFFIX
                conn.execute(insert(identity).values(connection=m.connection, stream=stream,
                                                     record_id=m.record_id, hub_id=record.hub_id))
            result = conn.execute(insert(merges).values(
                stream=record.stream, hub_id=record.hub_id, members=dump_json([m.as_dict() for m in record.members]),
                score=record.score, rule=record.rule, decided_by=record.decided_by, review_id=record.review_id,
                run_id=record.run_id, created_at=utcnow()))
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

    def list_merges(self, hub_id: str | None = None, limit: int = 100, include_undone: bool = False
                    ) -> list[MergeRecord]:
        """Merges, newest first, optionally of one hub id."""
        query = select(merges).order_by(merges.c.id.desc()).limit(limit)
        if hub_id:
            query = query.where(merges.c.hub_id == hub_id)
        if not include_undone:
            query = query.where(merges.c.undone_at.is_(None))
        with read_tx(self._engine) as conn:
            return [_merge(row) for row in conn.execute(query)]

    def merges_of_record(self, stream: str, connection: str, record_id: str) -> list[MergeRecord]:
        """Merges not undone that moved this record, newest first."""
        needle = json.dumps(record_id)[1:-1]
        query = (select(merges).where(merges.c.stream == stream, merges.c.undone_at.is_(None),
                                      merges.c.members.contains(needle)).order_by(merges.c.id.desc()))
        with read_tx(self._engine) as conn:
            found = [_merge(row) for row in conn.execute(query)]
        return [m for m in found if any(x.connection == connection and x.record_id == record_id for x in m.members)]

    def get_merge(self, merge_id: int) -> MergeRecord:
        """One merge; ``StateLookupError`` if there is none with this id."""
        with read_tx(self._engine) as conn:
            row = conn.execute(select(merges).where(merges.c.id == merge_id)).first()
        if row is None:
            raise StateLookupError(f"no merge {merge_id}")
        return _merge(row)

    def unmerge(self, merge_id: int, vetoes: Sequence[tuple[str, str]] = ()) -> MergeRecord:
        """Restore each merged member's link as it was before, record ``vetoes``, mark the merge undone.

        A member that had a hub id of its own gets it back as a plain link; one that had no link
        before loses the link the merge gave it (the next run links it afresh, as itself).
        """
        with write_tx(self._engine) as conn:
            row = conn.execute(select(merges).where(merges.c.id == merge_id)).first()
            if row is None:
                raise StateLookupError(f"no merge {merge_id}")
            record = _merge(row)
            if record.undone:
                raise StateLookupError(f"merge {merge_id} was already undone")
            for m in record.members:
                if m.primary:
                    continue
                _unlink(conn, record.stream, m.connection, m.record_id)
                if m.previous_hub_id:
                    conn.execute(insert(identity).values(connection=m.connection, stream=record.stream,
                                                         record_id=m.record_id, hub_id=m.previous_hub_id))
            _veto(conn, record.stream, vetoes)
            conn.execute(update(merges).where(merges.c.id == merge_id).values(undone_at=utcnow()))
            return record

    # Vetoes ----------------------------------------------------------------------------------------
    def veto(self, stream: str, pairs: Sequence[tuple[str, str]]) -> None:
        """Record that these hub ids are different people: they are never merged automatically again."""
        with write_tx(self._engine) as conn:
            _veto(conn, stream, pairs)

    def vetoed(self, stream: str, hub_ids: Sequence[str]) -> set[tuple[str, str]]:
        """The vetoed pairs (ordered) that involve any of ``hub_ids``."""
        found: set[tuple[str, str]] = set()
        with read_tx(self._engine) as conn:
            for chunk in _chunks(sorted(set(hub_ids))):
                query = select(match_vetoes.c.hub_a, match_vetoes.c.hub_b).where(
                    match_vetoes.c.stream == stream,
                    or_(match_vetoes.c.hub_a.in_(chunk), match_vetoes.c.hub_b.in_(chunk)))
                found.update((a, b) for a, b in conn.execute(query))
        return found

    # Erasure ---------------------------------------------------------------------------------------
    def forget(self, hub_ids: Sequence[str], record_ids: Sequence[tuple[str, str]] = ()) -> dict[str, int]:
        """Remove what identity resolution keeps about these hub ids (for an erasure request).

        Their candidate-index keys, golden-field sources, vetoes, merges and review items go: an
        erased person leaves no pseudonymous trace here (the suppression list is what remains).
        ``record_ids`` are ``(connection, record id)`` of the person's records, matched in the
        members of merges and review items too. Returns what was removed, by kind.
        """
        wanted = sorted(set(hub_ids))
        records = set(record_ids)
        counts = {"block_keys": 0, "golden_fields": 0, "match_vetoes": 0, "merges": 0, "review_items": 0}
        with write_tx(self._engine) as conn:
            for chunk in _chunks(wanted):
                counts["block_keys"] += int(conn.execute(
                    delete(block_keys).where(block_keys.c.hub_id.in_(chunk))).rowcount)
                counts["golden_fields"] += int(conn.execute(
                    delete(golden_fields).where(golden_fields.c.hub_id.in_(chunk))).rowcount)
                counts["match_vetoes"] += int(conn.execute(delete(match_vetoes).where(or_(
                    match_vetoes.c.hub_a.in_(chunk), match_vetoes.c.hub_b.in_(chunk)))).rowcount)
            for name, table in (("merges", merges), ("review_items", review_items)):
                doomed = _naming(conn, table, wanted, records)
                for id_chunk in _chunks(doomed):
                    counts[name] += int(conn.execute(delete(table).where(table.c.id.in_(id_chunk))).rowcount)
        return counts

    # Golden records --------------------------------------------------------------------------------
    def record_golden_fields(self, stream: str, hub_id: str, chosen: Sequence[GoldenField]) -> None:
        """Remember (replacing earlier choices) which source supplied each field of ``hub_id``."""
        self.record_golden_many(stream, {hub_id: list(chosen)})

    def record_golden_many(self, stream: str, chosen: dict[str, list[GoldenField]]) -> None:
        """As :meth:`record_golden_fields`, for many hub ids in one transaction."""
        if not any(chosen.values()):
            return
        now = utcnow()
        with write_tx(self._engine) as conn:
            for hub_id, fields in chosen.items():
                names = sorted({f.field for f in fields})
                for chunk in _chunks(names):
                    conn.execute(delete(golden_fields).where(and_(
                        golden_fields.c.stream == stream, golden_fields.c.hub_id == hub_id,
                        golden_fields.c.field.in_(chunk))))
            rows = [{"stream": stream, "hub_id": hub_id, "field": f.field, "connection": f.connection,
                     "record_id": f.record_id, "rule": f.rule, "chosen_at": now}
                    for hub_id, fields in chosen.items() for f in {g.field: g for g in fields}.values()]
            _insert_ignore(conn, golden_fields, rows)

    def golden_fields(self, stream: str, hub_ids: Sequence[str]) -> dict[str, dict[str, GoldenField]]:
        """``{hub_id: {field: GoldenField}}`` for the fields whose source was recorded."""
        found: dict[str, dict[str, GoldenField]] = {}
        with read_tx(self._engine) as conn:
            for chunk in _chunks(sorted(set(hub_ids))):
                query = select(golden_fields).where(golden_fields.c.stream == stream,
                                                    golden_fields.c.hub_id.in_(chunk))
                for row in conn.execute(query):
                    found.setdefault(row.hub_id, {})[row.field] = GoldenField(row.field, row.connection,
                                                                              row.record_id, row.rule)
        return found


def _naming(conn: Connection, table: Table, hub_ids: Sequence[str], records: set[tuple[str, str]]) -> list[int]:
    """Ids of merges or review items that name one of ``hub_ids`` or ``records`` (members are JSON text)."""
    needles = [json.dumps(v)[1:-1] for v in [*hub_ids, *(rid for _, rid in records)]]
    if not needles:
        return []
    wanted = set(hub_ids)
    found: list[int] = []
    by_hub = [table.c.hub_id.in_(list(hub_ids))] if "hub_id" in table.c and hub_ids else []
    for chunk in _chunks(needles):
        query = select(table).where(or_(*by_hub, *(table.c.members.contains(n, autoescape=True) for n in chunk)))
        for row in conn.execute(query):
            members = [Member.from_dict(m) for m in json.loads(row.members)]
            named = getattr(row, "hub_id", None) in wanted or any(
                m.hub_id in wanted or m.previous_hub_id in wanted or (m.connection, m.record_id) in records
                for m in members)
            if named:
                found.append(int(row.id))
    return sorted(set(found))


def _count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(review_items)).scalar_one())


def _insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows through SQLAlchemy (so timestamps get their column type), skipping existing keys."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    conn.execute(dialect_insert(table).on_conflict_do_nothing(), rows)


def _unlink(conn: Connection, stream: str, connection: str, record_id: str) -> None:
    """Remove the record's link, plain or merged."""
    conn.execute(delete(identity).where(identity.c.connection == connection, identity.c.record_id == record_id,
                                        identity.c.stream.in_([stream, stream + MERGED_SUFFIX])))


def _veto(conn: Connection, stream: str, pairs: Sequence[tuple[str, str]]) -> None:
    now = utcnow()
    ordered = sorted({(min(a, b), max(a, b)) for a, b in pairs if a and b and a != b})
    _insert_ignore(conn, match_vetoes, [{"stream": stream, "hub_a": a, "hub_b": b, "created_at": now}
                                        for a, b in ordered])
