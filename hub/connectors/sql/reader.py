"""Incremental keyset reading of a table or query, page by page.

Order and cursor: rows are read in ``(updated_at, id)`` order, ``page_size`` rows per query
(``WHERE (u, id) > (:u, :id) ORDER BY u, id LIMIT n``), and a checkpoint follows each page:
``{"updated_at": "<ISO-8601 UTC>", "id": "<last id>"}``. Equal timestamps across a page boundary
are neither missed nor repeated, because the id breaks the tie. The seek must be one range of the
``(updated_at, id)`` index, or every page scans all rows sharing the timestamp again (quadratic in a
table one bulk load stamped alike): SQLite and PostgreSQL get it from the row-value comparison,
MariaDB and MySQL (which do not seek on row values) from ``u > :u OR (u = :u AND id > :id)``.

Rows whose ``updated_at`` is NULL cannot be ordered in time: they are read first, in a pass
ordered by id. While that pass runs the cursor carries ``"null_after": "<last id>"`` next to the
position of the timed pass; once it ends the key goes away. With ``reread_null_updated_at``
(the default) every run reads those rows again, since a change to them cannot be seen.

``overlap_seconds`` (default 0) makes a resumed read start that many seconds before the cursor,
so a row a slow transaction committed with an older timestamp is still picked up; the row at
exactly the cursor position is not repeated and checkpoints never move backwards.

Without an updated_at column the cursor is ``{"id": "<last id>"}``: new ids only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from hub.connectors.sql.database import AnyRow, AnySelect, Column
from hub.connectors.sql.layout import SqlColumn, TableLayout
from hub.connectors.sql.values import convert_column, parse_datetime
from hub.errors import SchemaError
from hub.model.fields import FieldType
from hub.records import Checkpoint, Issue, SourceRecord

RowSource = Callable[[AnySelect], Iterable[Sequence[AnyRow]]]
"""Runs one page's SELECT and streams its rows in chunks (the connector wraps errors)."""


_UNREADABLE = (TypeError, ValueError, ArithmeticError)
UNREADABLE = "value_unreadable"


class RowDecoder:
    """Turns rows of the selected columns into records' flat dotted ``data``, a column at a time.

    A stored value that cannot be read as its column's kind (a JSON column holding broken JSON, a
    SQLite text timestamp that is no timestamp) is reported as an :class:`Issue` for its row.
    """

    def __init__(self, layout: TableLayout, names: list[str]) -> None:
        columns = [layout.columns[n] for n in names]
        self.plain = [(i, c) for i, c in enumerate(columns) if c.kind is not FieldType.MAP]
        self.maps = [(i, c) for i, c in enumerate(columns) if c.kind is FieldType.MAP]
        self.plain_fields = [c.field for _, c in self.plain]

    def decode(self, rows: Sequence[Any], issues: dict[int, Issue] | None = None) -> list[dict[str, Any]]:
        """One ``data`` dict per row: NULL columns as ``None``; a map's keys as ``<column>.<key>``.

        Unreadable values are left out of ``data`` and noted in ``issues`` by row index.
        """
        if not rows:
            return []
        found: dict[int, Issue] = {} if issues is None else issues
        stored = list(zip(*rows, strict=True))
        plain = [self._column(col, stored[i], found) for i, col in self.plain]
        datas = [dict(zip(self.plain_fields, values, strict=True)) for values in zip(*plain, strict=True)] \
            if plain else [{} for _ in rows]
        for index, col in self.maps:
            for row, (data, raw) in enumerate(zip(datas, stored[index], strict=True)):
                if raw is None:
                    continue  # a NULL map simply has no entries
                try:
                    entries = col.codec.from_db(raw)
                except _UNREADABLE:
                    found.setdefault(row, _unreadable(col))
                    continue
                for key, value in entries.items():
                    data[f"{col.field}.{key}"] = value
        return datas

    @staticmethod
    def _column(col: SqlColumn, values: Sequence[Any], issues: dict[int, Issue]) -> Sequence[Any]:
        codec = col.codec
        try:
            return convert_column(codec.from_db, codec.native, values)
        except _UNREADABLE:
            pass
        converted: list[Any] = []
        for row, value in enumerate(values):
            try:
                converted.append(None if value is None else codec.from_db(value))
            except _UNREADABLE:
                issues.setdefault(row, _unreadable(col))
                converted.append(None)
        return converted


def records_of(decoder: RowDecoder, rows: Sequence[Any], id_index: int, u_field: str | None, ref_name: str
               ) -> list[SourceRecord]:
    """Source records of fetched rows: ``id_index`` is the id column's position, ``u_field`` the change time's field."""
    issues: dict[int, Issue] = {}
    datas = decoder.decode(rows, issues)
    prefix = f"{ref_name} id="
    records = []
    for row, data in zip(rows, datas, strict=True):
        record_id = str(row[id_index])
        records.append(SourceRecord(record_id, data, prefix + record_id, data.get(u_field) if u_field else None))
    for index, issue in issues.items():
        records[index].data, records[index].error = {}, issue
    return records


def _unreadable(col: SqlColumn) -> Issue:
    return Issue(col.field, UNREADABLE, f"column {col.name}: the stored value cannot be read as {col.kind.value}")


