"""Physical lines of a file read in binary, decoded one by one, so every row knows its byte offsets.

Reading bytes and decoding per line (rather than through a text wrapper) is what makes a byte
offset after any row exact, so a checkpoint can seek straight back to it. Only ``\\n`` ends a
line; ``\\r\\n`` keeps its ``\\r`` for the CSV parser to drop.
"""

from __future__ import annotations

import codecs
import sys
from codecs import charmap_decode
from collections.abc import Iterator
from typing import BinaryIO


def charmap_table(encoding: str) -> str | None:
    """The decoding table of a single-byte codec (cp1254, ISO-8859-9), else ``None``.

    Calling ``charmap_decode`` with it directly skips the codec's Python wrapper, which costs more
    than the decoding itself on short lines.
    """
    module = sys.modules.get(getattr(codecs.lookup(encoding).decode, "__module__", "") or "")
    table = getattr(module, "decoding_table", None)
    return table if isinstance(table, str) and len(table) == 256 else None


class RecordTooLarge(Exception):
    """A record grew past the size limit before it ended: a runaway quote or an oversized cell."""


class LineFeed:
    """Decoded lines of ``handle`` from ``offset``, noting where each ends and what was wrong with it.

    The consumer reads :attr:`offset` and :attr:`line` after each row (they then describe the
    row's last line) and calls :meth:`start_record` before the next one.
    """

    __slots__ = ("apostrophe", "encoding", "flagged", "handle", "line", "offset", "record_limit", "record_start")

    def __init__(self, handle: BinaryIO, offset: int, line: int, encoding: str, record_limit: int) -> None:
        self.handle = handle
        self.encoding = encoding
        self.record_limit = record_limit
        self.offset = offset
        """Byte offset just after the last line handed out."""
        self.line = line
        """1-based number of the last line handed out (0 before the first)."""
        self.record_start = offset
        self.flagged: list[tuple[int, str]] = []
        """``(line, code)`` for NUL bytes and undecodable bytes seen since the record started."""
        self.apostrophe = False
        """Whether the record's lines hold a ``'`` (only then can a cell be formula-escaped)."""
        handle.seek(offset)

    def start_record(self) -> None:
        """The next line handed out starts a new record."""
        self.record_start = self.offset
        self.flagged = []
        self.apostrophe = False

    def __iter__(self) -> Iterator[str]:
        encoding = self.encoding
        limit = self.record_limit
        table = charmap_table(encoding)
        for raw in self.handle:
            self.offset += len(raw)
            self.line += 1
            # Only a record spanning lines can run away (an open quote); one long line is left to
            # the parser, so the cell that is too large can be named.
            if self.offset - self.record_start > limit and self.offset - len(raw) > self.record_start:
                raise RecordTooLarge(self.line)
            if b"\0" in raw:
                self.flagged.append((self.line, "nul_byte"))
                raw = raw.replace(b"\0", b"")
            if b"'" in raw:
                self.apostrophe = True
            try:
                text = raw.decode(encoding) if table is None else charmap_decode(raw, "strict", table)[0]
            except UnicodeDecodeError:
                self.flagged.append((self.line, "encoding_error"))
                text = raw.decode(encoding, "replace")
            yield text


def end_of_line(handle: BinaryIO, offset: int) -> int:
    """The byte offset just after the line that starts at ``offset``."""
    handle.seek(offset)
    return offset + len(handle.readline())
