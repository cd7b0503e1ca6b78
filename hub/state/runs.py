"""Runs and the per-record outcomes they recorded."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from hub.state.database import bulk_insert
from hub.state.errors import StateLookupError
from hub.state.schema import dump_json, run_records, runs, utcnow

__all__ = ["RUN_STATUSES", "RecordOutcome", "RunInfo"]

RUN_STATUSES = frozenset({"running", "succeeded", "failed", "stopped"})
_FINAL_STATUSES = RUN_STATUSES - {"running"}
_HEX = re.compile(r"[0-9a-f]+")


@dataclass(slots=True)
class RunInfo:
    """One run as the store remembers it. ``status`` is ``running`` until :meth:`finish_run`."""

    run_id: str
    pipeline: str
    source: str
    target: str
    streams: list[str]
    dry_run: bool
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any]
    fencing_token: int = 0


@dataclass(slots=True)
class RecordOutcome:
    """How one record ended in a run. ``detail`` holds reason codes and diff summaries, never raw PII."""

    seq: int
    ref: str
    source_id: str | None
    hub_id: str | None
    outcome: str
    target_id: str | None = None
    detail: dict[str, Any] | None = None


def new_run_id() -> str:
    """A random 32-hex-digit id: random from the first digit, so short prefixes are unique enough to type."""
    return uuid.uuid4().hex


def start(
    conn: Connection,
    *,
    pipeline: str,
    source: str,
    target: str,
    streams: Sequence[str],
    dry_run: bool,
    fencing_token: int,
) -> str:
    run_id = new_run_id()
    conn.execute(
        insert(runs).values(
            run_id=run_id,
            pipeline=pipeline,
            source=source,
            target=target,
            streams=dump_json(list(streams)),
            dry_run=dry_run,
            fencing_token=fencing_token,
            status="running",
            started_at=utcnow(),
        )
    )
    return run_id


def finish(conn: Connection, run_id: str, status: str, summary: dict[str, Any]) -> None:
    if status not in _FINAL_STATUSES:
        raise ValueError(f"run status must be one of {sorted(_FINAL_STATUSES)}, not {status!r}")
    result = conn.execute(
        update(runs)
        .where(runs.c.run_id == run_id)
        .values(status=status, finished_at=utcnow(), summary=dump_json(summary))
    )
    if result.rowcount == 0:
        raise StateLookupError(f"no run {run_id} to finish")


def _info(row: Row[Any]) -> RunInfo:
    return RunInfo(
        run_id=row.run_id,
        pipeline=row.pipeline,
        source=row.source,
        target=row.target,
        streams=json.loads(row.streams),
        dry_run=bool(row.dry_run),
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        summary=json.loads(row.summary) if row.summary else {},
        fencing_token=row.fencing_token,
    )


def list_runs(conn: Connection, limit: int, pipeline: str | None) -> list[RunInfo]:
    query = select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit)
    if pipeline is not None:
        query = query.where(runs.c.pipeline == pipeline)
    return [_info(row) for row in conn.execute(query)]


def get(conn: Connection, run_id: str) -> RunInfo | None:
    row = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
    return _info(row) if row else None


def find(conn: Connection, prefix: str) -> RunInfo | None:
    """The run whose id starts with ``prefix``; ``None`` if none; :class:`StateLookupError` if several."""
    prefix = prefix.strip().lower()
    if not prefix or not _HEX.fullmatch(prefix):
        return None
    # Ids are hex, so the prefix holds no LIKE wildcards; a range scan uses the primary key.
    query = select(runs).where(runs.c.run_id >= prefix, runs.c.run_id < prefix + "g").limit(2)
    rows = conn.execute(query).all()
    if len(rows) > 1:
        raise StateLookupError(f"run id prefix {prefix!r} matches several runs; give more characters")
    return _info(rows[0]) if rows else None


OUTCOME_COLUMNS = ("run_id", "stream", "seq", "ref", "source_id", "hub_id", "outcome", "target_id", "detail")


def outcome_rows(run_id: str, stream: str, outcomes: Sequence[RecordOutcome]) -> list[tuple[Any, ...]]:
    """Rows for ``hub_run_records`` (in :data:`OUTCOME_COLUMNS` order), built before the write transaction."""
    return [
        (
            run_id,
            stream,
            o.seq,
            o.ref,
            o.source_id,
            o.hub_id,
            str(o.outcome),
            o.target_id,
            dump_json(o.detail) if o.detail is not None else None,
        )
        for o in outcomes
    ]


def insert_outcomes(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    bulk_insert(conn, run_records, OUTCOME_COLUMNS, rows, ignore_conflicts=False)


def list_outcomes(conn: Connection, run_id: str, outcome: str | None, limit: int, offset: int) -> list[RecordOutcome]:
    query = select(run_records).where(run_records.c.run_id == run_id)
    if outcome is not None:
        query = query.where(run_records.c.outcome == outcome)
    query = query.order_by(run_records.c.id).limit(limit).offset(offset)
    return [
        RecordOutcome(
            seq=row.seq,
            ref=row.ref,
            source_id=row.source_id,
            hub_id=row.hub_id,
            outcome=row.outcome,
            target_id=row.target_id,
            detail=json.loads(row.detail) if row.detail is not None else None,
        )
        for row in conn.execute(query)
    ]


def count_outcomes(conn: Connection, run_id: str) -> dict[str, int]:
    query = (
        select(run_records.c.outcome, func.count())
        .where(run_records.c.run_id == run_id)
        .group_by(run_records.c.outcome)
    )
    return {outcome: count for outcome, count in conn.execute(query)}
