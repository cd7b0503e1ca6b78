"""``crmhub gdpr status``: what is due — open requests with their deadline, records past retention, pushes pending."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hub.state.privacy import PrivacyStore
from hub.state.schema import utcnow
from hub.state.subject_requests import SubjectRequest

__all__ = ["DueReport", "due_report"]


@dataclass(slots=True)
class DueReport:
    """Open requests (soonest deadline first), the retention destruction list, pending withdrawals."""

    requests: list[SubjectRequest]
    retention: list[dict[str, Any]]
    pending_propagation: int
    now: dt.datetime

    @property
    def overdue(self) -> list[SubjectRequest]:
        """Requests past their legal deadline."""
        return [r for r in self.requests if r.status != "completed" and r.due_at < self.now]

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        return {
            "requests": [{
                "request_id": r.request_id, "kind": r.kind, "subject": r.subject, "status": r.status,
                "regime": r.regime, "received_at": r.received_at.isoformat(), "due_at": r.due_at.isoformat(),
                "days_left": (r.due_at - self.now).days, "overdue": r.status != "completed" and r.due_at < self.now,
                "systems": [{"connection": s.connection, "stream": s.stream, "mechanism": s.mechanism,
                             "status": s.status, "attempts": s.attempts, "message": s.message} for s in r.systems],
            } for r in self.requests],
            "overdue": len(self.overdue),
            "retention_due": self.retention,
            "pending_propagation": self.pending_propagation,
        }


def due_report(hub: Any, include_completed: bool = False) -> DueReport:
    """Gather what ``crmhub gdpr status`` shows."""
    privacy = PrivacyStore(hub.store)
    statuses = None if include_completed else ["pending"]
    return DueReport(privacy.requests(statuses), privacy.retention_due(), len(privacy.pending_propagation()),
                     utcnow())
