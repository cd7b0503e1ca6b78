"""Sandbox settings (limits, sessions, fault injection) and the faults tests schedule at run time.

Everything is off or generous by default. ``SandboxOptions.settings`` keys are the field names of
:class:`SandboxSettings`; unknown keys are refused so a typo does not silently switch nothing on.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass
from typing import Any

from hub.errors import ConfigError

# Credentials the sandbox accepts for the OAuth flows. They protect nothing: the sandbox holds test data.
SANDBOX_CLIENT_ID = "crmhub-sandbox-client"
SANDBOX_CLIENT_SECRET = "crmhub-sandbox-secret"  # noqa: S105 - a fixed sandbox credential, documented
SANDBOX_USERNAME = "integration@crmhub.sandbox"
SANDBOX_PASSWORD = "sandbox-password"  # noqa: S105 - a fixed sandbox credential, documented
SANDBOX_SECURITY_TOKEN = "SANDBOXSECURITYTOKEN"  # noqa: S105 - a fixed sandbox credential, documented


@dataclass(slots=True)
class SandboxSettings:
    """How the sandbox org behaves."""

    daily_api_limit: int = 10_000_000
    """Calls per UTC day before ``REQUEST_LIMIT_EXCEEDED`` (Salesforce: 100,000 + per-licence)."""
    token_lifetime: float | None = None
    """Seconds a session id lives before ``INVALID_SESSION_ID`` (``None``: forever)."""
    query_batch_size: int = 2000
    """Records per query page unless ``Sforce-Query-Options: batchSize`` asks for fewer (at least 200)."""
    max_concurrent: int | None = None
    """Concurrent requests before ``ConcurrentPerOrgLongTxn Limit exceeded`` (Salesforce: 25 long ones)."""
    latency_ms: float = 0.0
    fail_prob: float = 0.0
    """Probability that an API request fails with ``fail_status`` before doing anything."""
    fail_status: int = 503
    drop_after_commit_prob: float = 0.0
    """Probability that a write request commits and then the connection drops without a response."""
    bulk_fail_after_chunks: int | None = None
    """Fail every Bulk API 2.0 job after this many 10,000-record chunks; the rest is unprocessed."""
    bulk_chunk_delay_ms: float = 0.0
    seed: int | None = None
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    username: str = SANDBOX_USERNAME
    password: str = SANDBOX_PASSWORD
    security_token: str = SANDBOX_SECURITY_TOKEN
    jwt_public_key: str | None = None
    """PEM public key (or certificate) of the connected app, for the JWT bearer flow."""

    @classmethod
    def from_options(cls, raw: dict[str, Any]) -> SandboxSettings:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"unknown salesforce sandbox settings: {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(known))})")
        return cls(**raw)


@dataclass(slots=True)
class ScheduledFault:
    """A fault that fires on ``times`` requests matching ``method`` and ``path_contains``, after ``after``."""

    kind: str  # "fail", "drop_after_commit", "invalid_session", "limit", "concurrency"
    times: int = 1
    method: str | None = None
    path_contains: str = ""
    status: int = 503
    after: int = 0


class Faults:
    """Fault injection: random by settings (seeded), or scheduled by tests."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._scheduled: list[ScheduledFault] = []
        self._lock = threading.Lock()

    def schedule(self, kind: str, *, times: int = 1, method: str | None = None, path_contains: str = "",
                 status: int = 503, after: int = 0) -> None:
        """Make ``times`` matching requests fail in the given way, once ``after`` matching ones went through."""
        with self._lock:
            self._scheduled.append(ScheduledFault(kind, times, method, path_contains, status, after))

    def clear(self) -> None:
        with self._lock:
            self._scheduled.clear()

    def take(self, kind: str, method: str, path: str) -> ScheduledFault | None:
        """The scheduled fault of ``kind`` for this request, if one is due (consumes one firing)."""
        with self._lock:
            for fault in self._scheduled:
                if fault.kind != kind or (fault.method and fault.method != method):
                    continue
                if fault.path_contains not in path:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._scheduled.remove(fault)
                return fault
        return None

    def roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            return self._random.random() < probability
