"""How a writable file lays out its rows; :class:`~hub.connectors.files.store.KeyedFile` owns the rest.

A row here is a flat dict of field name to value as the format reads it back (text for CSV, JSON
values for JSONL); the key field holds the hub id. Normalising a value before comparing is what
makes a second identical write ``unchanged``.
"""

from __future__ import annotations

import abc
import datetime as dt
import decimal
import enum
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hub.connectors.files.config import FileConfig
from hub.connectors.files.reading import FileReader
from hub.model.streams import STREAM_MODELS, stream_fields


class RowFormat(abc.ABC):
    """The layout of one writable file."""

    def __init__(self, path: Path, config: FileConfig, stream: str) -> None:
        self.path = path
        self.config = config
        self.stream = stream

    def initial_columns(self) -> list[str]:
        """The fields a new file would be laid out with before any row: the key and the canonical fields."""
        key = self.config.id_column
        canonical = stream_fields(self.stream) if self.stream in STREAM_MODELS else {}
        return [key, *(name for name, spec in canonical.items() if spec.type != "map" and name != key)]

    @abc.abstractmethod
    def reader(self) -> FileReader:
        """A reader of the file as it is on disk (its layout is detected, not assumed)."""

    @abc.abstractmethod
    def adopt(self, reader: FileReader) -> bool:
        """Take the layout of the existing file ``reader`` opened; True when it must be rewritten in ours."""

    @abc.abstractmethod
    def start_new(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Fix the layout of a new file from the rows about to be written first."""

    @abc.abstractmethod
    def widen(self, names: Iterable[str]) -> bool:
        """Make room for field names; True when the file must be rewritten for them."""

    @abc.abstractmethod
    def preamble(self) -> bytes:
        """What a file starts with before its first row (BOM, header line)."""

    @abc.abstractmethod
    def encode(self, row: Mapping[str, Any]) -> bytes:
        """One row as the bytes of a line, line end included."""

    @abc.abstractmethod
    def normalise(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``fields`` as they would read back; a value of ``None`` means "clear this field"."""

    @abc.abstractmethod
    def problem(self, row: Mapping[str, Any]) -> tuple[str, str, str] | None:
        """Why ``row`` cannot be stored so that it reads back the same: ``(code, field, message)``."""


def plain(value: Any) -> Any:
    """Dates as ISO 8601, decimals as their exact text, enums as their value; other values unchanged."""
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return [plain(item) for item in value]
    return value
