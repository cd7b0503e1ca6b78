"""Creating the SQLAlchemy engine: drivers, timeouts, and SQLite's WAL and transaction settings."""

from __future__ import annotations

from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

AnySelect: TypeAlias = "sa.Select[*tuple[Any, ...]]"
AnyRow: TypeAlias = "sa.Row[*tuple[Any, ...]]"
Column: TypeAlias = "sa.ColumnClause[Any]"

WRITE_OPTION = "crmhub_write"
"""Execution option marking a connection that will write: SQLite then takes its lock up front."""
CONNECT_TIMEOUT_S = 10


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN comes too late for a read-then-write batch; we emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # IMMEDIATE takes the write lock before the SELECT of current rows, so the comparison stays true
    # until commit; a deferred BEGIN could fail with "database is locked" when upgrading to write.
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: sa.URL) -> sa.Engine:
    """An engine for ``url`` that never shows bound parameters in its errors or logs."""
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs["pool_pre_ping"] = True
    if backend == "postgresql":
        # A UTC session: server-side casts and now() agree with the UTC values crmhub binds.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S, "options": "-c timezone=UTC"}
    elif backend in ("mysql", "mariadb"):
        # MySQL TIMESTAMP columns convert through the session zone; UTC keeps them equal to what was bound.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S, "init_command": "SET time_zone = '+00:00'"}
    return sa.create_engine(url, **kwargs)
