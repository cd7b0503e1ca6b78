"""A file as an idempotent upsert target: rows keyed by hub id, appended, compacted on close.

The index maps each key to the byte offsets of its first and latest row and a hash of the latest
row's bytes; it is built by scanning the file on first use. A new key is appended (``created``);
a key whose merged row equals its latest row is ``unchanged``; otherwise the merged row is
appended and the older one is superseded (``updated``). Each ``write`` ends with flush + fsync,
so a checkpoint the engine takes afterwards never covers rows that are not on disk.

A request carrying ``expected`` (a conditional write) is written only if the key's latest row still
has that fingerprint (:func:`hub.records.fingerprint` of the row as ``lookup`` reads it); else it
fails with code ``conflict``. A file saved by someone else since it was indexed (its size or
modification time moved) is indexed again first. A file has no row locks: the check excludes edits
saved before the write begins, not an editor saving in the same instant.

``close()`` compacts the file when rows were superseded: a streaming copy keeping the latest row
of each key in first-appearance order, written to a temporary file, fsynced and moved over the
original with ``os.replace``. A crash before that leaves superseded rows behind; the next scan
keeps the last row of each key and the next close compacts. An unreadable last line without a
line end (a crash in the middle of a write the engine never saw acknowledged) is moved into
``.<name>.torn`` beside the file and cut off; nothing is deleted.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from hub.connectors.files.errors import FileFormatError
from hub.connectors.files.position import Resume
from hub.connectors.files.reading import FileReader
from hub.connectors.files.rowformat import RowFormat
from hub.errors import FatalError
from hub.records import CONFLICT, WriteOutcome, WriteRequest, WriteResult, fingerprint


def row_hash(line: bytes) -> int:
    """A 64-bit hash of a row's bytes, as stored in the index."""
    return int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "little", signed=True)


