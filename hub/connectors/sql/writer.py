"""Upserting a batch of write requests: one SELECT of the current rows, then bulk INSERT and UPDATE.

Only the fields a request carries are compared and written; the outcome of each request
(created / updated / unchanged) comes from comparing its values with the stored row after both
were converted to canonical Python values, so it is exact whatever the dialect. Statements are
compiled once per column set and run with the driver's ``executemany``; values are always bound
parameters.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hub.connectors.sql.database import AnySelect, Column
from hub.connectors.sql.layout import SqlColumn, TableLayout
from hub.errors import SchemaError
from hub.model.fields import FieldType
from hub.records import WriteOutcome, WriteRequest, WriteResult

IN_CHUNK = 900
"""Keys per ``WHERE id IN (…)``: well under every backend's bound-parameter limit."""
REJECTED = "db_rejected"


@dataclass(slots=True)
class PreparedRequest:
    """One request converted to canonical column values; map fields gathered per column."""

    key: str
    values: dict[str, Any]
    maps: dict[str, dict[str, Any]]


@dataclass(slots=True)
class WritePlan:
    """What one batch will do: rows to insert and to update, by key, and the result of each request."""

    inserts: dict[str, dict[str, Any]] = field(default_factory=dict)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[WriteResult] = field(default_factory=list)


