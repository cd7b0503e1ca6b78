"""Classifying database errors by what the engine should do, with messages free of values and passwords.

Driver messages can quote the rejected value (``invalid input syntax for type date: "…"``,
``Duplicate entry '…'``), which may be personal data; :func:`safe_reason` keeps the reason and
drops quoted values. SQLAlchemy's own text (with SQL and parameters) is never used.
"""

from __future__ import annotations

import enum
import re
import sqlite3
from typing import Any

import sqlalchemy as sa

from hub.errors import AuthError, ConfigError, CrmhubError, FatalError, RetriableError, SchemaError, scrub


class Failure(enum.Enum):
    """What a database error means for the caller."""

    RETRIABLE = "retriable"
    AUTH = "auth"
    CONFIG = "config"
    SCHEMA = "schema"
    REJECTED = "rejected"
    """The database refused this row's values: fail the record, keep the others."""
    FATAL = "fatal"


_MYSQL_CODES: dict[int, Failure] = {
    **dict.fromkeys((1040, 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2055, 1927, 1053), Failure.RETRIABLE),
    **dict.fromkeys((1044, 1045, 1142, 1143, 1227, 1698), Failure.AUTH),
    **dict.fromkeys((1049,), Failure.CONFIG),
    **dict.fromkeys((1146, 1054, 1109), Failure.SCHEMA),
    **dict.fromkeys((1048, 1062, 1264, 1265, 1292, 1366, 1406, 1452, 3140, 3819, 4025, 1367), Failure.REJECTED),
}
_PG_AUTH_TEXT = ("password authentication failed", "no pg_hba.conf entry", "role \"", "permission denied")
_QUOTED_DOUBLE = re.compile(r'"[^"]*"')
_QUOTED_SINGLE = re.compile(r"'(?:[^'\\]|\\.)*'")
_PG_VALUE_TAIL = re.compile(r':\s*"[^"]*"\s*$')


def _classify_postgres(orig: BaseException) -> Failure | None:
    state = getattr(orig, "sqlstate", None) or ""
    text = str(orig).lower()
    if state.startswith("28") or (not state and any(t in text for t in _PG_AUTH_TEXT)) or state == "42501":
        return Failure.AUTH
    if state == "3D000" or (not state and "does not exist" in text and "database" in text):
        return Failure.CONFIG
    if state.startswith(("08", "53", "57")) or state in ("40001", "40P01", "55P03"):
        return Failure.RETRIABLE
    if state in ("42P01", "42703", "3F000"):
        return Failure.SCHEMA
    if state.startswith(("22", "23")):
        return Failure.REJECTED
    return None


def _classify_sqlite(orig: BaseException) -> Failure | None:
    text = str(orig).lower()
    if isinstance(orig, sqlite3.IntegrityError | sqlite3.InterfaceError | sqlite3.DataError | OverflowError):
        return Failure.REJECTED
    if isinstance(orig, sqlite3.ProgrammingError) and "binding" in text:
        return Failure.REJECTED
    if "locked" in text or "busy" in text:
        return Failure.RETRIABLE
    if "no such table" in text or "no such column" in text or "has no column" in text:
        return Failure.SCHEMA
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return Failure.CONFIG
    return None


def classify(exc: BaseException) -> Failure:
    """What ``exc`` (a SQLAlchemy or driver error) means for the caller."""
    orig = getattr(exc, "orig", None) or exc
    module = type(orig).__module__
    found: Failure | None = None
    if module.startswith("psycopg"):
        found = _classify_postgres(orig)
    elif module.startswith("pymysql"):
        code = orig.args[0] if orig.args and isinstance(orig.args[0], int) else None
        found = _MYSQL_CODES.get(code) if code is not None else None
    elif isinstance(orig, sqlite3.Error | OverflowError):
        found = _classify_sqlite(orig)
    if found is not None:
        return found
    if isinstance(exc, sa.exc.DataError | sa.exc.IntegrityError):
        return Failure.REJECTED
    if isinstance(exc, sa.exc.StatementError) and not isinstance(exc, sa.exc.DBAPIError):
        return Failure.REJECTED  # a value no bind processor could convert
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError | TimeoutError):
        return Failure.RETRIABLE
    return Failure.FATAL


def safe_reason(exc: BaseException) -> str:
    """The driver's reason for ``exc``, first line only, quoted values removed, secrets scrubbed."""
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    text = getattr(diag, "message_primary", None) or ""
    if not text:
        args: tuple[Any, ...] = getattr(orig, "args", ())
        text = str(args[1]) if module_is_pymysql(orig) and len(args) > 1 else str(orig)
    text = (text.strip().splitlines() or [type(orig).__name__])[0]
    if module_is_pymysql(orig):
        text = _QUOTED_SINGLE.sub("'…'", text)
    else:
        text = _PG_VALUE_TAIL.sub("", text)
        if "input syntax" in text or "out of range" in text:
            text = _QUOTED_DOUBLE.sub('"…"', text)
    return scrub(text)


def module_is_pymysql(orig: object) -> bool:
    return type(orig).__module__.startswith("pymysql")


def as_hub_error(exc: BaseException, where: str) -> CrmhubError:
    """The :mod:`hub.errors` exception for a database error met while doing ``where``."""
    kind = classify(exc)
    message = f"{where}: {safe_reason(exc)}"
    if kind is Failure.RETRIABLE:
        return RetriableError(message, retry_after=1.0)
    if kind is Failure.AUTH:
        return AuthError(message)
    if kind is Failure.CONFIG:
        return ConfigError(message)
    if kind is Failure.SCHEMA:
        return SchemaError(message)
    return FatalError(message)
