"""The JSONL reader: one JSON object per line, nested objects flattened to dotted names.

``null`` and ``""`` values are absent from ``data``; other JSON types (numbers, booleans, lists)
are kept. The record id is the ``id_column`` value when the file's first object has one;
otherwise every record's id is ``line:N``. A line that is not a JSON object, holds a key twice,
or has NUL or undecodable bytes becomes a record with an ``error``; reading goes on.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import Any, BinaryIO

from hub.connectors.files.encoding import DetectedEncoding, detect_encoding
from hub.connectors.files.lines import LineFeed
from hub.connectors.files.position import Resume
from hub.connectors.files.reading import FileReader, Located, parse_updated_at
from hub.records import Issue, SourceRecord

PEEK_LINES = 100
_NO_LIMIT = 1 << 62
_FEED_ISSUES = {"nul_byte": "NUL byte in the line", "encoding_error": "bytes that are not valid {encoding}"}


class _RepeatedKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        repeated = [key for key, count in Counter(key for key, _ in pairs).items() if count > 1]
        raise _RepeatedKey(f"key {repeated[0]!r} appears twice in one object")
    return obj


def parse_object(text: str) -> dict[str, Any] | Issue:
    """The flat record of one JSONL line, or the :class:`Issue` that makes it unreadable."""
    try:
        obj = json.loads(text, object_pairs_hook=_unique_keys)
    except _RepeatedKey as exc:
        return Issue(None, "row_malformed", str(exc))
    except ValueError as exc:
        detail = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return Issue(None, "row_malformed", f"invalid JSON: {detail}")
    if not isinstance(obj, dict):
        return Issue(None, "row_malformed", f"a line must hold a JSON object, not {type(obj).__name__}")
    return flat_values(obj)


def flat_values(obj: dict[str, Any], prefix: str = "", into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Like :func:`hub.model.flatten` for parsed JSON (plain dicts), dropping ``null`` and ``""`` values."""
    flat: dict[str, Any] = {} if into is None else into
    for key, value in obj.items():
        if type(value) is dict:
            flat_values(value, f"{prefix}{key}.", flat)
        elif value is not None and value != "":
            flat[prefix + key] = value
    return flat


class JsonlReader(FileReader):
    """Reads a JSON Lines file as a stream of :class:`SourceRecord`."""

    encoding: DetectedEncoding

    def open(self, handle: BinaryIO, size: int) -> Resume:
        self.encoding = detect_encoding(handle, size, self.file_name, self.config.encoding)
        self.has_id = self._first_object_has_id(handle)
        return Resume(self.encoding.bom_bytes, 0, 0)

    def _first_object_has_id(self, handle: BinaryIO) -> bool:
        feed = LineFeed(handle, self.encoding.bom_bytes, 0, self.encoding.name, _NO_LIMIT)
        for text in islice(feed, PEEK_LINES):
            if text.strip():
                parsed = parse_object(text)
                if isinstance(parsed, dict):
                    return self.config.id_column in parsed
        return True

    def located_records(self, handle: BinaryIO, start: Resume) -> Iterator[Located]:
        feed = LineFeed(handle, start.offset, start.line, self.encoding.name, _NO_LIMIT)
        for text in feed:
            if feed.flagged:
                line, code = feed.flagged[0]
                issue = Issue(None, code, _FEED_ISSUES[code].format(encoding=self.encoding.name))
                feed.flagged = []
                yield self.malformed(line, issue), feed.offset, feed.line
            elif text.strip():
                yield self.record(feed.line, text), feed.offset, feed.line

    def record(self, line: int, text: str) -> SourceRecord:
        """The source record of one line."""
        data = parse_object(text)
        if isinstance(data, Issue):
            return self.malformed(line, data)
        if len(text) * 4 > self.config.max_field_bytes:  # else no value can be over the limit
            issue = self._oversized(data)
            if issue is not None:
                return self.malformed(line, issue)
        config = self.config
        if self.has_id:
            value = data.get(config.id_column)
            if value is None or isinstance(value, dict | list):
                return self.malformed(line, Issue(config.id_column, "missing_id", "the record has no id"), data)
            record_id = str(value)
        else:
            record_id = f"line:{line}"
        record = SourceRecord(id=record_id, data=data, ref=self.ref(line))
        if config.updated_at_column and config.updated_at_column in data:
            try:
                record.updated_at = parse_updated_at(data[config.updated_at_column])
            except ValueError:
                issue = Issue(config.updated_at_column, "invalid_timestamp", "not an ISO 8601 date-time")
                return self.malformed(line, issue, data)
        return record

    def _oversized(self, data: dict[str, Any]) -> Issue | None:
        limit = self.config.max_field_bytes
        for name, value in data.items():
            if isinstance(value, str) and len(value) * 4 > limit and len(value.encode()) > limit:
                return Issue(name, "field_too_large", f"value holds {len(value.encode())} bytes, over {limit}")
        return None
