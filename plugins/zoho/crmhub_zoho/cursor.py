"""The compound read cursor: ``(Modified_Time, id)`` plus the ids seen inside the overlap window.

Zoho's ``Modified_Time`` has one-second resolution and a record can commit late, with a time
earlier than records already read. A read therefore asks for everything modified since
``cursor - overlap`` and skips only what it has provably seen: records at or before ``(time, id)``
whose id was recorded with the same time in ``recent``. Anything else in the window (a late commit,
a record edited again) is yielded again; writes are idempotent, so a repeat costs nothing but a
lookup. ``recent`` is capped so that checkpoints stay small; past the cap the oldest ids fall out:
those at the cursor's own second are then judged by ``(time, id)`` alone (as a bulk load stamps
thousands of records with one second), older ones may be yielded again after a resume.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

RECENT_CAP = 2000


def parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(slots=True)
class ReadCursor:
    """Where an incremental read stands."""

    modified: dt.datetime | None = None
    record_id: int = 0
    recent: dict[str, int] = field(default_factory=dict)
    """id → Modified_Time (epoch seconds) of records read inside the overlap window."""
    overflow: bool = False
    """``recent`` was capped: records at the cursor's own second fall back to the plain ``(time, id)`` rule."""

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> ReadCursor:
        if not raw or not raw.get("modified"):
            return cls()
        return cls(parse_time(raw["modified"]), int(raw.get("id") or 0), dict(raw.get("recent") or {}),
                   bool(raw.get("overflow")))

    def dump(self) -> dict[str, Any]:
        return {"modified": self.modified.isoformat() if self.modified else None, "id": str(self.record_id),
                "recent": dict(self.recent), "overflow": self.overflow}

    def since(self, overlap: int) -> dt.datetime | None:
        """The ``If-Modified-Since`` to ask with (strictly after), overlap included."""
        if self.modified is None:
            return None
        return self.modified - dt.timedelta(seconds=overlap + 1)

    def seen(self, modified: dt.datetime, record_id: int) -> bool:
        """Whether this version of the record was yielded before this cursor was saved."""
        if self.modified is None:
            return False
        if (modified, record_id) > (self.modified, self.record_id):
            return False
        stamp = int(modified.timestamp())
        if self.recent.get(str(record_id)) == stamp:
            return True
        return self.overflow and str(record_id) not in self.recent and modified == self.modified

    def advance(self, modified: dt.datetime, record_id: int, overlap: int) -> None:
        """Record that a record was yielded."""
        if self.modified is None or (modified, record_id) > (self.modified, self.record_id):
            if self.modified is not None and modified > self.modified:
                self.overflow = False  # a new second: nothing of it has been dropped yet
            self.modified, self.record_id = modified, record_id
        self.recent[str(record_id)] = int(modified.timestamp())

    def prune(self, overlap: int) -> None:
        if self.modified is None:
            return
        horizon = int(self.modified.timestamp()) - overlap
        kept = {k: v for k, v in self.recent.items() if v >= horizon}
        if len(kept) > RECENT_CAP:
            kept = dict(sorted(kept.items(), key=lambda kv: (kv[1], int(kv[0])))[-RECENT_CAP:])
            self.overflow = True
        self.recent = kept
