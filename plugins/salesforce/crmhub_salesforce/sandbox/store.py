"""The sandbox org's records, in SQLite: in memory, or in ``data_dir`` so they survive a restart.

One table per sObject with a column per field, a delete log (what ``getDeleted`` reads), the daily
API usage and Bulk API 2.0 jobs. Every request runs in one transaction under one lock, and every
record saved by that transaction gets the same ``SystemModstamp``, as Salesforce stamps a
transaction: this is what makes ties on the cursor field real.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from crmhub_salesforce.sandbox.catalog import OBJECTS, FieldDef, ObjectDef
from crmhub_salesforce.sandbox.ids import IdSequence
from crmhub_salesforce.sandbox.soql import CompiledQuery
from crmhub_salesforce.sandbox.values import format_datetime

USER_ID = "0055g00000SbXAPAA3"
_SQL_TYPES = {"boolean": "INTEGER", "int": "INTEGER", "double": "REAL", "currency": "REAL", "percent": "REAL"}


def _table(obj: ObjectDef) -> str:
    return f'"sobj_{obj.name}"'


class Store:
    """Records of the sandbox org. Use :meth:`transaction` around every read-modify-write."""

    def __init__(self, path: Path | None = None) -> None:
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self._stamp: str | None = None
        self._last_stamp = ""
        self._sequence = 0
        self._insert_sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self.ids = IdSequence()
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._create_schema()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Schema -----------------------------------------------------------------------------------------
    def _create_schema(self) -> None:
        highest = 0
        for obj in OBJECTS.values():
            columns = ", ".join(f'"{f.name}" {_SQL_TYPES.get(f.type, "TEXT")}' for f in obj.fields)
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {_table(obj)} ({columns}, PRIMARY KEY (\"Id\"))")
            present = {row[1] for row in self._db.execute(f"PRAGMA table_info({_table(obj)})")}
            for fdef in obj.fields:  # an org kept in data_dir by an older sandbox gains the newer fields
                if fdef.name not in present:
                    self._db.execute(f'ALTER TABLE {_table(obj)} ADD COLUMN "{fdef.name}" '
                                     f'{_SQL_TYPES.get(fdef.type, "TEXT")}')
            self._db.execute(f'CREATE INDEX IF NOT EXISTS "ix_{obj.name}_stamp" ON {_table(obj)} '
                             '("SystemModstamp", "Id")')
            for fdef in obj.fields:
                if fdef.external_id:
                    collate = "" if fdef.case_sensitive else " COLLATE NOCASE"
                    self._db.execute(f'CREATE INDEX IF NOT EXISTS "ix_{obj.name}_{fdef.name}" ON {_table(obj)} '
                                     f'("{fdef.name}"{collate})')
            row = self._db.execute(f'SELECT MAX("Id") FROM {_table(obj)}').fetchone()
            if row[0]:
                highest = max(highest, IdSequence.sequence_of(row[0]))
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS _deleted (object TEXT, id TEXT, deleted_date TEXT);
            CREATE INDEX IF NOT EXISTS ix_deleted ON _deleted (object, deleted_date);
            CREATE TABLE IF NOT EXISTS _usage (day TEXT PRIMARY KEY, calls INTEGER);
            CREATE TABLE IF NOT EXISTS _jobs (id TEXT PRIMARY KEY, info TEXT, upload BLOB, results TEXT);
            CREATE TABLE IF NOT EXISTS _sequence (name TEXT PRIMARY KEY, value INTEGER);
            """
        )
        row = self._db.execute("SELECT value FROM _sequence WHERE name = 'ids'").fetchone()
        self.ids.resume_after(max(highest, row[0] if row else 0))

    # Transactions -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """Run the block atomically; records saved in it share one ``SystemModstamp``."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN")
                self._stamp = None
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                if self._sequence:
                    self._db.execute("INSERT INTO _sequence (name, value) VALUES ('ids', ?) "
                                     "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (self._sequence,))
                    self._sequence = 0
                self._db.execute("COMMIT")

    def stamp(self) -> str:
        """This transaction's timestamp: milliseconds, never earlier than a previous one."""
        if self._stamp is None:
            now = format_datetime(dt.datetime.now(dt.UTC))
            self._stamp = max(now, self._last_stamp)
            self._last_stamp = self._stamp
        return self._stamp

    # Records ----------------------------------------------------------------------------------------
    def new_id(self, obj: ObjectDef | str) -> str:
        """A fresh id for a record of ``obj`` (or for a key prefix such as ``750`` for jobs)."""
        record_id = self.ids.next(obj if isinstance(obj, str) else obj.key_prefix)
        self._sequence = IdSequence.sequence_of(record_id)
        return record_id

    def get(self, obj: ObjectDef, record_id: str, *, include_deleted: bool = False) -> dict[str, Any] | None:
        sql = f'SELECT * FROM {_table(obj)} WHERE "Id" = ?' + ("" if include_deleted else ' AND "IsDeleted" = 0')
        row = self._db.execute(sql, (record_id,)).fetchone()
        return dict(row) if row else None

    def ids_by_external(self, obj: ObjectDef, fdef: FieldDef, value: str) -> list[str]:
        """Ids of live records whose external-id field equals ``value``."""
        collate = "" if fdef.case_sensitive else " COLLATE NOCASE"
        rows = self._db.execute(
            f'SELECT "Id" FROM {_table(obj)} WHERE "{fdef.name}" = ?{collate} AND "IsDeleted" = 0 ORDER BY "Id"',
            (value,)).fetchall()
        return [r[0] for r in rows]

    def insert(self, obj: ObjectDef, values: dict[str, Any]) -> str:
        record_id = self.new_id(obj)
        stamp = self.stamp()
        row = {**values, "Id": record_id, "IsDeleted": 0, "CreatedDate": stamp, "CreatedById": USER_ID,
               "LastModifiedDate": stamp, "LastModifiedById": USER_ID, "SystemModstamp": stamp}
        columns = tuple(row)
        sql = self._insert_sql.get((obj.name, columns))
        if sql is None:
            names = ", ".join(f'"{k}"' for k in columns)
            sql = f"INSERT INTO {_table(obj)} ({names}) VALUES ({', '.join('?' * len(columns))})"
            self._insert_sql[(obj.name, columns)] = sql
        self._db.execute(sql, list(row.values()))
        return record_id

    def update(self, obj: ObjectDef, record_id: str, values: dict[str, Any]) -> None:
        stamp = self.stamp()
        row = {**values, "LastModifiedDate": stamp, "LastModifiedById": USER_ID, "SystemModstamp": stamp}
        assignments = ", ".join(f'"{k}" = ?' for k in row)
        self._db.execute(f'UPDATE {_table(obj)} SET {assignments} WHERE "Id" = ?', [*row.values(), record_id])

    def soft_delete(self, obj: ObjectDef, record_id: str) -> None:
        """Move a record to the recycle bin: ``IsDeleted`` set, stamped, logged for ``getDeleted``."""
        stamp = self.stamp()
        self._db.execute(f'UPDATE {_table(obj)} SET "IsDeleted" = 1, "SystemModstamp" = ? WHERE "Id" = ?',
                         (stamp, record_id))
        self._db.execute("INSERT INTO _deleted VALUES (?, ?, ?)", (obj.name, record_id, stamp))

    def hard_delete(self, obj: ObjectDef, record_id: str) -> None:
        """Remove a record for good (Bulk ``hardDelete``); the delete log still notes it."""
        row = self.get(obj, record_id, include_deleted=True)
        self._db.execute(f'DELETE FROM {_table(obj)} WHERE "Id" = ?', (record_id,))
        if row and not row["IsDeleted"]:
            self._db.execute("INSERT INTO _deleted VALUES (?, ?, ?)", (obj.name, record_id, self.stamp()))

    def select(self, query: CompiledQuery, *, include_deleted: bool) -> list[dict[str, Any]]:
        """Rows matching a compiled SOQL query (deleted ones only for ``queryAll``)."""
        clauses = []
        if query.where_sql:
            clauses.append(f"({query.where_sql})")
        if not include_deleted:
            clauses.append('"IsDeleted" = 0')
        sql = f"SELECT * FROM {_table(query.obj)}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        if query.order_sql:
            sql += " ORDER BY " + query.order_sql
        if query.limit is not None or query.offset:
            sql += f" LIMIT {query.limit if query.limit is not None else -1} OFFSET {query.offset}"
        return [dict(r) for r in self._db.execute(sql, query.params)]

    def deleted_between(self, obj: ObjectDef, start: str, end: str) -> list[tuple[str, str]]:
        rows = self._db.execute(
            "SELECT id, deleted_date FROM _deleted WHERE object = ? AND deleted_date >= ? AND deleted_date < ? "
            "ORDER BY deleted_date, id", (obj.name, start, end)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def count(self, obj: ObjectDef, *, include_deleted: bool = False) -> int:
        sql = f"SELECT COUNT(*) FROM {_table(obj)}" + ("" if include_deleted else ' WHERE "IsDeleted" = 0')
        return int(self._db.execute(sql).fetchone()[0])

    def backdate(self, obj: ObjectDef, record_id: str, stamp: str) -> None:
        """Test helper: give a record an older ``SystemModstamp``, as a transaction that committed late."""
        with self.transaction():
            self._db.execute(f'UPDATE {_table(obj)} SET "SystemModstamp" = ? WHERE "Id" = ?', (stamp, record_id))

    def backdate_deletion(self, obj: ObjectDef, record_id: str, stamp: str) -> None:
        """Test helper: move a delete-log entry back in time (the log has minute resolution)."""
        with self.transaction():
            self._db.execute("UPDATE _deleted SET deleted_date = ? WHERE object = ? AND id = ?",
                             (stamp, obj.name, record_id))

    # Usage and jobs ---------------------------------------------------------------------------------
    def add_call(self, day: str) -> int:
        """Count one API call on ``day``; returns the day's total."""
        with self.transaction():
            self._db.execute("INSERT INTO _usage VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET calls = calls + 1",
                             (day,))
            return int(self._db.execute("SELECT calls FROM _usage WHERE day = ?", (day,)).fetchone()[0])

    def calls(self, day: str) -> int:
        row = self._db.execute("SELECT calls FROM _usage WHERE day = ?", (day,)).fetchone()
        return int(row[0]) if row else 0

    def save_job(self, info: dict[str, Any], upload: bytes | None = None,
                 results: dict[str, Any] | None = None) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO _jobs (id, info, upload, results) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "info = excluded.info, upload = COALESCE(excluded.upload, _jobs.upload), "
                "results = COALESCE(excluded.results, _jobs.results)",
                (info["id"], json.dumps(info), upload, json.dumps(results) if results is not None else None))

    def load_job(self, job_id: str) -> tuple[dict[str, Any], bytes | None, dict[str, Any] | None] | None:
        row = self._db.execute("SELECT info, upload, results FROM _jobs WHERE id = ?", (job_id,)).fetchone()
        if not row:
            return None
        return json.loads(row[0]), row[1], json.loads(row[2]) if row[2] else None

    def jobs(self) -> Sequence[dict[str, Any]]:
        return [json.loads(r[0]) for r in self._db.execute("SELECT info FROM _jobs ORDER BY id")]