class KeyedFile:
    """One file written through a :class:`RowFormat`, upserting by key."""

    def __init__(self, path: Path, row_format: RowFormat, key_field: str) -> None:
        self.path = path
        self.format = row_format
        self.key_field = key_field
        self._slots: dict[str, int] | None = None
        self._first = array("q")
        self._last = array("q")
        self._hash = array("q")
        self._superseded = 0
        self._end = 0
        self._reader: FileReader | None = None
        self._head = Resume(0, 0, 0)
        self._writer: BinaryIO | None = None
        self._probe: BinaryIO | None = None
        self._torn_at: int | None = None
        self._foreign_layout = False
        self._known: tuple[int, int] | None = None
        """Size and modification time of the file as last indexed or written by this store."""

    # Opening ---------------------------------------------------------------------------------------
    def _ensure(self, first_rows: Sequence[Mapping[str, Any]] | None) -> bool:
        """Build the index, reading only; create the file when ``first_rows`` are about to be written.

        False when there is no file and nothing to write: a lookup (or a dry run) changes nothing.
        """
        if self._slots is not None:
            return True
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists:
            if first_rows is None:
                return False
            self.format.start_new(first_rows)
            self._create()
        else:
            self._scan()
        self._probe = self.path.open("rb")
        self._remember_file()
        return True

    def _remember_file(self) -> None:
        info = self.path.stat()
        self._known = (info.st_size, info.st_mtime_ns)

    def _reindex_if_changed(self) -> None:
        """Forget the index when the file changed behind this store (another writer saved it)."""
        if self._slots is None:
            return
        try:
            info = self.path.stat()
            now: tuple[int, int] | None = (info.st_size, info.st_mtime_ns)
        except FileNotFoundError:
            now = None
        if now != self._known:
            self._close_handles()
            self._slots = None

    def _make_writable(self) -> None:
        """Before the first append: set aside a torn tail, rewrite a foreign layout, open for writing."""
        if self._writer is not None:
            return
        if self._torn_at is not None:
            self._cut_torn_tail(self._torn_at)
            self._torn_at = None
        if self._foreign_layout:
            self._rewrite()
            self._foreign_layout = False
        self._open_handles()

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("wb") as handle:
            handle.write(self.format.preamble())
            handle.flush()
            os.fsync(handle.fileno())
        self._reset_index()
        self._open_reader()

    def _reset_index(self) -> None:
        self._slots = {}
        self._first, self._last, self._hash = array("q"), array("q"), array("q")
        self._superseded = 0

    def _open_reader(self) -> None:
        reader = self.format.reader()
        with self.path.open("rb") as handle:
            self._head = reader.open(handle, os.fstat(handle.fileno()).st_size)
        self._reader = reader

    def _scan(self) -> None:
        """Index the existing file; note whether it must be rewritten in our layout or has a torn tail."""
        self._reset_index()
        self._open_reader()
        assert self._reader is not None
        self._foreign_layout = self.format.adopt(self._reader)
        if not self._reader.has_id and self.path.stat().st_size > self._head.offset:
            raise FileFormatError(f"{self.path.name} has no {self.key_field!r} column to key rows on")
        size = self.path.stat().st_size
        start = self._head.offset
        with self.path.open("rb") as handle, self.path.open("rb") as raw:
            raw.seek(start)
            for record, end, _ in self._reader.located_records(handle, self._head):
                if record.error is not None:
                    if end >= size and not _ends_with_newline(self.path, size):
                        self._torn_at = start
                        break
                    raise FileFormatError(
                        f"{record.ref}: {record.error.message} [{record.error.code}]; the target file has rows "
                        "that cannot be read back, so writing to it could lose them: fix or move it"
                    )
                # The hash of the row's bytes as they are: for rows this store wrote they equal the
                # encoded row, so an identical rewrite is found unchanged without reading the row back;
                # for anything else the hashes differ and the row is compared field by field.
                self._index(record.id, start, row_hash(raw.read(end - start)))
                start = end

    def _cut_torn_tail(self, offset: int) -> None:
        """Move the bytes from ``offset`` on into ``.<name>.torn`` beside the file, and cut them off."""
        with self.path.open("r+b") as handle:
            handle.seek(offset)
            tail = handle.read()
            with self.path.with_name(f".{self.path.name}.torn").open("ab") as keep:
                keep.write(tail + b"\n")
                keep.flush()
                os.fsync(keep.fileno())
            handle.truncate(offset)
            os.fsync(handle.fileno())

    def _index(self, key: str, offset: int, digest: int) -> None:
        assert self._slots is not None
        slot = self._slots.get(key)
        if slot is None:
            self._slots[key] = len(self._first)
            self._first.append(offset)
            self._last.append(offset)
            self._hash.append(digest)
        else:
            self._last[slot] = offset
            self._hash[slot] = digest
            self._superseded += 1

    def _open_handles(self) -> None:
        self._close_handles()
        self._writer = self.path.open("r+b")
        self._end = self._writer.seek(0, os.SEEK_END)
        self._probe = self.path.open("rb")
        if self._end and not _ends_with_newline(self.path, self._end):
            # A file saved without a final line end: the first appended row must not join its last line.
            self._append(b"\n")

    def _close_handles(self) -> None:
        for handle in (self._writer, self._probe):
            if handle is not None:
                handle.close()
        self._writer = self._probe = None

    # Reading rows back -----------------------------------------------------------------------------
    def _row_at(self, offset: int, handle: BinaryIO | None = None) -> dict[str, Any]:
        assert self._reader is not None
        handle = handle or self._probe
        assert handle is not None
        record, _, _ = next(iter(self._reader.located_records(handle, Resume(offset, 0, 0))))
        return record.data

    def lookup(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The latest row of each key that has one."""
        if not self._ensure(None):
            return {}
        assert self._slots is not None
        found = [(self._last[slot], key) for key in keys if (slot := self._slots.get(key)) is not None]
        return {key: self._row_at(offset) for offset, key in sorted(found)}

    # Writing ---------------------------------------------------------------------------------------
    def write(self, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        """Upsert every request; exactly one result each, in request order."""
        results: dict[int, WriteResult] = {}
        prepared: list[tuple[int, WriteRequest, dict[str, Any]]] = []
        for position, request in enumerate(batch):
            if not request.key:
                results[position] = _failed(request.key, "missing_key", "the request has no key")
                continue
            unusable = next((name for name in request.fields if not _usable_name(name)), None)
            if unusable is not None:
                message = f"field name {unusable!r} cannot be a column (empty, NUL, or surrounding spaces)"
                results[position] = _failed(request.key, "invalid_field", message)
                continue
            fields = self.format.normalise({k: v for k, v in request.fields.items() if k != self.key_field})
            prepared.append((position, request, fields))
        if any(request.expected is not None for _, request, _ in prepared):
            prepared = self._hold_changed(prepared, results)
            if not prepared:
                return [results[position] for position in range(len(batch))]
        new_rows = [{self.key_field: request.key, **fields} for _, request, fields in prepared]
        self._ensure(new_rows)
        self._make_writable()
        if self.format.widen(name for row in new_rows for name in row):
            self._rewrite()
        appended = bytearray()
        pending: dict[str, dict[str, Any]] = {}
        placed: list[tuple[str, int, int]] = []
        for position, request, fields in prepared:
            results[position] = self._upsert(request.key, fields, appended, pending, placed)
        self._append(bytes(appended))
        for key, offset, digest in placed:
            self._index(key, offset, digest)
        return [results[position] for position in range(len(batch))]

    def _hold_changed(self, prepared: list[tuple[int, WriteRequest, dict[str, Any]]],
                      results: dict[int, WriteResult]) -> list[tuple[int, WriteRequest, dict[str, Any]]]:
        """The requests whose expectation holds; a ``conflict`` result in ``results`` for each of the others."""
        self._reindex_if_changed()
        exists = self._ensure(None)
        keys = [request.key for _, request, _ in prepared if request.expected is not None]
        current = self.lookup(keys) if exists else {}
        kept = []
        for position, request, fields in prepared:
            if request.expected is None or (request.key in current and
                                            fingerprint(current[request.key]) == request.expected):
                kept.append((position, request, fields))
            else:
                results[position] = _failed(request.key, CONFLICT, "the row changed since it was read; not written")
        return kept

    def _upsert(
        self,
        key: str,
        fields: dict[str, Any],
        appended: bytearray,
        pending: dict[str, dict[str, Any]],
        placed: list[tuple[str, int, int]],
    ) -> WriteResult:
        assert self._slots is not None
        slot = self._slots.get(key)
        current = pending.get(key)
        given = {self.key_field: key, **{k: v for k, v in fields.items() if v is not None}}
        if current is None and slot is not None:
            if row_hash(self.format.encode(given)) == self._hash[slot]:
                return WriteResult(key, WriteOutcome.UNCHANGED, target_id=key)
            current = self._row_at(self._last[slot])
        if current is None:
            row, outcome = given, WriteOutcome.CREATED
        else:
            row = dict(current)
            for name, value in fields.items():
                if value is None:
                    row.pop(name, None)
                else:
                    row[name] = value
            if row == current:
                return WriteResult(key, WriteOutcome.UNCHANGED, target_id=key)
            outcome = WriteOutcome.UPDATED
        problem = self.format.problem(row)
        if problem is not None:
            code, field, message = problem
            return _failed(key, code, f"field {field}: {message}")
        line = self.format.encode(row)
        placed.append((key, self._end + len(appended), row_hash(line)))
        appended += line
        pending[key] = row
        return WriteResult(key, outcome, target_id=key)

    def _append(self, data: bytes) -> None:
        if not data:
            return
        assert self._writer is not None
        try:
            self._writer.seek(self._end)
            self._writer.write(data)
            self._writer.flush()
            os.fsync(self._writer.fileno())
        except OSError as exc:
            # Cut what may have reached the disk: the index does not know those rows.
            self._writer.truncate(self._end)
            raise FatalError(f"cannot write to {self.path}: {exc.strerror or exc}") from exc
        self._end += len(data)
        self._remember_file()

    # Compaction ------------------------------------------------------------------------------------
    def _rewrite(self) -> None:
        """Copy the file in our layout, latest row per key in first-appearance order, and swap it in."""
        try:
            self._copy_and_swap()
        except OSError as exc:
            raise FatalError(f"cannot rewrite {self.path}: {exc.strerror or exc}; the file is left as it was") from exc

    def _copy_and_swap(self) -> None:
        assert self._slots is not None
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        first, last, digests = array("q", self._first), array("q", self._last), array("q", self._hash)
        try:
            with temporary.open("wb") as out, self.path.open("rb") as source, self.path.open("rb") as probe:
                position = out.write(self.format.preamble())
                for key, start, data in self._rows_in_order(source):
                    slot = self._slots[key]
                    if self._first[slot] != start:
                        continue  # an older row of a key already copied
                    latest = self._last[slot]
                    line = self.format.encode(data if latest == start else self._row_at(latest, probe))
                    out.write(line)
                    first[slot] = last[slot] = position
                    digests[slot] = row_hash(line)
                    position += len(line)
                out.flush()
                os.fsync(out.fileno())
            self._close_handles()
            os.replace(temporary, self.path)
        finally:
            temporary.unlink(missing_ok=True)
        _fsync_directory(self.path.parent)
        self._first, self._last, self._hash, self._superseded = first, last, digests, 0
        self._open_reader()
        self._open_handles()
        self._remember_file()

    def _rows_in_order(self, handle: BinaryIO) -> Iterator[tuple[str, int, dict[str, Any]]]:
        assert self._reader is not None
        start = self._head.offset
        for record, end, _ in self._reader.located_records(handle, self._head):
            yield record.id, start, record.data
            start = end

    def close(self) -> None:
        """Compact if rows were superseded and this session wrote (a dry run changes nothing), then release."""
        try:
            if self._slots is not None and self._superseded and self._writer is not None:
                self._rewrite()
        finally:
            self._close_handles()
            self._slots = None


def _usable_name(name: str) -> bool:
    """Whether a field name reads back as itself: headers are trimmed on read and NUL is refused."""
    return bool(name) and name == name.strip() and "\0" not in name


def _failed(key: str, code: str, message: str) -> WriteResult:
    return WriteResult(key, WriteOutcome.FAILED, code=code, message=message)


def _ends_with_newline(path: Path, size: int) -> bool:
    with path.open("rb") as handle:
        handle.seek(max(0, size - 1))
        return handle.read(1) == b"\n"


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
