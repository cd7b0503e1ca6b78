"""Connecting to the state database: URL handling, SQLite tuning, and read/write transactions.

SQLite (the embedded default) runs in WAL mode with ``synchronous=NORMAL`` and a busy timeout,
so several processes can share one file. Write transactions start with ``BEGIN IMMEDIATE``: the
write lock is taken up front, so two writers queue on the busy timeout instead of failing when a
read transaction tries to upgrade. PostgreSQL URLs are routed to the psycopg 3 driver.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Insert

from hub.errors import ConfigError, RetriableError, scrub

__all__ = ["BUSY_TIMEOUT_S", "bulk_insert", "create_state_engine", "insert_ignore", "read_tx", "write_tx"]

BUSY_TIMEOUT_S = 30.0
_WRITE_OPTION = "crmhub_write"


def _normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def create_state_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///path``, ``sqlite://`` in memory, ``postgresql://...``)."""
    try:
        parsed = make_url(_normalise_url(url))
    except Exception as exc:  # any parse failure is a config problem for the user
        raise ConfigError(f"state store URL is not valid: {scrub(url)} ({type(exc).__name__})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed.database)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise ConfigError("state store on PostgreSQL needs the psycopg 3 driver (postgresql:// or +psycopg)")
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except ImportError:
            raise ConfigError("state store on PostgreSQL needs psycopg: pip install 'crmhub[postgres]'") from None
    raise ConfigError(f"state store supports sqlite:// and postgresql:// URLs, not {backend}://")


def _sqlite_engine(database: str | None) -> Engine:
    in_memory = not database or database == ":memory:"
    if in_memory:
        # One shared connection, or every pool checkout would see a different empty database.
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False, "isolation_level": None}
        )
    else:
        assert database is not None
        # Private when we create it: identity maps hold record ids, which some sources make of emails.
        Path(database).expanduser().parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = create_engine(
            f"sqlite:///{Path(database).expanduser()}",
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False, "isolation_level": None},
        )

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not in_memory:
            _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        # 16 MiB of page cache per connection instead of 2 (a run holds two: the main process's and its
        # writer thread's): identity lookups of large runs mostly stay in memory, and memory stays bounded.
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    # pysqlite's own transaction handling is off (isolation_level=None); we emit BEGIN ourselves.
    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    """Put the file in WAL mode (it stays so). Switching needs the file to itself and SQLite does not wait
    for that, so a process opening a fresh store while another creates it retries until the mode is set."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _is_transient(exc: DBAPIError) -> bool:
    """Whether trying the same transaction again later may succeed."""
    if exc.connection_invalidated:
        return True
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    # 40001 serialization failure, 40P01 deadlock, 55P03 lock not available, 08xxx connection trouble.
    if sqlstate in {"40001", "40P01", "55P03"} or sqlstate.startswith("08"):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if exc.orig is not None and type(exc.orig).__module__.startswith("psycopg"):
        return True  # psycopg raises OperationalError for lost and refused connections
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message  # SQLite's busy timeout ran out


@contextmanager
def _translated() -> Iterator[None]:
    """Turn transient database failures into :class:`RetriableError`, the engine's cue to try again."""
    try:
        yield
    except DBAPIError as exc:
        if not _is_transient(exc):
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise RetriableError(f"state store busy or unreachable: {scrub(reason)}", retry_after=1.0) from exc


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed on success, rolled back on any exception."""
    with _translated(), engine.connect() as conn:
        conn.execution_options(**{_WRITE_OPTION: True})
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction on one consistent snapshot (REPEATABLE READ on PostgreSQL, as SQLite's WAL gives)."""
    with _translated(), engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def insert_ignore(conn: Connection, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, ignore_conflicts: bool
) -> None:
    """Insert many plain rows (str/int/bytes/None values) fast, keeping their order.

    The hot path of ``commit_batch``: building SQLAlchemy parameter dicts for thousands of rows
    costs more than the database work, so values go straight to the driver: one ``executemany``
    on SQLite (in-process, nothing to gain beyond that), one statement on PostgreSQL. With
    ``ignore_conflicts`` a key already present is skipped, and the first of duplicates in ``rows`` wins.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _pg_copy_insert(conn, table, columns, rows, ignore_conflicts=ignore_conflicts)
        return
    names = ", ".join(columns)
    marks = ", ".join(["?"] * len(columns))
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks}){suffix}", list(rows))


def _pg_copy_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], *, ignore_conflicts: bool
) -> None:
    """``COPY`` new rows in; rows that may conflict go through one ``INSERT ... SELECT FROM unnest(...)``.

    COPY knows no ``ON CONFLICT``. For those, duplicates inside the batch are dropped here first
    (the first wins), so the database only has to skip keys it already holds, and the whole batch
    travels as one array per column. Either way: one statement, not one per row.
    """
    names = ", ".join(columns)
    if not ignore_conflicts:
        cursor: Any = conn.connection.cursor()  # the psycopg cursor, in the same transaction as ``conn``
        try:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    key_positions = [columns.index(c.name) for c in table.primary_key.columns]
    first: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        first.setdefault(tuple(row[p] for p in key_positions), row)
    arrays = ", ".join(f"%s::{table.c[c].type.compile(conn.dialect)}[]" for c in columns)
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",
        tuple(list(values) for values in zip(*first.values(), strict=True)),
    )
