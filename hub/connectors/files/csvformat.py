"""The layout of a CSV file the connector writes.

* UTF-8 without BOM (``bom: true`` adds one, for Excel), ``,`` as delimiter unless ``delimiter`` is
  set, ``\\r\\n`` line ends (RFC 4180, what Excel writes), cells quoted only when needed.
* Header: the key column, then the stream's canonical fields in model order, then any other field
  (``custom.*``, ``external_ids.*``, ...) in first-seen order. A batch bringing a field the header
  lacks makes the file be rewritten (streaming copy) with the new column at the end: no value is
  ever dropped.
* Every cell, header included, goes through the formula-neutralisation rule of
  :mod:`hub.connectors.files.formula`.
* Values are written as text: ``true``/``false``, ISO 8601 dates, decimals as given, lists and maps
  as JSON. An empty value and an absent one are the same thing in a CSV file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any

from hub.connectors.files.config import CsvConfig
from hub.connectors.files.csvsource import CsvReader
from hub.connectors.files.formula import FIRST_CHARACTERS, neutralise
from hub.connectors.files.reading import FileReader
from hub.connectors.files.rowformat import RowFormat, plain

BOM = "\ufeff".encode()


class _LastLine:
    """A write target that keeps what the csv writer produced, to encode it ourselves."""

    text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def cell_text(value: Any) -> str | None:
    """The text a value is stored as; ``None`` for no value."""
    if type(value) is str:
        return value or None
    value = plain(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value if isinstance(value, str) else str(value)


class CsvFormat(RowFormat):
    """Rows of a CSV file, in the columns of its header."""

    config: CsvConfig

    def __init__(self, path: Any, config: CsvConfig, stream: str) -> None:
        super().__init__(path, config, stream)
        self.delimiter = "," if config.delimiter == "auto" else config.delimiter
        self.columns = self.initial_columns()
        self._line = _LastLine()
        self._writer = csv.writer(self._line, delimiter=self.delimiter, lineterminator="\r\n")

    def reader(self) -> FileReader:
        # Our own file is UTF-8: a configured encoding describes a source, never what we wrote.
        config = self.config.model_copy(update={"encoding": "auto"})
        return CsvReader(self.path, config, self.stream)

    def adopt(self, reader: FileReader) -> bool:
        assert isinstance(reader, CsvReader)
        table = reader.table
        if not table.header:
            return True
        self.columns = list(table.header)
        return (
            table.encoding.name != "utf-8"
            or table.delimiter != self.delimiter
            or bool(table.encoding.bom_bytes) != self.config.bom
        )

    def start_new(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.widen(name for row in rows for name in row)

    def widen(self, names: Iterable[str]) -> bool:
        known = set(self.columns)
        added = False
        for name in names:
            if name not in known:
                known.add(name)
                self.columns.append(name)
                added = True
        return added

    def preamble(self) -> bytes:
        return (BOM if self.config.bom else b"") + self._encode_cells(self.columns)

    def encode(self, row: Mapping[str, Any]) -> bytes:
        return self._encode_cells(map(row.get, self.columns))

    def _encode_cells(self, cells: Iterable[str | None]) -> bytes:
        first = FIRST_CHARACTERS
        # The csv writer writes None as an empty cell.
        self._writer.writerow([neutralise(cell) if cell and cell[0] in first else cell for cell in cells])
        return self._line.text.encode()

    def normalise(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {name: cell_text(value) for name, value in fields.items()}

    def problem(self, row: Mapping[str, Any]) -> tuple[str, str, str] | None:
        limit = self.config.max_field_bytes
        for name, value in row.items():
            if "\0" in value or "\0" in name:
                return "invalid_value", name, "a NUL character cannot be stored in a CSV cell"
            if len(value) * 4 > limit and len(value.encode()) > limit:
                return "field_too_large", name, f"value holds {len(value.encode())} bytes, over {limit}"
        return None
