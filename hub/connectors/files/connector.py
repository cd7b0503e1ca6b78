"""The ``csv`` and ``jsonl`` connectors: a file is one stream, readable and writable.

See :mod:`hub.connectors.files.csvsource` and :mod:`hub.connectors.files.jsonlsource` for how files
are read, and :mod:`hub.connectors.files.formula` for the formula-escaping rule of written CSV.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

from hub.connectors.api import Capability, Connector, ConnectorContext, StreamInfo
from hub.connectors.files.config import CsvConfig, FileConfig, JsonlConfig
from hub.connectors.files.csvformat import CsvFormat
from hub.connectors.files.csvsource import CsvReader
from hub.connectors.files.csvtable import open_table
from hub.connectors.files.errors import FileFormatError
from hub.connectors.files.jsonlformat import JsonlFormat
from hub.connectors.files.jsonlsource import JsonlReader
from hub.connectors.files.reading import FileReader
from hub.connectors.files.rowformat import RowFormat
from hub.connectors.files.store import KeyedFile
from hub.errors import ConfigError, CrmhubError
from hub.model.fields import FieldSpec
from hub.model.streams import STREAM_MODELS, stream_fields
from hub.records import Checkpoint, CheckResult, SourceRecord, WriteRequest, WriteResult


def fields_for(stream: str, columns: list[str]) -> dict[str, FieldSpec]:
    """Canonical field specs for canonical column names of ``stream``; plain strings for the rest."""
    canonical = stream_fields(stream) if stream in STREAM_MODELS else {}
    return {column: canonical.get(column) or FieldSpec(name=column) for column in columns}


_DISCOVER_RECORDS = 200


class FileConnector(Connector):
    """What the CSV and JSONL connectors share: one file, one stream, readable and writable.

    As a target the file is upserted by ``id_column`` (see :mod:`hub.connectors.files.store`):
    every ``write`` is on disk when it returns, and ``close()`` compacts superseded rows away.
    """

    config: FileConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.WRITE, Capability.LOOKUP, Capability.CONDITIONAL_WRITE, Capability.CLEAR,
         Capability.SNAPSHOT})

    def __init__(self, config: FileConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.path: Path = config.resolved_path(context)
        self._target: KeyedFile | None = None

    @abc.abstractmethod
    def _reader(self, stream: str) -> FileReader:
        """A reader of the file for ``stream``."""

    @abc.abstractmethod
    def _format(self) -> RowFormat:
        """The layout rows are written in."""

    def _store(self, stream: str) -> KeyedFile:
        self._check_stream(stream)
        if self._target is None:
            self._target = KeyedFile(self.path, self._format(), self.config.id_column)
        return self._target

    def _check_stream(self, stream: str) -> None:
        if stream != self.config.stream:
            raise ConfigError(f"{self.path.name} provides stream {self.config.stream!r}, not {stream!r}")

    @abc.abstractmethod
    def _columns(self) -> list[str]:
        """The field names the existing file holds."""

    def check(self) -> CheckResult:
        """The file is a readable file whose head parses; or it does not exist yet in a writable folder.

        A missing file is fine for a target (it is created on first write) and the result says so
        with its path; reading it then fails naming the path.
        """
        if not self.path.exists():
            folder = self.path.parent
            if folder.is_dir() and os.access(folder, os.W_OK):
                note = f"{self.path} does not exist yet: it is created on first write; reading it would fail"
                return CheckResult(ok=True, details={"path": str(self.path), "exists": False, "note": note})
            return CheckResult(ok=False, problems=[f"file not found, and its folder is not writable: {self.path}"])
        if not self.path.is_file():
            return CheckResult(ok=False, problems=[f"not a regular file: {self.path}"])
        if not os.access(self.path, os.R_OK):
            return CheckResult(ok=False, problems=[f"file not readable: {self.path}"])
        try:
            columns = self._columns()
        except CrmhubError as exc:
            return CheckResult(ok=False, problems=[exc.public_message])
        return CheckResult(ok=True, details={"path": str(self.path), "exists": True, "columns": len(columns)})

    def discover(self) -> list[StreamInfo]:
        """The file's one stream with its columns; canonical columns carry their canonical specs.

        A file that does not exist yet offers the id column and the stream's canonical fields: what
        writing to it would lay out.
        """
        columns = self._columns() if self.path.exists() else self._format().initial_columns()
        key = self.config.id_column
        return [
            StreamInfo(
                name=self.config.stream,
                fields=fields_for(self.config.stream, columns),
                primary_key=key,
                cursor_field=self.config.updated_at_column,
                key_field=key,
            )
        ]

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Generator[SourceRecord | Checkpoint, None, None]:
        """Records in file order from ``checkpoint`` on; malformed rows come as records with ``error``."""
        self._check_stream(stream)
        if not self.path.is_file():
            raise FileFormatError(f"file not found: {self.path}")
        return self._reader(stream).read(checkpoint)

    def snapshot(self, stream: str) -> Iterator[SourceRecord]:
        """Every record in file order, without checkpoints (a whole-file comparison need not resume)."""
        return (item for item in self.read(stream, None) if isinstance(item, SourceRecord))

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        """Upsert by key: ``created``, ``updated`` (a new row supersedes the old) or ``unchanged``."""
        return self._store(stream).write(batch)

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The current row of each key the file holds, as it reads back."""
        return self._store(stream).lookup(keys)

    def close(self) -> None:
        """Compact the file if rows were superseded (atomic rename), then release it."""
        if self._target is not None:
            target, self._target = self._target, None
            target.close()


class CsvConnector(FileConnector):
    """A CSV file: delimiter and encoding sniffed, canonical (dotted) headers need no mapping."""

    name: ClassVar[str] = "csv"
    config_model = CsvConfig
    config: CsvConfig

    def _reader(self, stream: str) -> FileReader:
        return CsvReader(self.path, self.config, stream)

    def _format(self) -> RowFormat:
        return CsvFormat(self.path, self.config, self.config.stream)

    def _columns(self) -> list[str]:
        with self.path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            table = open_table(
                handle, size, self.path.name, encoding=self.config.encoding, delimiter=self.config.delimiter
            )
        return list(table.header)


class JsonlConnector(FileConnector):
    """A JSON Lines file: one object per line, nested objects read as dotted names."""

    name: ClassVar[str] = "jsonl"
    config_model = JsonlConfig
    config: JsonlConfig

    def _reader(self, stream: str) -> FileReader:
        return JsonlReader(self.path, self.config, stream)

    def _format(self) -> RowFormat:
        return JsonlFormat(self.path, self.config, self.config.stream)

    def _columns(self) -> list[str]:
        """The fields of the first objects in the file, in first-seen order."""
        columns: dict[str, None] = {}
        with closing(self._reader(self.config.stream).read(None)) as items:
            records = (item for item in items if isinstance(item, SourceRecord))
            for record in islice(records, _DISCOVER_RECORDS):
                columns.update(dict.fromkeys(record.data))
        return list(columns)
