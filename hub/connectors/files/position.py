"""Checkpoint cursors of a file stream, and the fingerprint that tells a resumed file is the same file.

A cursor is ``{"offset", "line", "records", "size", "head", "tail"}``: the byte offset after the
last row covered, its physical line, how many records were yielded from the start of the file,
the file size then, and hashes of the file's first 64 KiB (or less, up to ``offset``) and of the
4 KiB just before ``offset``. A file that only grew since resumes; one that shrank or whose
already-read bytes changed is refused with :class:`FileChangedError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, BinaryIO

from hub.connectors.files.errors import FileChangedError

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 4 * 1024


@dataclass(frozen=True, slots=True)
class Resume:
    """Where reading resumes: byte offset, physical lines before it, records already yielded."""

    offset: int
    line: int
    records: int


def _digest(handle: BinaryIO, start: int, end: int) -> str:
    handle.seek(start)
    return hashlib.sha256(handle.read(max(0, end - start))).hexdigest()[:32]


class Fingerprinter:
    """Makes cursors for one file through its own handle (the reading handle must not seek)."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self._handle = handle
        self._size = size
        self._full_head: str | None = None

    def head(self, offset: int) -> str:
        """Hash of the bytes before ``min(offset, HEAD_BYTES)``."""
        if offset >= HEAD_BYTES:
            if self._full_head is None:
                self._full_head = _digest(self._handle, 0, HEAD_BYTES)
            return self._full_head
        return _digest(self._handle, 0, offset)

    def cursor(self, offset: int, line: int, records: int) -> dict[str, Any]:
        """The cursor of a checkpoint after the row ending at ``offset``."""
        return {
            "offset": offset,
            "line": line,
            "records": records,
            "size": self._size,
            "head": self.head(offset),
            "tail": _digest(self._handle, max(0, offset - TAIL_BYTES), offset),
        }

    def verify(self, cursor: dict[str, Any], file_name: str) -> Resume:
        """Where to resume from ``cursor``, after checking the file is the one it was taken on."""
        try:
            offset, line, records = int(cursor["offset"]), int(cursor["line"]), int(cursor["records"])
            size, head, tail = int(cursor["size"]), str(cursor["head"]), str(cursor["tail"])
        except (KeyError, TypeError, ValueError):
            raise FileChangedError(
                f"{file_name}: the checkpoint is not a file checkpoint of this connector; "
                "read the stream from the start"
            ) from None
        restart = "; read the stream again without its checkpoint"
        if self._size < size or self._size < offset:
            raise FileChangedError(
                f"{file_name} shrank since the checkpoint ({size} bytes then, {self._size} now){restart}"
            )
        if self.head(offset) != head or _digest(self._handle, max(0, offset - TAIL_BYTES), offset) != tail:
            raise FileChangedError(f"{file_name} changed since the checkpoint (its already-read part differs){restart}")
        return Resume(offset, line, records)
