"""The ``csv`` and ``jsonl`` connectors: a file is one stream, readable and writable.

See :mod:`hub.connectors.files.csvsource` and :mod:`hub.connectors.files.jsonlsource` for how files
are read, and :mod:`hub.connectors.files.formula` for the formula-escaping rule of written CSV.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from hub.connectors.api import Capability, Connector, ConnectorContext, StreamInfo
from hub.connectors.files.config import CsvConfig, FileConfig
from hub.connectors.files.csvsource import CsvReader
from hub.connectors.files.csvtable import open_table
from hub.connectors.files.reading import FileReader
from hub.errors import ConfigError, CrmhubError
from hub.model.fields import FieldSpec
from hub.model.streams import STREAM_MODELS, stream_fields
from hub.records import Checkpoint, CheckResult, SourceRecord


def fields_for(stream: str, columns: list[str]) -> dict[str, FieldSpec]:
    """Canonical field specs for canonical column names of ``stream``; plain strings for the rest."""
    canonical = stream_fields(stream) if stream in STREAM_MODELS else {}
    return {column: canonical.get(column) or FieldSpec(name=column) for column in columns}


class FileConnector(Connector):
    """What the CSV and JSONL connectors share: one file, one stream."""

    config: FileConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ})

    def __init__(self, config: FileConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.path: Path = config.resolved_path(context)

    def _reader(self, stream: str) -> FileReader:
        raise NotImplementedError

    def _check_stream(self, stream: str) -> None:
        if stream != self.config.stream:
            raise ConfigError(f"{self.path.name} provides stream {self.config.stream!r}, not {stream!r}")

    def _columns(self) -> list[str]:
        raise NotImplementedError

    def check(self) -> CheckResult:
        """The file exists, is a readable file, and its head can be parsed."""
        if not self.path.exists():
            return CheckResult(ok=False, problems=[f"file not found: {self.path}"])
        if not self.path.is_file():
            return CheckResult(ok=False, problems=[f"not a regular file: {self.path}"])
        if not os.access(self.path, os.R_OK):
            return CheckResult(ok=False, problems=[f"file not readable: {self.path}"])
        try:
            columns = self._columns()
        except CrmhubError as exc:
            return CheckResult(ok=False, problems=[exc.public_message])
        return CheckResult(ok=True, details={"path": str(self.path), "columns": len(columns)})

    def discover(self) -> list[StreamInfo]:
        """The file's one stream with its columns; canonical columns carry their canonical specs."""
        columns = self._columns() if self.path.exists() else []
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

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        """Records in file order from ``checkpoint`` on; malformed rows come as records with ``error``."""
        self._check_stream(stream)
        return self._reader(stream).read(checkpoint)


class CsvConnector(FileConnector):
    """A CSV file: delimiter and encoding sniffed, canonical (dotted) headers need no mapping."""

    name: ClassVar[str] = "csv"
    config_model = CsvConfig
    config: CsvConfig

    def _reader(self, stream: str) -> FileReader:
        return CsvReader(self.path, self.config, stream)

    def _columns(self) -> list[str]:
        with self.path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            table = open_table(
                handle, size, self.path.name, encoding=self.config.encoding, delimiter=self.config.delimiter
            )
        return list(table.header)
