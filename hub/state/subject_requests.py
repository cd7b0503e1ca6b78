"""Data-subject requests (erasure, access, restriction) with their legal deadline and per-system progress.

A request names its subject by a pseudonym only. Each system it must reach has a row: the mechanism
used (``erase``, ``delete``, ``manual``, ``none``), the status (``pending`` until the system
acknowledges, ``acknowledged``, ``manual`` awaiting a person, ``confirmed`` by one, ``failed``) and
the keys to act on, Fernet-encrypted and dropped as soon as the system has acknowledged.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from hub.state.errors import StateLookupError
from hub.state.keys import StoreKeys
from hub.state.schema import dump_json, subject_request_systems, subject_requests, utcnow

__all__ = ["OPEN_SYSTEM_STATUSES", "RequestSystem", "SubjectRequest", "create", "find", "list_requests",
           "save_system", "set_status"]

OPEN_SYSTEM_STATUSES = frozenset({"pending", "manual", "failed"})


@dataclass(slots=True)
class RequestSystem:
    """One system a request must reach. ``keys`` (record keys to act on) is only held until acknowledged."""

    connection: str
    stream: str
    mechanism: str
    status: str = "pending"
    attempts: int = 0
    last_attempt_at: dt.datetime | None = None
    message: str = ""
    keys: list[str] = field(default_factory=list, repr=False)


@dataclass(slots=True)
class SubjectRequest:
    """An erasure (``erase``), access (``export``) or restriction (``restrict``/``lift``) request."""

    kind: str
    subject: str
    hub_ids: list[str]
    regime: str
    due_at: dt.datetime
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    received_at: dt.datetime = field(default_factory=utcnow)
    status: str = "pending"
    completed_at: dt.datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    systems: list[RequestSystem] = field(default_factory=list)

    @property
    def open_systems(self) -> list[RequestSystem]:
        """Systems that have not acknowledged (or been confirmed by a person) yet."""
        return [s for s in self.systems if s.status in OPEN_SYSTEM_STATUSES]


def _system_row(keys: StoreKeys, request_id: str, system: RequestSystem) -> dict[str, Any]:
    sealed = keys.encrypt(dump_json(system.keys).encode("utf-8")) if system.keys else None
    return {"request_id": request_id, "connection": system.connection, "stream": system.stream,
            "mechanism": system.mechanism, "status": system.status, "attempts": system.attempts,
            "last_attempt_at": system.last_attempt_at, "message": system.message, "sealed_keys": sealed}


def create(conn: Connection, keys: StoreKeys, request: SubjectRequest) -> None:
    """Store a new request and its systems."""
    conn.execute(insert(subject_requests).values(
        request_id=request.request_id, kind=request.kind, subject=request.subject,
        hub_ids=dump_json(request.hub_ids), regime=request.regime, received_at=request.received_at,
        due_at=request.due_at, status=request.status, completed_at=request.completed_at,
        detail=dump_json(request.detail)))
    if request.systems:
        conn.execute(insert(subject_request_systems),
                     [_system_row(keys, request.request_id, s) for s in request.systems])


def save_system(conn: Connection, keys: StoreKeys, request_id: str, system: RequestSystem) -> None:
    """Record a system's new status; its keys are dropped once it is no longer open."""
    row = _system_row(keys, request_id, system)
    if system.status not in OPEN_SYSTEM_STATUSES:
        row["sealed_keys"] = None
    conn.execute(update(subject_request_systems).where(
        subject_request_systems.c.request_id == request_id,
        subject_request_systems.c.connection == system.connection,
        subject_request_systems.c.stream == system.stream).values(
        {k: v for k, v in row.items() if k not in ("request_id", "connection", "stream")}))


def set_status(conn: Connection, request_id: str, status: str, detail: dict[str, Any] | None = None) -> None:
    """Close (``completed``) or reopen (``pending``) a request."""
    values: dict[str, Any] = {"status": status, "completed_at": utcnow() if status == "completed" else None}
    if detail is not None:
        values["detail"] = dump_json(detail)
    conn.execute(update(subject_requests).where(subject_requests.c.request_id == request_id).values(**values))


def _request(conn: Connection, keys: StoreKeys, row: Row[Any]) -> SubjectRequest:
    query = select(subject_request_systems).where(subject_request_systems.c.request_id == row.request_id)
    systems = [RequestSystem(s.connection, s.stream, s.mechanism, s.status, s.attempts, s.last_attempt_at, s.message,
                             json.loads(keys.decrypt(s.sealed_keys)) if s.sealed_keys is not None else [])
               for s in conn.execute(query.order_by(subject_request_systems.c.connection))]
    return SubjectRequest(kind=row.kind, subject=row.subject, hub_ids=json.loads(row.hub_ids), regime=row.regime,
                          due_at=row.due_at, request_id=row.request_id, received_at=row.received_at,
                          status=row.status, completed_at=row.completed_at, detail=json.loads(row.detail),
                          systems=systems)


def find(conn: Connection, keys: StoreKeys, prefix: str) -> SubjectRequest:
    """The request whose id starts with ``prefix``; :class:`StateLookupError` when none or several do."""
    rows = conn.execute(select(subject_requests).where(subject_requests.c.request_id.startswith(prefix))
                        .limit(2)).all()
    if len(rows) != 1:
        raise StateLookupError(f"no request with id {prefix!r}" if not rows else f"request id {prefix!r} is ambiguous")
    return _request(conn, keys, rows[0])


def list_requests(conn: Connection, keys: StoreKeys, statuses: Sequence[str] | None = None,
                  subject: str | None = None) -> list[SubjectRequest]:
    """Requests by due date, optionally only those in ``statuses`` or about one subject pseudonym."""
    query = select(subject_requests).order_by(subject_requests.c.due_at, subject_requests.c.request_id)
    if statuses:
        query = query.where(subject_requests.c.status.in_(list(statuses)))
    if subject is not None:
        query = query.where(subject_requests.c.subject == subject)
    return [_request(conn, keys, row) for row in conn.execute(query).all()]
