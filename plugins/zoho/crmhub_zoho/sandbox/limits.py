"""The sandbox's limits and fault injection, all off or generous unless ``SandboxOptions.settings`` asks.

Settings (keys of ``settings``):

``credit_budget``       API credits per rolling ``credit_window`` seconds (default: unlimited); then 429.
``edition``             ``free``/``standard``/``professional``/``enterprise``/``ultimate``: sets the
                        concurrency cap Zoho applies (5/10/15/20/25) unless ``concurrency`` is given.
``concurrency``         requests served at once; one more is answered 429 at once.
``retry_after``         seconds in ``Retry-After`` of a concurrency 429 (default 1).
``token_lifetime``      seconds an access token from the token endpoint lives (default 3600).
``page_token_ttl``      seconds a ``next_page_token`` stays valid (default 86400).
``fail_prob``           probability of a 500 ``INTERNAL_ERROR`` before a request is processed.
``drop_after_commit``   probability that a write is committed and its connection then dropped unanswered.
``latency``             seconds added to every request.
``unique_fields``       ``{"Contacts": ["Email"]}``: more fields Zoho enforces as unique.
``seed``                seed of the fault-injection random generator (default 0).
"""

from __future__ import annotations

import collections
import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from crmhub_zoho.sandbox import errors

EDITION_CONCURRENCY = {"free": 5, "standard": 10, "professional": 15, "enterprise": 20, "ultimate": 25}
WRITE_RECORDS_PER_CREDIT = 10


@dataclass(slots=True)
class SandboxSettings:
    """Mutable at run time (tests flip faults on and off on a running sandbox)."""

    credit_budget: int | None = None
    credit_window: float = 86400.0
    concurrency: int | None = None
    retry_after: int = 1
    token_lifetime: int = 3600
    page_token_ttl: int = 86400
    fail_prob: float = 0.0
    drop_after_commit: float = 0.0
    latency: float = 0.0
    unique_fields: dict[str, list[str]] = field(default_factory=dict)
    seed: int = 0

    @classmethod
    def from_options(cls, raw: dict[str, Any]) -> SandboxSettings:
        known = set(cls.__dataclass_fields__) | {"edition"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown zoho sandbox setting(s): {', '.join(unknown)}")
        values = {k: v for k, v in raw.items() if k != "edition"}
        edition = raw.get("edition")
        if edition is not None and "concurrency" not in values:
            values["concurrency"] = EDITION_CONCURRENCY[str(edition).lower()]
        return cls(**values)


def credits_for(method: str, path: str, records: int) -> int:
    """API credits one call costs: writes 1 per 10 records (at least 1), every other call 1."""
    if method in ("POST", "PUT", "DELETE") and records:
        return max(1, math.ceil(records / WRITE_RECORDS_PER_CREDIT))
    return 1


class Limiter:
    """Credits over a rolling window, concurrency, and seeded faults."""

    def __init__(self, settings: SandboxSettings, clock: Any = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._spent: collections.deque[tuple[float, int]] = collections.deque()
        self._lock = threading.Lock()
        self._active = 0
        self._random = random.Random(settings.seed)
        self.credits_used = 0

    def remaining(self) -> int | None:
        budget = self.settings.credit_budget
        if budget is None:
            return None
        with self._lock:
            self._expire()
            return budget - sum(cost for _, cost in self._spent)

    def _expire(self) -> None:
        horizon = self.clock() - self.settings.credit_window
        while self._spent and self._spent[0][0] <= horizon:
            self._spent.popleft()

    def charge(self, cost: int) -> None:
        """Spend ``cost`` credits or answer 429 when the rolling budget cannot cover them."""
        with self._lock:
            budget = self.settings.credit_budget
            if budget is not None:
                self._expire()
                spent = sum(c for _, c in self._spent)
                if spent + cost > budget:
                    raise errors.too_many_requests("API credit limit of the rolling 24 hours exceeded")
            self._spent.append((self.clock(), cost))
            self.credits_used += cost

    def enter(self) -> None:
        with self._lock:
            cap = self.settings.concurrency
            if cap is not None and self._active >= cap:
                raise errors.too_many_requests("concurrency limit exceeded", self.settings.retry_after)
            self._active += 1

    def leave(self) -> None:
        with self._lock:
            self._active -= 1

    def roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            return self._random.random() < probability
