"""Incremental reads on ``SystemModstamp`` with a compound cursor and an overlap window.

The query asks for ``SystemModstamp >= cursor - overlap`` ordered by ``(SystemModstamp, Id)`` and
follows ``nextRecordsUrl``. Rows inside the window that were already yielded are recognised by
``(Id, SystemModstamp)`` and skipped; rows that committed late with an older stamp, or that share a
stamp with the last row of a page, are yielded exactly once. Deletions arrive through ``queryAll`` as
rows with ``IsDeleted = true``.

The window remembers at most ``overlap_max_ids`` rows; past that the oldest move under a ``floor``
(a ``(stamp, Id)`` pair below which everything is done), trading late-commit cover for a bounded
checkpoint.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crmhub_salesforce.client import SalesforceApi
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.schema import CURSOR_FIELD, ObjectSchema, format_datetime, parse_datetime
from crmhub_salesforce.soql import datetime_literal, select
from hub.records import Checkpoint, SourceRecord


@dataclass(slots=True)
class ReadCursor:
    """Where an incremental read stands: the newest stamp yielded and the rows seen near it."""

    modstamp: str | None = None
    last_id: str | None = None
    floor: tuple[str, str] | None = None
    seen: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint | None) -> ReadCursor:
        raw: dict[str, Any] = dict(checkpoint.cursor) if checkpoint else {}
        floor = raw.get("floor")
        return cls(modstamp=raw.get("modstamp"), last_id=raw.get("id"),
                   floor=(str(floor[0]), str(floor[1])) if floor else None,
                   seen={str(k): list(v) for k, v in (raw.get("seen") or {}).items()})

    def to_dict(self) -> dict[str, Any]:
        return {"modstamp": self.modstamp, "id": self.last_id, "floor": list(self.floor) if self.floor else None,
                "seen": self.seen}

    def already(self, stamp: str, record_id: str) -> bool:
        """Was this version of the record yielded before?"""
        if self.floor is not None and (stamp, record_id) <= self.floor:
            return True
        return record_id in self.seen.get(stamp, ())

    def note(self, stamp: str, record_id: str) -> None:
        self.seen.setdefault(stamp, []).append(record_id)
        if self.modstamp is None or stamp >= self.modstamp:
            self.modstamp, self.last_id = stamp, record_id

    def lower_bound(self, overlap: float) -> dt.datetime | None:
        """Where the next query starts: the overlap window behind the cursor, never below the floor."""
        if self.modstamp is None:
            return None
        start = parse_datetime(self.modstamp) - dt.timedelta(seconds=overlap)
        if self.floor is not None:
            start = max(start, parse_datetime(self.floor[0]))
        return start

    def prune(self, overlap: float, cap: int) -> None:
        """Forget rows older than the window; keep at most ``cap`` ids, moving the oldest under the floor."""
        if self.modstamp is None:
            return
        horizon = format_datetime(parse_datetime(self.modstamp) - dt.timedelta(seconds=overlap))
        for stamp in [s for s in self.seen if s < horizon]:
            del self.seen[stamp]
        total = sum(len(ids) for ids in self.seen.values())
        for stamp in sorted(self.seen):
            if total <= cap:
                break
            ids = sorted(self.seen[stamp])
            keep = max(0, total - cap)
            dropped, rest = ids[:keep], ids[keep:]
            newest = (stamp, dropped[-1]) if dropped else None
            if newest and (self.floor is None or newest > self.floor):
                self.floor = newest
            total -= len(dropped)
            if rest:
                self.seen[stamp] = rest
            else:
                del self.seen[stamp]


def read_records(api: SalesforceApi, config: SalesforceConfig, schema: ObjectSchema,
                 checkpoint: Checkpoint | None,
                 enrich: Callable[[list[dict[str, Any]]], None] | None = None) -> Iterator[SourceRecord | Checkpoint]:
    """Yield the object's records after ``checkpoint`` and a checkpoint after every page.

    ``enrich`` adds fields to each page's rows before they are yielded (Contact's consent fields).
    """
    cursor = ReadCursor.from_checkpoint(checkpoint)
    lower = cursor.lower_bound(config.overlap_seconds)
    where = f"{CURSOR_FIELD} >= {datetime_literal(lower)}" if lower is not None else ""
    # The first full load skips the recycle bin; later reads use queryAll to see deletions.
    include_deleted = lower is not None and config.read_deleted
    soql = select(schema, schema.names(), where, order_by=(CURSOR_FIELD, "Id"))
    headers = {"Sforce-Query-Options": f"batchSize={config.query_batch_size}"}
    page = api.call(f"query of {schema.name}",
                    lambda sf: sf.query(soql, include_deleted=include_deleted, headers=headers))
    while True:
        fresh = []
        for row in page.get("records", []):
            stamp, record_id = str(row[CURSOR_FIELD]), str(row["Id"])
            if cursor.already(stamp, record_id):
                continue
            cursor.note(stamp, record_id)
            fresh.append({k: v for k, v in row.items() if k != "attributes"})
        if enrich is not None and fresh:
            enrich(fresh)
        for data in fresh:
            record_id, stamp = str(data["Id"]), str(data[CURSOR_FIELD])
            yield SourceRecord(id=record_id, data=data, ref=f"{schema.name} {record_id}",
                               updated_at=parse_datetime(stamp), deleted=bool(data.get("IsDeleted")))
        cursor.prune(config.overlap_seconds, config.overlap_max_ids)
        yield Checkpoint(schema.name, cursor.to_dict())
        if page.get("done", True) or not page.get("nextRecordsUrl"):
            return
        page = api.call(f"query of {schema.name} (next page)",
                        functools.partial(_next_page, str(page["nextRecordsUrl"]), headers))


def _next_page(url: str, headers: dict[str, str], sf: Any) -> Any:
    return sf.query_more(url, identifier_is_url=True, headers=headers)
