"""Upserting a batch of write requests: one SELECT of the current rows, then bulk INSERT and UPDATE.

Only the fields a request carries are compared and written; the outcome of each request
(created / updated / unchanged) comes from comparing its values with the stored row after both
were converted to canonical Python values, so it is exact whatever the dialect. New keys that
occur once in the batch are inserted column by column without per-row work; existing or repeated
keys are compared request by request in batch order. Statements are compiled once per column set
and run with the driver's ``executemany``; values are always bound parameters.
"""

from __future__ import annotations

import collections
import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hub.connectors.sql.database import AnySelect, Column
from hub.connectors.sql.layout import TableLayout
from hub.connectors.sql.preparing import PreparedGroup, PreparedRequest, RequestPreparer
from hub.connectors.sql.values import ValueCodec, convert_column, identity
from hub.records import WriteOutcome, WriteResult

IN_CHUNK = 900
"""Keys per ``WHERE id IN (…)``: well under every backend's bound-parameter limit."""


@dataclass(slots=True)
class RowBlock:
    """Rows to insert or update that set the same columns, held column by column."""

    names: tuple[str, ...]
    keys: list[str]
    columns: list[Sequence[Any]]


@dataclass(slots=True)
class StoredRows:
    """The current values of the keys that exist: each key's row index into per-column value lists."""

    index: dict[str, int]
    columns: dict[str, Sequence[Any]]

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def row(self, key: str) -> dict[str, Any]:
        """The stored values of ``key`` as a dict (it must exist)."""
        at = self.index[key]
        return {name: values[at] for name, values in self.columns.items()}


@dataclass(slots=True)
class WritePlan:
    """What one batch will do, and the result of each request."""

    inserts: list[RowBlock] = field(default_factory=list)
    updates: list[RowBlock] = field(default_factory=list)
    results: list[WriteResult] = field(default_factory=list)


class _Unreadable:
    """Stands for a stored value that cannot be read: unequal to anything, so a request overwrites it."""

    def __repr__(self) -> str:
        return "<unreadable>"


UNREADABLE = _Unreadable()


def _readable(codec: ValueCodec, values: Sequence[Any]) -> Sequence[Any]:
    try:
        return convert_column(codec.from_db, codec.native, values)
    except (TypeError, ValueError, ArithmeticError):
        pass
    converted: list[Any] = []
    for value in values:
        try:
            converted.append(None if value is None else codec.from_db(value))
        except (TypeError, ValueError, ArithmeticError):
            converted.append(UNREADABLE)
    return converted


def _merge(base: Any, entries: dict[str, Any]) -> dict[str, Any] | None:
    """``base`` with ``entries`` applied (``None`` removes a key); an empty map is stored as NULL.

    A ``base`` that is not a map (NULL, or stored JSON that could not be read) counts as empty.
    """
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in entries.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged or None


