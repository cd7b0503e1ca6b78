"""The engine's retry policy: connectors raise, the engine decides when to try again (tenacity)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from hub.errors import RetriableError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry a :class:`RetriableError`.

    ``retry_after`` from the error (HTTP ``Retry-After``) is honoured when it is longer than the
    backoff; waits never exceed ``max_wait``. ``CRMHUB_RETRY_SCALE`` scales every wait (tests set it low).
    """

    attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 120.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        scale = float(os.environ.get("CRMHUB_RETRY_SCALE", "1"))
        return cls(initial_wait=0.5 * scale, max_wait=120.0 * max(scale, 0.01))

    def _wait(self, state: tenacity.RetryCallState) -> float:
        backoff = tenacity.wait_exponential_jitter(
            multiplier=self.initial_wait, max=self.max_wait, jitter=self.initial_wait
        )(state)
        exc = state.outcome.exception() if state.outcome else None
        hinted = getattr(exc, "retry_after", None)
        if isinstance(hinted, int | float) and hinted > 0:
            return float(min(max(hinted, backoff), self.max_wait))
        return float(backoff)

    def call(self, fn: Callable[[], T], on_retry: Callable[[BaseException, float], None] | None = None) -> T:
        """Run ``fn``; retry it on :class:`RetriableError`; re-raise the last error when attempts run out."""

        def before_sleep(state: tenacity.RetryCallState) -> None:
            if on_retry and state.outcome is not None:
                exc = state.outcome.exception()
                if exc is not None:
                    on_retry(exc, state.upcoming_sleep)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(RetriableError),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=self._wait,
            reraise=True,
            before_sleep=before_sleep,
        )
        return retrying(fn)