def _json_value(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class UpsertWriter:
    """Plans and runs upserts into one table."""

    def __init__(self, layout: TableLayout, table: sa.TableClause, dialect: sa.Dialect) -> None:
        self.layout = layout
        self.table = table
        self.dialect = dialect
        self.id_col: Column = sa.column(layout.id_column)
        self._statements: dict[tuple[str, tuple[str, ...]], tuple[str, list[int] | None]] = {}
        self._located: dict[str, tuple[SqlColumn, str | None]] = {}

    # Preparing ---------------------------------------------------------------------------------------
    def _locate(self, dotted: str) -> tuple[SqlColumn, str | None]:
        found = self._located.get(dotted)
        if found is None:
            found = self.layout.locate(dotted)
            if found is None:
                raise SchemaError(
                    f"table {self.layout.name} has no column for field {dotted!r} "
                    f"(expected column {dotted.replace('.', '__')!r} or a JSON map column)"
                )
            self._located[dotted] = found
        return found

    def prepare(self, batch: Sequence[WriteRequest]) -> tuple[list[PreparedRequest], list[WriteResult]]:
        """Convert each request's fields; a value that cannot fit its column fails that request only."""
        prepared: list[PreparedRequest] = []
        failed: list[WriteResult] = []
        id_column = self.layout.id_column
        for request in batch:
            values: dict[str, Any] = {}
            maps: dict[str, dict[str, Any]] = {}
            problem = None
            for dotted, raw in request.fields.items():
                col, map_key = self._locate(dotted)
                if col.name == id_column:
                    continue  # the key is the id; a differing id field cannot move the record
                try:
                    if map_key is not None:
                        maps.setdefault(col.name, {})[map_key] = None if raw is None else _json_value(raw)
                    elif col.kind is FieldType.MAP and raw is not None:
                        for key, value in col.codec.coerce(raw).items():
                            maps.setdefault(col.name, {})[key] = value
                    else:
                        values[col.name] = col.codec.coerce(raw)
                except (TypeError, ValueError, ArithmeticError):
                    problem = f"field {dotted}: the value does not fit the {col.kind.value} column {col.name}"
                    break
            if problem is not None:
                failed.append(self.failure(request.key, problem))
            else:
                prepared.append(PreparedRequest(request.key, values, maps))
        return prepared, failed

    def failure(self, key: str, reason: str) -> WriteResult:
        """A ``failed`` result for ``key`` that names the table and record, never the value."""
        return WriteResult(
            key=key, outcome=WriteOutcome.FAILED, code=REJECTED, message=f"{self.layout.name} id={key}: {reason}"
        )

    # Planning ---------------------------------------------------------------------------------------
    def touched_columns(self, prepared: Iterable[PreparedRequest]) -> list[str]:
        """Every column some request sets, in table order."""
        touched: set[str] = set()
        for request in prepared:
            touched.update(request.values)
            touched.update(request.maps)
        return [name for name in self.layout.columns if name in touched]

    def fetch_current(self, conn: sa.Connection, keys: Sequence[str], columns: Sequence[str]) -> dict[
            str, dict[str, Any]]:
        """The stored values of ``columns`` for the keys that exist, as canonical Python values."""
        names = [self.layout.id_column, *[c for c in columns if c != self.layout.id_column]]
        decoders = [self.layout.columns[n].codec.from_db for n in names[1:]]
        unique = list(dict.fromkeys(keys))
        current: dict[str, dict[str, Any]] = {}
        for start in range(0, len(unique), IN_CHUNK):
            chunk = unique[start:start + IN_CHUNK]
            query: AnySelect = sa.select(*[sa.column(n) for n in names]).select_from(self.table)
            query = query.where(self.id_col.in_(chunk))
            for row in conn.execute(query):
                current[str(row[0])] = {
                    n: (None if raw is None else decode(raw))
                    for n, decode, raw in zip(names[1:], decoders, row[1:], strict=True)
                }
        return current

    def plan(self, prepared: Sequence[PreparedRequest], current: dict[str, dict[str, Any]],
             now: dt.datetime) -> WritePlan:
        """Decide each request's outcome against ``current``, in batch order (a key may repeat)."""
        plan = WritePlan()
        stamp = self.layout.updated_at_column
        for request in prepared:
            key = request.key
            if key in plan.inserts:
                stored: dict[str, Any] | None = plan.inserts[key]
            elif key in current:
                stored = {**current[key], **plan.updates.get(key, {})}
            else:
                stored = None
            if stored is None:
                row = dict(request.values)
                for name, entries in request.maps.items():
                    merged = {k: v for k, v in entries.items() if v is not None}
                    row[name] = merged or None
                if stamp and stamp not in row:
                    row[stamp] = now
                plan.inserts[key] = row
                plan.results.append(WriteResult(key=key, outcome=WriteOutcome.CREATED, target_id=key))
                continue
            changes = {name: value for name, value in request.values.items() if stored.get(name) != value}
            for name, entries in request.maps.items():
                before = stored.get(name) or {}
                after = dict(before)
                for k, v in entries.items():
                    if v is None:
                        after.pop(k, None)
                    else:
                        after[k] = v
                if after != before:
                    changes[name] = after or None
            if not changes:
                plan.results.append(WriteResult(key=key, outcome=WriteOutcome.UNCHANGED, target_id=key))
                continue
            if stamp and stamp not in request.values:
                changes[stamp] = now
            if key in plan.inserts:
                plan.inserts[key].update(changes)
            else:
                plan.updates[key] = {**plan.updates.get(key, {}), **changes}
            plan.results.append(WriteResult(key=key, outcome=WriteOutcome.UPDATED, target_id=key))
        return plan

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
            stmt = sa.update(self.table).where(self.id_col == sa.bindparam(f"crmhub_v{len(columns)}")).values(binds)
        compiled = stmt.compile(dialect=self.dialect)
        order = [int(name.removeprefix("crmhub_v")) for name in compiled.positiontup] \
            if compiled.positiontup is not None else None
        self._statements[(kind, columns)] = (compiled.string, order)
        return compiled.string, order

    def _run(self, conn: sa.Connection, kind: str, rows: dict[str, dict[str, Any]]) -> None:
        groups: dict[tuple[str, ...], list[tuple[str, dict[str, Any]]]] = {}
        for key, row in rows.items():
            groups.setdefault(tuple(sorted(row)), []).append((key, row))
        for columns, members in groups.items():
            if kind == "insert":
                columns = (self.layout.id_column, *columns)
            sql, order = self._statement(kind, columns)
            encoders = [self.layout.columns[name].codec.to_db for name in columns]
            params: list[Any] = []
            for key, row in members:
                values = [key if name == self.layout.id_column and kind == "insert" else enc(row[name])
                          for name, enc in zip(columns, encoders, strict=True)]
                if kind == "update":
                    values.append(key)
                if order is None:
                    params.append({f"crmhub_v{i}": v for i, v in enumerate(values)})
                else:
                    params.append(tuple(values[i] for i in order))
            conn.exec_driver_sql(sql, params)

    def execute(self, conn: sa.Connection, plan: WritePlan) -> None:
        """Run the plan's inserts and updates on ``conn`` (inside the caller's transaction)."""
        if plan.inserts:
            self._run(conn, "insert", plan.inserts)
        if plan.updates:
            self._run(conn, "update", plan.updates)