def _blocks(rows: dict[str, dict[str, Any]]) -> list[RowBlock]:
    """Rows by key → blocks of rows that set the same columns."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for key, row in rows.items():
        grouped.setdefault(tuple(sorted(row)), []).append(key)
    blocks = []
    for names, keys in grouped.items():
        pick = operator.itemgetter(*names)
        picked = [pick(rows[k]) for k in keys] if len(names) > 1 else [(rows[k][names[0]],) for k in keys]
        blocks.append(RowBlock(names, keys, list(zip(*picked, strict=True)) if names else []))
    return blocks


class UpsertWriter:
    """Plans and runs upserts into one table."""

    def __init__(self, layout: TableLayout, table: sa.TableClause, dialect: sa.Dialect) -> None:
        self.layout = layout
        self.table = table
        self.dialect = dialect
        self.id_col: Column = sa.column(layout.id_column)
        self.preparer = RequestPreparer(layout)
        self._statements: dict[tuple[str, tuple[str, ...]], tuple[str, list[int] | None]] = {}

    # Reading the current rows -------------------------------------------------------------------------
    def touched_columns(self, groups: Iterable[PreparedGroup]) -> list[str]:
        """Every column some request sets, in table order."""
        touched: set[str] = set()
        for group in groups:
            touched.update(group.names)
            touched.update(group.map_entries)
        return [name for name in self.layout.columns if name in touched]

    def fetch_current(self, conn: sa.Connection, keys: Sequence[str], columns: Sequence[str]) -> StoredRows:
        """The stored values of ``columns`` for the keys that exist, as canonical Python values."""
        names = [c for c in columns if c != self.layout.id_column]
        codecs = [self.layout.columns[n].codec for n in names]
        unique = list(dict.fromkeys(keys))
        rows: list[Any] = []
        for start in range(0, len(unique), IN_CHUNK):
            query: AnySelect = sa.select(self.id_col, *[sa.column(n) for n in names]).select_from(self.table)
            rows.extend(conn.execute(query.where(self.id_col.in_(unique[start:start + IN_CHUNK]))).all())
        if not rows:
            return StoredRows({}, {})
        ids, *stored = zip(*rows, strict=True)
        return StoredRows(
            {str(key): index for index, key in enumerate(ids)},
            {n: _readable(c, v) for n, c, v in zip(names, codecs, stored, strict=True)},
        )

    # Planning ---------------------------------------------------------------------------------------
    def plan(self, groups: Sequence[PreparedGroup], current: StoredRows,
             now: dt.datetime) -> WritePlan:
        """Decide each request's outcome against ``current``."""
        plan = WritePlan()
        seen = collections.Counter(key for group in groups for key in group.keys)
        one_by_one: list[PreparedRequest] = []
        updates: dict[str, dict[str, Any]] = {}
        for group in groups:
            if any(name in group.map_entries for name in group.names):  # replaces and merges one map
                one_by_one.extend(group.request(i) for i in range(len(group)))
                continue
            fresh, existing = [], []
            for i, key in enumerate(group.keys):
                if seen[key] != 1:
                    one_by_one.append(group.request(i))
                elif key in current:
                    existing.append(i)
                else:
                    fresh.append(i)
            if fresh:
                plan.inserts.append(self._fresh_block(group, fresh, now))
                plan.results.extend(WriteResult(key=group.keys[i], outcome=WriteOutcome.CREATED,
                                                target_id=group.keys[i]) for i in fresh)
            if existing:
                self._compare(group, existing, current, now, updates, plan.results)
        plan.updates.extend(_blocks(updates))
        if one_by_one:
            one_by_one.sort(key=lambda r: r.position)
            self._plan_each(one_by_one, current, now, plan)
        return plan

    def _fresh_block(self, group: PreparedGroup, rows: list[int], now: dt.datetime) -> RowBlock:
        """Insert rows for new keys, straight from the group's columns."""
        whole = len(rows) == len(group)
        names = list(group.names)
        columns: list[Sequence[Any]] = list(group.columns) if whole else [
            [column[i] for i in rows] for column in group.columns]
        for name, entries in group.map_entries.items():
            names.append(name)
            columns.append([_merge(None, entries[i]) for i in rows])
        stamp = self.layout.updated_at_column
        if stamp and stamp not in names:
            names.append(stamp)
            columns.append([now] * len(rows))
        keys = group.keys if whole else [group.keys[i] for i in rows]
        return RowBlock(tuple(names), keys, columns)

    def _compare(self, group: PreparedGroup, rows: list[int], current: StoredRows,
                 now: dt.datetime, updates: dict[str, dict[str, Any]], results: list[WriteResult]) -> None:
        """Existing keys that occur once: compare column by column, collect the changed values per key."""
        at = [current.index[group.keys[i]] for i in rows]
        changes: list[dict[str, Any] | None] = [None] * len(rows)
        for name, column in zip(group.names, group.columns, strict=True):
            wanted = [column[i] for i in rows]
            stored_column = current.columns[name]
            was = [stored_column[k] for k in at]
            if wanted == was:  # the usual case, decided at C speed
                continue
            for j in [j for j, (new, old) in enumerate(zip(wanted, was, strict=True)) if new != old]:
                changed = changes[j]
                if changed is None:
                    changed = changes[j] = {}
                changed[name] = wanted[j]
        for name, entries in group.map_entries.items():
            stored_column = current.columns[name]
            for j, i in enumerate(rows):
                before = stored_column[at[j]]
                after = _merge(before, entries[i])
                if after != (before or None):
                    changed = changes[j]
                    if changed is None:
                        changed = changes[j] = {}
                    changed[name] = after
        stamp = self.layout.updated_at_column
        stamped = stamp is not None and stamp not in group.names
        for j, i in enumerate(rows):
            key, changed = group.keys[i], changes[j]
            if changed is None:
                results.append(WriteResult(key=key, outcome=WriteOutcome.UNCHANGED, target_id=key))
                continue
            if stamped and stamp is not None:
                changed[stamp] = now
            updates[key] = changed
            results.append(WriteResult(key=key, outcome=WriteOutcome.UPDATED, target_id=key))

    def _plan_each(self, requests: Sequence[PreparedRequest], current: StoredRows,
                   now: dt.datetime, plan: WritePlan) -> None:
        """Requests for existing or repeated keys, one at a time in batch order."""
        inserts: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        stamp = self.layout.updated_at_column
        for request in requests:
            key = request.key
            if key in inserts:
                stored: dict[str, Any] | None = inserts[key]
            elif key in current:
                stored = {**current.row(key), **updates.get(key, {})}
            else:
                stored = None
            if stored is None:
                row = dict(request.values)
                for name, entries in request.maps.items():
                    row[name] = _merge(row.get(name), entries)
                if stamp and stamp not in row:
                    row[stamp] = now
                inserts[key] = row
                plan.results.append(WriteResult(key=key, outcome=WriteOutcome.CREATED, target_id=key))
                continue
            changes = {name: value for name, value in request.values.items()
                       if name not in request.maps and stored.get(name) != value}
            for name, entries in request.maps.items():
                before = stored.get(name)
                after = _merge(request.values.get(name, before), entries)
                if after != (before or None):
                    changes[name] = after
            if not changes:
                plan.results.append(WriteResult(key=key, outcome=WriteOutcome.UNCHANGED, target_id=key))
                continue
            if stamp and stamp not in request.values:
                changes[stamp] = now
            if key in inserts:
                inserts[key].update(changes)
            else:
                updates[key] = {**updates.get(key, {}), **changes}
            plan.results.append(WriteResult(key=key, outcome=WriteOutcome.UPDATED, target_id=key))
        plan.inserts.extend(_blocks(inserts))
        plan.updates.extend(_blocks(updates))

    # Executing --------------------------------------------------------------------------------------
    def _statement(self, kind: str, columns: tuple[str, ...]) -> tuple[str, list[int] | None]:
        """SQL text for ``kind`` over ``columns`` and, for positional drivers, the column index of each ``?``."""
        cached = self._statements.get((kind, columns))
        if cached is not None:
            return cached
        binds: dict[str, Any] = {name: sa.bindparam(f"crmhub_v{i}") for i, name in enumerate(columns)}
        stmt: sa.Insert | sa.Update
        if kind == "insert":
            stmt = sa.insert(self.table).values(binds)
        else:
            key = binds.pop(self.layout.id_column)
            stmt = sa.update(self.table).where(self.id_col == key).values(binds)
        compiled = stmt.compile(dialect=self.dialect)
        order = [int(name.removeprefix("crmhub_v")) for name in compiled.positiontup] \
            if compiled.positiontup is not None else None
        self._statements[(kind, columns)] = (compiled.string, order)
        return compiled.string, order

    def _run(self, conn: sa.Connection, kind: str, block: RowBlock) -> None:
        id_column = self.layout.id_column
        values = list(block.columns)
        for index, name in enumerate(block.names):
            encode = self.layout.columns[name].codec.to_db
            if encode is not identity:
                values[index] = [None if v is None else encode(v) for v in values[index]]
        # Inserts bind the id first, updates last (in the WHERE clause).
        if kind == "insert":
            bound, columns = (id_column, *block.names), [block.keys, *values]
        else:
            bound, columns = (*block.names, id_column), [*values, block.keys]
        sql, order = self._statement(kind, bound)
        if order is None:
            names = [f"crmhub_v{i}" for i in range(len(bound))]
            params: list[Any] = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        else:
            # Reorder whole columns to the statement's placeholder order: no per-row work.
            params = list(zip(*[columns[i] for i in order], strict=True))
        conn.exec_driver_sql(sql, params)

    def execute(self, conn: sa.Connection, plan: WritePlan) -> None:
        """Run the plan's inserts and updates on ``conn`` (inside the caller's transaction)."""
        for block in plan.inserts:
            self._run(conn, "insert", block)
        for block in plan.updates:
            self._run(conn, "update", block)
