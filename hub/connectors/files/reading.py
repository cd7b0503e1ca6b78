"""Reading a file stream: records in file order, with a checkpoint every ``checkpoint_every`` records.

Shared by the CSV and JSONL readers, which supply how to open the file (detect its shape, find where
data starts) and how to turn its bytes into records that know the offset and line they end at.
"""

from __future__ import annotations

import abc
import datetime as dt
import os
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from hub.connectors.files.config import FileConfig
from hub.connectors.files.position import Fingerprinter, Resume
from hub.errors import FatalError
from hub.records import Checkpoint, Issue, SourceRecord

Located = tuple[SourceRecord, int, int]
"""A record with the byte offset and the physical line it ends at."""


class FileReader(abc.ABC):
    """Reads one file as one stream; subclasses know the format."""

    has_id: bool = False
    """Whether records carry their own id (else their id is ``line:N``); known once the file is open."""

    def __init__(self, path: Path, config: FileConfig, stream: str) -> None:
        self.path = path
        self.config = config
        self.stream = stream
        self.file_name = path.name

    @abc.abstractmethod
    def open(self, handle: BinaryIO, size: int) -> Resume:
        """Learn the file's shape from its head; return where its first record starts."""

    @abc.abstractmethod
    def located_records(self, handle: BinaryIO, start: Resume) -> Iterator[Located]:
        """Records from ``start`` on, each with the offset and line it ends at."""

    def read(self, checkpoint: Checkpoint | None) -> Generator[SourceRecord | Checkpoint, None, None]:
        """Records after ``checkpoint`` (all of them without one), and checkpoints covering them."""
        try:
            yield from self._read(checkpoint)
        except OSError as exc:
            raise FatalError(f"cannot read {self.path}: {exc.strerror or exc}") from exc

    def _read(self, checkpoint: Checkpoint | None) -> Generator[SourceRecord | Checkpoint, None, None]:
        every = self.config.checkpoint_every
        with self.path.open("rb") as handle, self.path.open("rb") as probe:
            size = os.fstat(handle.fileno()).st_size
            fingerprints = Fingerprinter(probe, size)
            start = self.open(handle, size)
            if checkpoint is not None:
                start = fingerprints.verify(checkpoint.cursor, self.file_name)
            offset, line, count = start.offset, start.line, start.records
            for record, offset, line in self.located_records(handle, start):
                yield record
                count += 1
                if count % every == 0:
                    yield Checkpoint(self.stream, fingerprints.cursor(offset, line, count))
            yield Checkpoint(self.stream, fingerprints.cursor(offset, line, count))

    # Helpers for subclasses ------------------------------------------------------------------------
    def ref(self, line: int) -> str:
        """How a human finds a record: ``customers.csv line 17``."""
        return f"{self.file_name} line {line}"

    def malformed(self, line: int, issue: Issue, data: Mapping[str, Any] | None = None) -> SourceRecord:
        """A record that could not be read: it goes to the quarantine with ``issue``."""
        return SourceRecord(id=f"line:{line}", data=dict(data or {}), ref=self.ref(line), error=issue)


def parse_updated_at(value: object) -> dt.datetime:
    """An ISO 8601 timestamp as an aware datetime; a naive one is taken as UTC. ``ValueError`` otherwise."""
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
