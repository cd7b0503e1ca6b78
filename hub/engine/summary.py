"""The run summary: counts that add up, ``read = created + updated + merged + unchanged + quarantined + suppressed``."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hub.records import Outcome

COUNTED = (
    Outcome.CREATED,
    Outcome.UPDATED,
    Outcome.MERGED,
    Outcome.UNCHANGED,
    Outcome.QUARANTINED,
    Outcome.SUPPRESSED,
)


@dataclass(slots=True)
class RunSummary:
    """What a run did. ``deleted`` counts tombstones propagated, which are not records read."""

    run_id: str
    pipeline: str
    dry_run: bool = False
    status: str = "running"
    read: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    per_stream: dict[str, Counter[str]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    duration_s: float = 0.0
    error: str | None = None
    report_dir: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stream: str, outcome: Outcome, n: int = 1) -> None:
        if outcome in COUNTED:
            self.read += n
        self.counts[outcome.value] += n
        self.per_stream.setdefault(stream, Counter())[outcome.value] += n

    def balanced(self) -> bool:
        """True when every record read is accounted for by exactly one outcome."""
        return self.read == sum(self.counts[o.value] for o in COUNTED)

    def finish(self, status: str, error: str | None = None) -> None:
        self.status = status
        self.error = error
        self.duration_s = round(time.monotonic() - self.started, 3)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object: ``run_id, status, read, created, …, duration_s`` and a few more keys."""
        data: dict[str, Any] = {"run_id": self.run_id, "status": self.status, "read": self.read}
        for outcome in COUNTED:
            data[outcome.value] = self.counts[outcome.value]
        data["deleted"] = self.counts[Outcome.DELETED.value]
        data["duration_s"] = self.duration_s
        data["pipeline"] = self.pipeline
        data["dry_run"] = self.dry_run
        data["streams"] = {name: dict(c) for name, c in self.per_stream.items()}
        if self.stage_seconds:
            data["stage_seconds"] = {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())}
        if self.error:
            data["error"] = self.error
        if self.report_dir:
            data["report_dir"] = self.report_dir
        return data
