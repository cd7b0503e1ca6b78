"""The daily API allowance, as Salesforce reports it in ``Sforce-Limit-Info: api-usage=N/M``.

Every response updates the count; before each call the connector asks :meth:`ApiBudget.ensure`,
which stops the run (``QuotaExhaustedError``) while a configurable reserve is still left, so other
integrations of the org keep working and the run resumes from its checkpoint tomorrow.
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any

from hub.errors import QuotaExhaustedError

_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


class ApiBudget:
    """Tracks ``api-usage`` and refuses calls that would eat into the reserve."""

    def __init__(self, reserve_percent: float) -> None:
        self.reserve_percent = reserve_percent
        self.used: int | None = None
        self.limit: int | None = None
        self.calls = 0
        self._lock = threading.Lock()

    def observe(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """A ``requests`` response hook: read the usage header of every answer."""
        match = _USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
        with self._lock:
            self.calls += 1
            if match:
                self.used, self.limit = int(match[1]), int(match[2])

    @property
    def reserve(self) -> int:
        return math.ceil((self.limit or 0) * self.reserve_percent / 100)

    @property
    def remaining(self) -> int | None:
        """Calls left before the reserve, when known."""
        if self.used is None or self.limit is None:
            return None
        return self.limit - self.reserve - self.used

    def ensure(self, calls: int = 1) -> None:
        """Raise :class:`QuotaExhaustedError` if ``calls`` more would go into the reserve."""
        remaining = self.remaining
        if remaining is not None and calls > remaining:
            raise QuotaExhaustedError(
                f"Salesforce daily API allowance nearly spent ({self.used}/{self.limit} used, reserve "
                f"{self.reserve}); stopping cleanly, resume when the allowance recovers")