class KeysetReader:
    """Reads one stream of ``source`` (a table or a subquery) after a checkpoint."""

    def __init__(
        self, layout: TableLayout, source: sa.FromClause, stream: str, ref_name: str, fetch: RowSource, *,
        page_size: int, overlap: float, reread_nulls: bool, row_values: bool = False,
    ) -> None:
        self.layout = layout
        self.source = source
        self.stream = stream
        self.ref_name = ref_name
        self.fetch = fetch
        self.page_size = page_size
        self.overlap = dt.timedelta(seconds=overlap)
        self.reread_nulls = reread_nulls
        self.row_values = row_values
        """Seek with ``(u, id) > (:u, :id)``: SQLite and PostgreSQL answer it from the index in one range."""
        self.names = list(layout.columns)
        self.decoder = RowDecoder(layout, self.names)
        self.id_index = self.names.index(layout.id_column)
        self.u_index = self.names.index(layout.updated_at_column) if layout.updated_at_column else None
        self.id_col: Column = sa.column(layout.id_column)
        self.u_col: Column | None = sa.column(layout.updated_at_column) if layout.updated_at_column else None
        u_name = layout.updated_at_column
        self.u_codec = layout.columns[u_name].codec if u_name else None
        self.u_field = layout.columns[u_name].field if u_name else None

    def _select(self) -> AnySelect:
        return sa.select(*[sa.column(n) for n in self.names]).select_from(self.source).limit(self.page_size)

    def _records(self, rows: Sequence[Any]) -> list[SourceRecord]:
        return records_of(self.decoder, rows, self.id_index, self.u_field, self.ref_name)

    def _bind(self, name: str, value: Any) -> sa.BindParameter[Any]:
        # Untyped binds: no dialect casts, the value is already what the driver expects.
        return sa.bindparam(name, value, type_=sa.types.NullType())

    def read(self, cursor: dict[str, Any]) -> Iterator[SourceRecord | Checkpoint]:
        """Yield records after ``cursor`` and a checkpoint after each page."""
        if self.u_col is None:
            yield from self._read_by_id(cursor)
            return
        position: tuple[dt.datetime, str] | None = None
        if cursor.get("updated_at") is not None:
            position = (parse_datetime(cursor["updated_at"]), str(cursor.get("id") or ""))
        yielded = False
        if "null_after" in cursor or self.reread_nulls or position is None:
            for item in self._read_nulls(cursor.get("null_after"), position):
                yielded = True
                yield item
        for item in self._read_timed(position):
            yielded = True
            yield item
        if not yielded:
            yield Checkpoint(self.stream, _cursor(position))

    def _read_by_id(self, cursor: dict[str, Any]) -> Iterator[SourceRecord | Checkpoint]:
        after = cursor.get("id")
        while True:
            query = self._select().order_by(self.id_col)
            if after is not None:
                query = query.where(self.id_col > self._bind("after_id", after))
            count = 0
            for chunk in self.fetch(query):
                count += len(chunk)
                after = str(chunk[-1][self.id_index])
                yield from self._records(chunk)
            yield Checkpoint(self.stream, {"id": after})
            if count < self.page_size:
                return

    def _read_nulls(self, after: str | None, position: tuple[dt.datetime, str] | None) -> Iterator[
            SourceRecord | Checkpoint]:
        assert self.u_col is not None
        while True:
            query = self._select().where(self.u_col.is_(None)).order_by(self.id_col)
            if after is not None:
                query = query.where(self.id_col > self._bind("after_id", after))
            count = 0
            for chunk in self.fetch(query):
                count += len(chunk)
                after = str(chunk[-1][self.id_index])
                yield from self._records(chunk)
            if count < self.page_size:
                # The null pass is over: the checkpoint returns to the timed position alone.
                if count:
                    yield Checkpoint(self.stream, _cursor(position))
                return
            yield Checkpoint(self.stream, {**_cursor(position), "null_after": after})

    def _read_timed(self, position: tuple[dt.datetime, str] | None) -> Iterator[SourceRecord | Checkpoint]:
        assert self.u_col is not None
        assert self.u_codec is not None
        assert self.u_index is not None
        seen_position = position
        start = position
        if position is not None and self.overlap:
            start = (position[0] - self.overlap, "")
        inclusive = start is not None and start != position  # the overlap start is a lower bound, not a row
        while True:
            query = self._select().where(self.u_col.is_not(None)).order_by(self.u_col, self.id_col)
            if start is not None:
                u = self._bind("after_u", self.u_codec.to_db(start[0]))
                if inclusive:
                    query = query.where(self.u_col >= u)
                elif self.row_values:
                    after = sa.tuple_(self.u_col, self.id_col) > sa.tuple_(u, self._bind("after_id", start[1]))
                    query = query.where(after)
                else:
                    same_time = sa.and_(self.u_col == u, self.id_col > self._bind("after_id", start[1]))
                    query = query.where(self.u_col >= u, sa.or_(self.u_col > u, same_time))
            count, last = 0, None
            for chunk in self.fetch(query):
                count += len(chunk)
                for record in self._records(chunk):
                    if record.updated_at is not None:
                        last = (record.updated_at, record.id)
                    if position is not None and record.updated_at == position[0] and record.id == position[1]:
                        continue
                    yield record
            if last is None and count >= self.page_size:
                raise SchemaError(f"{self.ref_name}: a whole page of {self.layout.updated_at_column} values are not "
                                  "timestamps; the read cannot advance")
            if last is not None:
                start = last
                inclusive = False
                if seen_position is None or start > seen_position:
                    seen_position = start
                yield Checkpoint(self.stream, _cursor(seen_position))
            if count < self.page_size:
                return


def _cursor(position: tuple[dt.datetime, str] | None) -> dict[str, Any]:
    if position is None:
        return {"updated_at": None, "id": None}
    return {"updated_at": position[0].isoformat(), "id": position[1]}
