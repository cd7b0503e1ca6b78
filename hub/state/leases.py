"""Leases: one live holder per name (one run per pipeline), with fencing tokens.

Each name has one row that is never deleted, so its token only ever grows: acquiring a free or
expired lease bumps the token, and a run whose token is no longer the row's token has been
overtaken and must not write (see :func:`check_fence`). Releasing keeps the row and clears the
holder. Times come from the caller's clock; hosts sharing a PostgreSQL store need synchronised
clocks (NTP), and ttl values should be generous compared with any skew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row, select, update

from hub.errors import LeaseHeldError
from hub.state.database import insert_ignore
from hub.state.schema import leases, utcnow

__all__ = ["acquire", "check_fence", "release", "renew"]


def _row(conn: Connection, name: str, *, for_update: bool, shared: bool = False) -> Row[Any] | None:
    query = select(leases).where(leases.c.name == name)
    if for_update:
        query = query.with_for_update(read=shared)  # SELECT ... FOR UPDATE / FOR SHARE; SQLite holds BEGIN IMMEDIATE
    return conn.execute(query).first()


def _held_message(name: str, row: Row[Any], now: dt.datetime) -> str:
    remaining = max(0.0, (row.expires_at - now).total_seconds())
    return (
        f"lease {name!r} is held by {row.holder!r} since {row.acquired_at:%Y-%m-%d %H:%M:%S} UTC "
        f"(token {row.token}, expires in {remaining:.0f} s); another run of this pipeline is in progress"
    )


def acquire(
    conn: Connection, name: str, holder: str, ttl_s: float, holder_gone: Callable[[str], bool] | None = None
) -> int:
    """Take the lease and return its new fencing token, or raise :class:`LeaseHeldError` naming the holder.

    ``holder_gone`` lets the caller declare a live-looking lease abandoned — its holder process is known
    to have died (``kill -9``) — so that re-running the same command after a crash resumes at once
    instead of waiting for the lease to expire.
    """
    if ttl_s <= 0:
        raise ValueError("a lease needs a positive ttl")
    now = utcnow()
    # A released placeholder row makes the first acquisition follow the same locked path as later ones.
    conn.execute(insert_ignore(conn, leases).values(name=name, holder=None, token=0, acquired_at=now, expires_at=now))
    row = _row(conn, name, for_update=True)
    assert row is not None
    if row.holder is not None and row.expires_at > now and not (holder_gone and holder_gone(row.holder)):
        raise LeaseHeldError(_held_message(name, row, now))
    token = int(row.token) + 1
    conn.execute(
        update(leases)
        .where(leases.c.name == name, leases.c.token == row.token)
        .values(holder=holder, token=token, acquired_at=now, expires_at=now + dt.timedelta(seconds=ttl_s))
    )
    return token


def _moved_on(conn: Connection, name: str, token: int) -> LeaseHeldError:
    row = _row(conn, name, for_update=False)
    if row is None:
        return LeaseHeldError(f"lease {name!r} was never acquired; acquire it before starting work")
    if int(row.token) != token:
        return LeaseHeldError(
            f"fencing token {token} of lease {name!r} is stale: the lease moved on to token {row.token} "
            f"held by {row.holder!r}; this run was overtaken and must stop"
        )
    return LeaseHeldError(f"lease {name!r} (token {token}) was already released; this run must stop")


def renew(conn: Connection, name: str, token: int, ttl_s: float) -> None:
    """Extend a lease still held with ``token``; an expired lease nobody took over can be renewed too."""
    now = utcnow()
    result = conn.execute(
        update(leases)
        .where(leases.c.name == name, leases.c.token == token, leases.c.holder.is_not(None))
        .values(expires_at=now + dt.timedelta(seconds=ttl_s))
    )
    if result.rowcount == 0:
        raise _moved_on(conn, name, token)


def release(conn: Connection, name: str, token: int) -> None:
    """Give the lease up; a no-op if ``token`` was already overtaken (the new holder keeps it)."""
    conn.execute(
        update(leases).where(leases.c.name == name, leases.c.token == token).values(holder=None, expires_at=utcnow())
    )


def check_fence(conn: Connection, name: str, token: int) -> None:
    """Refuse with :class:`LeaseHeldError` unless ``token`` is still the live token of lease ``name``.

    Runs inside the committing transaction and locks the lease row (shared) on PostgreSQL, so a
    takeover cannot slip in between the check and the commit.
    """
    row = _row(conn, name, for_update=True, shared=True)
    if row is None or int(row.token) != token or row.holder is None:
        raise _moved_on(conn, name, token)
