"""Configuration of the ``csv`` and ``jsonl`` connectors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from hub.connectors.api import ConnectorConfig, ConnectorContext
from hub.connectors.files.dialect import CANDIDATES
from hub.connectors.files.encoding import check_codec

MIB = 1024 * 1024


class FileConfig(ConnectorConfig):
    """What both file connectors share. Unknown keys are refused."""

    path: Path = Field(description="the file; a relative path resolves against the config file's directory")
    encoding: str = Field("auto", description="a Python codec name, or auto to detect UTF-8 / cp1254 / ISO-8859-9")
    stream: str = Field("contacts", min_length=1, description="the stream name this file provides")
    id_column: str = Field(
        "id",
        min_length=1,
        description="column holding the record id; without it a record's id is line:N (unstable across edits)",
    )
    updated_at_column: str | None = Field(None, description="column holding an ISO 8601 last-modified time")
    max_field_bytes: int = Field(MIB, ge=1024, description="a larger cell makes its row a field_too_large record")
    checkpoint_every: int = Field(1000, ge=1, description="records between two checkpoints")
    bom: bool = Field(False, description="write a UTF-8 byte-order mark (for Excel)")

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str) -> str:
        if value == "auto":
            return value
        try:
            check_codec(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} (use auto, utf-8, cp1254, iso-8859-9, ...)") from None
        return value

    def resolved_path(self, context: ConnectorContext) -> Path:
        """The absolute file path: a relative one resolves against the config file's directory.

        That is ``context.options["config_dir"]`` when given, else ``context.work_dir`` (the engine
        sets it to the config file's directory, and passes absolute paths anyway).
        """
        path = self.path.expanduser()
        if path.is_absolute():
            return path
        base = context.options.get("config_dir") or context.work_dir
        return (Path(base) / path).absolute()


class CsvConfig(FileConfig):
    """Configuration of the ``csv`` connector."""

    delimiter: Literal["auto", ",", ";", "\t", "|"] = Field(
        "auto", description=f"cell separator, or auto to sniff one of {' '.join(map(repr, CANDIDATES))}"
    )


class JsonlConfig(FileConfig):
    """Configuration of the ``jsonl`` connector: one JSON object per line, nested objects flattened."""
