"""This connection's own API-credit budget over a rolling window, so a run stops before Zoho's limit.

Zoho counts credits per org over a rolling 24 hours (writes 1 credit per 10 records, other calls 1).
With ``credit_budget`` set, spending is recorded in the connection's key-value store and a call that
would exceed the budget raises :class:`QuotaExhaustedError` before it is sent: the run stops cleanly
and resumes from its checkpoint once the window has moved on.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from crmhub_zoho.config import ZohoConfig
from hub.errors import QuotaExhaustedError

KV_KEY = "zoho.credits"
RECORDS_PER_CREDIT = 10


def write_cost(records: int) -> int:
    """Credits of one insert/update/upsert/delete call of ``records`` records."""
    return max(1, math.ceil(records / RECORDS_PER_CREDIT))


class CreditMeter:
    """Spent credits as ``[timestamp, cost]`` pairs inside the window; persisted when a store is given."""

    def __init__(self, config: ZohoConfig, kv: Any, clock: Callable[[], float] = time.time) -> None:
        self.budget = config.credit_budget
        self.window = config.credit_window_seconds
        self.kv = kv
        self.clock = clock
        self.spent_total = 0
        raw = kv.get(KV_KEY) if (kv is not None and self.budget is not None) else None
        self._log: list[list[float]] = json.loads(raw) if raw else []

    def spend(self, cost: int, what: str) -> None:
        self.spent_total += cost
        if self.budget is None:
            return
        now = self.clock()
        self._log = [entry for entry in self._log if entry[0] > now - self.window]
        used = sum(int(entry[1]) for entry in self._log)
        if used + cost > self.budget:
            oldest = min((entry[0] for entry in self._log), default=now)
            raise QuotaExhaustedError(
                f"Zoho credit budget of {self.budget} per {self.window:.0f} s is spent ({used} used); "
                f"{what} needs {cost}", resume_after=max(0.0, oldest + self.window - now))
        self._log.append([now, cost])
        if self.kv is not None:
            self.kv.set(KV_KEY, json.dumps(self._log))
