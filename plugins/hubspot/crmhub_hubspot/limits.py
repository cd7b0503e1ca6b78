"""One request limiter per HubSpot account, shared by every stream, worker and connection of the process.

HubSpot counts requests per account (portal): a rolling ten-second window (100 or 190 by tier), 5 search requests
per second, and a daily allowance. The limiter holds each request back until it fits all three windows, reads the
``X-HubSpot-RateLimit-*`` headers to learn the account's real limits and what other clients used, and after a 429
holds *every* caller until ``Retry-After`` has passed, so no request is sent early. Waiting for a free slot is
throttling, not retrying: the engine still owns retries.

A request occupies its slot from the moment it is sent until ten seconds after its *answer* arrived. HubSpot
counted it somewhere in between; counting from the answer is the only bound that holds when the network or a
loaded machine delays requests unevenly (counting from the send lets a slow early request and a fast late one
overlap in HubSpot's window, and a 429 follows).
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Mapping

from hub.errors import QuotaExhaustedError

TEN_SECONDS = 10.0
# Headroom against clock differences between this machine and HubSpot's.
SEND_MARGIN_S = 0.02
_IN_FLIGHT = math.inf


class Slot:
    """One request's place in the windows; :meth:`AccountLimiter.release` dates it when the answer arrives."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[list[float]]) -> None:
        self.entries = entries


class AccountLimiter:
    """Rolling windows for one account. Thread-safe; ``acquire`` blocks until a request may go."""

    def __init__(self, per_10s: int | None, search_per_s: int | None, daily: int | None, daily_reserve: int = 0,
                 *, clock: collections.abc.Callable[[], float] = time.monotonic,
                 sleep: collections.abc.Callable[[float], None] = time.sleep) -> None:
        self.per_10s = per_10s
        self.search_per_s = search_per_s
        self.daily = daily
        self.daily_reserve = daily_reserve
        self.daily_remaining: int | None = None
        self.requests = 0
        self.waited_s = 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # Each entry is [time the answer arrived], or [inf] while the request is in flight.
        self._sent: list[list[float]] = []
        self._searches: list[list[float]] = []
        self._hold_until = 0.0

    def acquire(self, *, search: bool = False) -> Slot:
        """Block until one more request (a search request when ``search``) fits; release the slot afterwards."""
        while True:
            with self._lock:
                left = self.daily_remaining
                if left is None and self.daily is not None:
                    left = self.daily - self.requests  # no header seen yet: count ourselves
                if left is not None and left <= self.daily_reserve:
                    raise QuotaExhaustedError(
                        f"HubSpot daily API allowance nearly spent ({left} calls left, reserve "
                        f"{self.daily_reserve}); the run stops here and resumes from its checkpoint",
                        resume_after=_seconds_to_midnight())
                now = self._clock()
                wait = self._wait_needed(now, search)
                if wait <= 0:
                    entries = [[_IN_FLIGHT]]
                    self._sent.append(entries[0])
                    if search:
                        entries.append([_IN_FLIGHT])
                        self._searches.append(entries[1])
                    if self.daily_remaining is not None:
                        self.daily_remaining -= 1
                    self.requests += 1
                    return Slot(entries)
            wait = max(wait, 0.001)  # never a zero-length sleep that float rounding could repeat forever
            self.waited_s += wait
            self._sleep(wait)

    def release(self, slot: Slot) -> None:
        """The answer to ``slot``'s request arrived (or it failed): its window time starts now."""
        with self._lock:
            now = self._clock()
            for entry in slot.entries:
                entry[0] = now

    def _wait_needed(self, now: float, search: bool) -> float:
        wait = self._hold_until - now
        wait = max(wait, _window_wait(self._sent, self.per_10s, TEN_SECONDS + SEND_MARGIN_S, now))
        if search:
            wait = max(wait, _window_wait(self._searches, self.search_per_s, 1.0 + SEND_MARGIN_S, now))
        return wait

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from a response's ``X-HubSpot-RateLimit-*`` headers."""
        maximum = _int(headers.get("X-HubSpot-RateLimit-Max"))
        remaining = _int(headers.get("X-HubSpot-RateLimit-Remaining"))
        daily_remaining = _int(headers.get("X-HubSpot-RateLimit-Daily-Remaining"))
        with self._lock:
            if maximum is not None and (self.per_10s is None or maximum < self.per_10s):
                self.per_10s = maximum  # the account's real tier is lower than configured
            if daily_remaining is not None:
                self.daily_remaining = daily_remaining
            if remaining is not None and remaining <= 0 and self.per_10s:
                # Another client used the window: wait for about one slot to free up.
                self._hold_until = max(self._hold_until, self._clock() + TEN_SECONDS / self.per_10s)

    def hold(self, seconds: float) -> None:
        """After a 429: no caller sends anything for ``seconds``."""
        with self._lock:
            self._hold_until = max(self._hold_until, self._clock() + seconds)


def _window_wait(entries: list[list[float]], limit: int | None, window: float, now: float) -> float:
    """Seconds until one more request fits ``limit`` per ``window`` (dropping entries that left the window)."""
    entries[:] = [e for e in entries if now - e[0] < window]
    if limit is None or len(entries) < limit:
        return 0.0
    answered = [e[0] for e in entries if e[0] != _IN_FLIGHT]
    if not answered:
        return 0.05  # every slot is in flight: look again shortly
    return window - (now - min(answered))


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _seconds_to_midnight() -> float:
    now = time.localtime()
    return float(24 * 3600 - (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec))


_registry: dict[str, AccountLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(account: str, per_10s: int | None, search_per_s: int | None, daily: int | None,
                daily_reserve: int) -> AccountLimiter:
    """The process-wide limiter of ``account``; the first connection to ask configures it."""
    with _registry_lock:
        limiter = _registry.get(account)
        if limiter is None:
            limiter = AccountLimiter(per_10s, search_per_s, daily, daily_reserve)
            _registry[account] = limiter
        return limiter


def forget_limiters() -> None:
    """Drop every shared limiter (tests start each sandbox with a fresh account)."""
    with _registry_lock:
        _registry.clear()
