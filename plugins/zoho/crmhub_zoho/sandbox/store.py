"""The sandbox's records: SQLite (a file under ``data_dir``, else in memory), one lock, one connection.

Records keep only their user fields as JSON; ids, times and the deleted-records log are columns so
that reads can be sorted and paged by ``(Modified_Time, id)`` with an index. Values of unique and
duplicate-check fields are indexed in ``keys`` (case-insensitively, as Zoho compares them).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (module TEXT, id INTEGER, created INTEGER, modified INTEGER, data TEXT,
                                    PRIMARY KEY (module, id));
CREATE INDEX IF NOT EXISTS records_modified ON records (module, modified, id);
CREATE INDEX IF NOT EXISTS records_created ON records (module, created, id);
CREATE TABLE IF NOT EXISTS keys (module TEXT, field TEXT, value TEXT, id INTEGER, PRIMARY KEY (module, field, value));
CREATE INDEX IF NOT EXISTS keys_record ON keys (module, id);
CREATE TABLE IF NOT EXISTS deleted (module TEXT, id INTEGER, display_name TEXT, deleted INTEGER, type TEXT,
                                    PRIMARY KEY (module, id));
CREATE INDEX IF NOT EXISTS deleted_time ON deleted (module, deleted);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
FIRST_ID = 7000000300001
SORT_COLUMNS = {"Modified_Time": "modified", "Created_Time": "created", "id": "id"}


@dataclass(slots=True)
class StoredRecord:
    """One record as the store holds it."""

    id: int
    created: int
    modified: int
    data: dict[str, Any]


class RecordStore:
    """Records per module with the indexes the handlers need. Every method is thread-safe."""

    def __init__(self, path: Path | None, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and commit everything done inside at once (one upsert call is one transaction)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def now(self) -> int:
        return int(self.clock())

    # Meta -------------------------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _next_id(self) -> int:
        current = int(self.meta("next_id") or FIRST_ID)
        self.set_meta("next_id", str(current + 1))
        return current

    # Records ----------------------------------------------------------------------------------------
    def get(self, module: str, record_id: int) -> StoredRecord | None:
        with self._lock:
            row = self._db.execute("SELECT id, created, modified, data FROM records WHERE module = ? AND id = ?",
                                   (module, record_id)).fetchone()
        return StoredRecord(row[0], row[1], row[2], json.loads(row[3])) if row else None

    def find_by_key(self, module: str, field: str, value: Any) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM keys WHERE module = ? AND field = ? AND value = ?",
                                   (module, field, _key(value))).fetchone()
        return int(row[0]) if row else None

    def insert(self, module: str, data: dict[str, Any], keyed: tuple[str, ...], *, modified: int | None = None,
               record_id: int | None = None) -> StoredRecord:
        now = self.now()
        with self._lock:
            rid = record_id or self._next_id()
            stamp = now if modified is None else modified
            self._db.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                             (module, rid, stamp, stamp, json.dumps(data, ensure_ascii=False)))
            self._index(module, rid, {}, data, keyed)
        return StoredRecord(rid, stamp, stamp, data)

    def update(self, module: str, record: StoredRecord, changes: dict[str, Any], keyed: tuple[str, ...],
               *, modified: int | None = None) -> StoredRecord:
        merged = {**record.data, **changes}
        stamp = self.now() if modified is None else modified
        with self._lock:
            self._db.execute("UPDATE records SET modified = ?, data = ? WHERE module = ? AND id = ?",
                             (stamp, json.dumps(merged, ensure_ascii=False), module, record.id))
            self._index(module, record.id, record.data, merged, keyed)
        return StoredRecord(record.id, record.created, stamp, merged)

    def delete(self, module: str, record: StoredRecord, display_name: str, kind: str = "recycle") -> int:
        stamp = self.now()
        with self._lock:
            self._db.execute("DELETE FROM records WHERE module = ? AND id = ?", (module, record.id))
            self._db.execute("DELETE FROM keys WHERE module = ? AND id = ?", (module, record.id))
            self._db.execute("INSERT OR REPLACE INTO deleted VALUES (?, ?, ?, ?, ?)",
                             (module, record.id, display_name, stamp, kind))
        return stamp

    def _index(self, module: str, rid: int, old: dict[str, Any], new: dict[str, Any], keyed: tuple[str, ...]) -> None:
        for name in keyed:
            if old.get(name) == new.get(name) and old:
                continue
            if old:
                self._db.execute("DELETE FROM keys WHERE module = ? AND field = ? AND id = ?", (module, name, rid))
            if new.get(name) not in (None, ""):
                self._db.execute("INSERT OR REPLACE INTO keys VALUES (?, ?, ?, ?)",
                                 (module, name, _key(new[name]), rid))

    def page(self, module: str, *, sort_by: str, descending: bool, since: int | None,
             after: tuple[int, int] | None, offset: int, limit: int,
             ids: list[int] | None = None) -> list[StoredRecord]:
        """Records in ``(sort column, id)`` order modified after ``since``, past ``after`` or from ``offset``."""
        column = SORT_COLUMNS[sort_by]
        where, args = ["module = ?"], list[Any]([module])
        if since is not None:
            where.append("modified > ?")
            args.append(since)
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        if after is not None:
            where.append(f"({column}, id) {'<' if descending else '>'} (?, ?)")
            args.extend(after)
        order = "DESC" if descending else "ASC"
        sql = (f"SELECT id, created, modified, data FROM records WHERE {' AND '.join(where)} "
               f"ORDER BY {column} {order}, id {order} LIMIT ? OFFSET ?")
        with self._lock:
            rows = self._db.execute(sql, (*args, limit, offset)).fetchall()
        return [StoredRecord(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def all(self, module: str) -> Iterator[StoredRecord]:
        """Every record of ``module`` (for search and tests); a snapshot taken under the lock."""
        with self._lock:
            rows = self._db.execute("SELECT id, created, modified, data FROM records WHERE module = ? ORDER BY id",
                                    (module,)).fetchall()
        for r in rows:
            yield StoredRecord(r[0], r[1], r[2], json.loads(r[3]))

    def count(self, module: str) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM records WHERE module = ?", (module,)).fetchone()[0])

    def deleted_page(self, module: str, kinds: tuple[str, ...], since: int | None, offset: int,
                     limit: int) -> list[tuple[int, str, int, str]]:
        """Deleted records, newest first: ``(id, display_name, deleted_time, type)``."""
        where, args = [f"module = ? AND type IN ({','.join('?' * len(kinds))})"], list[Any]([module, *kinds])
        if since is not None:
            where.append("deleted > ?")
            args.append(since)
        sql = (f"SELECT id, display_name, deleted, type FROM deleted WHERE {' AND '.join(where)} "
               "ORDER BY deleted DESC, id DESC LIMIT ? OFFSET ?")
        with self._lock:
            return [(r[0], r[1], r[2], r[3]) for r in self._db.execute(sql, (*args, limit, offset)).fetchall()]


def _key(value: Any) -> str:
    return str(value).strip().casefold()
