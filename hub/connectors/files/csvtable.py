"""A CSV file as a table of rows that know their line and byte offsets.

:func:`open_table` detects the encoding and delimiter and reads the header; :meth:`CsvTable.rows`
parses rows from any byte offset. A row the parser cannot frame (stray or unterminated quote,
runaway cell) comes out as a row with an :class:`~hub.records.Issue` and no cells, and parsing
goes on at the physical line after the one where that row started.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from hub.connectors.files.dialect import sniff_delimiter
from hub.connectors.files.encoding import DetectedEncoding, detect_encoding, read_samples
from hub.connectors.files.errors import FileFormatError
from hub.connectors.files.formula import restore
from hub.connectors.files.lines import LineFeed, RecordTooLarge, end_of_line
from hub.records import Issue

QUOTE = '"'
_FEED_ISSUES = {
    "nul_byte": "NUL byte in the row (binary data or a corrupt export)",
    "encoding_error": "bytes that are not valid {encoding}",
}


@dataclass(slots=True)
class Row:
    """One parsed row: where it starts and ends, its cells, or why it could not be read."""

    line: int
    """Physical line where the row starts (1-based)."""
    end_line: int
    """Physical line where the row ends."""
    start: int
    end: int
    """Byte offset just after the row."""
    cells: list[str] | None
    issue: Issue | None = None


@dataclass(frozen=True, slots=True)
class CsvTable:
    """The shape of a CSV file: encoding, delimiter, header, and where the data rows begin."""

    file_name: str
    encoding: DetectedEncoding
    delimiter: str
    header: tuple[str, ...]
    data_start: int
    header_lines: int

    def rows(self, handle: BinaryIO, offset: int, line: int, max_field_bytes: int) -> Iterator[Row]:
        """Rows starting at byte ``offset``, the first on physical line ``line + 1``.

        Rows whose cells are all empty are skipped: they hold nothing to lose.
        """
        allow_field_size(max_field_bytes)
        record_limit = max_field_bytes * max(2, len(self.header))
        while True:
            feed = LineFeed(handle, offset, line, self.encoding.name, record_limit)
            reader = csv.reader(feed, delimiter=self.delimiter, quotechar=QUOTE, strict=True)
            record_line = line + 1
            try:
                for cells in reader:
                    if feed.flagged:
                        yield Row(record_line, feed.line, feed.record_start, feed.offset, None, self._feed_issue(feed))
                        feed.flagged = []
                    elif any(cells):
                        if feed.apostrophe:
                            cells = [restore(cell) if cell[:1] == "'" else cell for cell in cells]
                            feed.apostrophe = False
                        yield Row(record_line, feed.line, feed.record_start, feed.offset, cells)
                    # LineFeed.start_record, inlined: this loop runs once per row of the file.
                    feed.record_start = feed.offset
                    record_line = feed.line + 1
            except (csv.Error, RecordTooLarge) as exc:
                code, message = _framing_issue(exc, max_field_bytes)
                offset, line = end_of_line(handle, feed.record_start), record_line
                yield Row(record_line, record_line, feed.record_start, offset, None, Issue(None, code, message))
                continue
            return

    def _feed_issue(self, feed: LineFeed) -> Issue:
        line, code = feed.flagged[0]
        message = _FEED_ISSUES[code].format(encoding=self.encoding.name)
        return Issue(None, code, f"{message} on line {line}")


def _framing_issue(exc: Exception, max_field_bytes: int) -> tuple[str, str]:
    if isinstance(exc, RecordTooLarge):
        return "field_too_large", f"row runs past {max_field_bytes} bytes per cell: an unterminated quote?"
    text = str(exc)
    if "field larger than field limit" in text:
        return "field_too_large", (
            f"a cell runs past max_field_bytes ({max_field_bytes} bytes): an unterminated quote or an oversized cell"
        )
    if "unexpected end of data" in text:
        return "row_malformed", "unterminated quoted cell: the quote opened here never closes"
    if "expected after" in text:
        return "row_malformed", "stray quote: text follows a closing quote (quotes inside a cell must be doubled)"
    if "new-line character" in text:
        return "row_malformed", "carriage return inside an unquoted cell"
    return "row_malformed", f"unreadable row: {text}"


def allow_field_size(max_field_bytes: int) -> None:
    """Let the csv module (whose limit is process-wide) parse cells up to ``max_field_bytes`` characters.

    The limit is only ever raised, so other readers in the process keep working.
    """
    if csv.field_size_limit() < max_field_bytes:
        csv.field_size_limit(max_field_bytes)


def _clean_header(cells: list[str], file_name: str) -> tuple[str, ...]:
    header = [restore(cell.strip()) or f"column_{index}" for index, cell in enumerate(cells, start=1)]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    if repeated:
        raise FileFormatError(f"{file_name}: header repeats column(s) {', '.join(map(repr, repeated))}")
    return tuple(header)


def open_table(
    handle: BinaryIO, size: int, file_name: str, *, encoding: str = "auto", delimiter: str = "auto"
) -> CsvTable:
    """Detect the encoding and delimiter of an open binary file and read its header."""
    detected = detect_encoding(handle, size, file_name, encoding)
    head = read_samples(handle, size)[0][detected.bom_bytes :]
    if b"\r" in head and b"\n" not in head:
        raise FileFormatError(f"{file_name} ends lines with CR only (classic Mac); save it with CRLF or LF line ends")
    if delimiter == "auto":
        text = head.decode(detected.name, "replace")
        delimiter = sniff_delimiter(text.splitlines(keepends=True))
    feed = LineFeed(handle, detected.bom_bytes, 0, detected.name, 1 << 30)
    reader = csv.reader(feed, delimiter=delimiter, quotechar=QUOTE, strict=True)
    try:
        cells = next((row for row in reader if row), [])
    except csv.Error as exc:
        raise FileFormatError(f"{file_name}: the header line cannot be parsed ({exc})") from None
    if feed.flagged:
        raise FileFormatError(
            f"{file_name}: the header has {_FEED_ISSUES[feed.flagged[0][1]]}".format(encoding=detected.name)
        )
    return CsvTable(file_name, detected, delimiter, _clean_header(cells, file_name), feed.offset, feed.line)
