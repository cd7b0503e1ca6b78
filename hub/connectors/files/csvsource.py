"""The CSV reader: rows of a :class:`~hub.connectors.files.csvtable.CsvTable` as source records.

A cell's value is its text (formula escaping reversed); an empty cell is absent from ``data``.
The record id is the ``id_column`` cell; a file without that column gets ``line:N`` ids (the
row's first physical line, which changes when lines are added above it). Rows that cannot be
read become records with an ``error`` and empty ``data``; reading goes on with the next row.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any, BinaryIO

from hub.connectors.files.config import CsvConfig
from hub.connectors.files.csvtable import CsvTable, Row, open_table
from hub.connectors.files.position import Resume
from hub.connectors.files.reading import FileReader, Located, parse_updated_at
from hub.records import Issue, SourceRecord

_VALUE = itemgetter(1)
"""Keeps (column, cell) pairs whose cell is not empty: an empty cell is an absent value."""


class CsvReader(FileReader):
    """Reads a CSV file as a stream of :class:`SourceRecord`."""

    config: CsvConfig
    table: CsvTable

    def open(self, handle: BinaryIO, size: int) -> Resume:
        config = self.config
        self.table = table = open_table(
            handle, size, self.file_name, encoding=config.encoding, delimiter=config.delimiter
        )
        # Looked up once here rather than per row.
        self._width = len(table.header)
        self._limit = config.max_field_bytes
        self.has_id = config.id_column in table.header
        self._plain_ids = self.has_id and not config.updated_at_column
        self._prefix = f"{self.file_name} line "
        return Resume(table.data_start, table.header_lines, 0)

    def located_records(self, handle: BinaryIO, start: Resume) -> Iterator[Located]:
        if not self.table.header:
            return iter(())
        return map(self._located, self.table.rows(handle, start.offset, start.line, self._limit))

    def _located(self, row: Row) -> Located:
        return self.record(row), row.end, row.end_line

    def record(self, row: Row) -> SourceRecord:
        """The source record of one parsed row."""
        cells = row.cells
        if cells is None:
            assert row.issue is not None
            return self.malformed(row.line, row.issue)
        width = self._width
        if len(cells) != width:
            if len(cells) < width or any(cells[width:]):
                what = f"{len(cells)} cells where the header has {width}"
                return self.malformed(row.line, Issue(None, "row_malformed", what))
            cells = cells[:width]  # trailing empty cells (a trailing delimiter) hold nothing
        if row.end - row.start > self._limit:
            issue = self._oversized(cells)
            if issue is not None:
                return self.malformed(row.line, issue)
        data = dict(filter(_VALUE, zip(self.table.header, cells, strict=True)))
        if self._plain_ids:
            record_id = data.get(self.config.id_column)
            if record_id:
                return SourceRecord(record_id, data, self._prefix + str(row.line))
        return self._identified(row.line, data)

    def _oversized(self, cells: list[str]) -> Issue | None:
        limit = self.config.max_field_bytes
        for name, cell in zip(self.table.header, cells, strict=True):
            if len(cell) * 4 > limit and len(cell.encode()) > limit:
                return Issue(name, "field_too_large", f"cell holds {len(cell.encode())} bytes, over {limit}")
        return None

    def _identified(self, line: int, data: dict[str, Any]) -> SourceRecord:
        config = self.config
        ref = self.ref(line)
        if self.has_id:
            record_id = data.get(config.id_column)
            if not record_id:
                return self.malformed(line, Issue(config.id_column, "missing_id", "the id cell is empty"), data)
        else:
            record_id = f"line:{line}"
        record = SourceRecord(id=str(record_id), data=data, ref=ref)
        if config.updated_at_column and config.updated_at_column in data:
            try:
                record.updated_at = parse_updated_at(data[config.updated_at_column])
            except ValueError:
                issue = Issue(config.updated_at_column, "invalid_timestamp", "not an ISO 8601 date-time")
                return self.malformed(line, issue, data)
        return record
