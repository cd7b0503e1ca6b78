"""Checkpoints: the latest resumable cursor per (pipeline, stream).

Per-pipeline phase data (which stream is done, a bulk job id) is stored the same way under a
stream name the engine reserves for it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from hub.state.schema import checkpoints, dump_json, utcnow

__all__ = ["clear", "get", "save"]


def get(conn: Connection, pipeline: str, stream: str) -> dict[str, Any] | None:
    query = select(checkpoints.c.cursor).where(checkpoints.c.pipeline == pipeline, checkpoints.c.stream == stream)
    cursor = conn.execute(query).scalar_one_or_none()
    if cursor is None:
        return None
    value: dict[str, Any] = json.loads(cursor)
    return value


def save(conn: Connection, pipeline: str, stream: str, cursor: dict[str, Any], run_id: str | None) -> None:
    """Insert or replace the checkpoint of (pipeline, stream)."""
    values = {
        "pipeline": pipeline,
        "stream": stream,
        "cursor": dump_json(cursor),
        "run_id": run_id,
        "updated_at": utcnow(),
    }
    changed = {"cursor": values["cursor"], "run_id": run_id, "updated_at": values["updated_at"]}
    keys = [checkpoints.c.pipeline, checkpoints.c.stream]
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(checkpoints).values(values)
        conn.execute(pg.on_conflict_do_update(index_elements=keys, set_=changed))
    else:
        lite = sqlite.insert(checkpoints).values(values)
        conn.execute(lite.on_conflict_do_update(index_elements=keys, set_=changed))


def clear(conn: Connection, pipeline: str) -> None:
    """Forget every checkpoint of ``pipeline`` (a ``--restart``)."""
    conn.execute(delete(checkpoints).where(checkpoints.c.pipeline == pipeline))
