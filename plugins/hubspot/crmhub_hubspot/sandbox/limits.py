"""What the sandbox enforces besides the API itself: rate limits, tokens, and injected faults.

All of it is off or generous by default; ``SandboxOptions.settings`` turns it on:

============================  ==================================================================
``tier``                      ``free``/``starter`` (100 req/10 s, 250k/day), ``pro`` (190, 625k),
                              ``enterprise`` (190, 1M); sets the three limits below at once
``requests_per_10s``          the TEN_SECONDLY_ROLLING limit per account
``search_per_second``         the search endpoints' limit per account (HubSpot: 5)
``daily_limit``               the DAILY limit per account
``token_lifetime_s``          lifetime of OAuth access tokens (HubSpot: 1800)
``fail_prob``                 probability of a 502 before a request is handled
``drop_after_commit``         probability that a write is committed and the connection then dropped
``latency_ms``                added to every request
``search_lag_ms``             how long a change takes to reach the search index
``max_url_length``            request lines longer than this get 414 (default 8192)
``wide_properties``           extra custom properties per object (for the 414 on wide GETs)
``private_app_token``         the token printed by ``crmhub sandbox hubspot`` (generated)
``oauth_client_id`` …         ``oauth_client_secret``, ``oauth_refresh_token`` (generated)
``tls``                       serve HTTPS with a trustme CA instead of plain HTTP
``seed``                      seeds the fault generator
============================  ==================================================================
"""

from __future__ import annotations

import collections
import math
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

TIERS = {
    "free": (100, 250_000),
    "starter": (100, 250_000),
    "pro": (190, 625_000),
    "professional": (190, 625_000),
    "enterprise": (190, 1_000_000),
}
TEN_SECONDS = 10.0


@dataclass(slots=True)
class SandboxSettings:
    """The sandbox's knobs, read from ``SandboxOptions.settings``."""

    requests_per_10s: int | None = None
    search_per_second: int | None = None
    daily_limit: int | None = None
    token_lifetime_s: float = 1800.0
    fail_prob: float = 0.0
    drop_after_commit: float = 0.0
    latency_ms: float = 0.0
    search_lag_ms: int = 0
    max_url_length: int = 8192
    wide_properties: int = 0
    tls: bool = False
    gdpr_enabled: bool = True
    """Subscribing needs a legal basis and its explanation (a portal with GDPR features on)."""
    seed: int | None = None
    private_app_token: str = field(default_factory=lambda: "pat-na1-" + str(uuid.uuid4()))
    oauth_client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    oauth_client_secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    oauth_refresh_token: str = field(default_factory=lambda: "na1-" + secrets.token_hex(16))

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> SandboxSettings:
        values = dict(raw)
        tier = values.pop("tier", None)
        settings = cls()
        if tier is not None:
            try:
                per_10s, daily = TIERS[str(tier).lower()]
            except KeyError:
                raise ValueError(f"unknown HubSpot tier {tier!r} (known: {', '.join(TIERS)})") from None
            settings.requests_per_10s, settings.daily_limit, settings.search_per_second = per_10s, daily, 5
        for key, value in values.items():
            if not hasattr(settings, key):
                raise ValueError(f"unknown hubspot sandbox setting {key!r}")
            setattr(settings, key, value)
        return settings


class RateLimits:
    """HubSpot's per-account limits: a rolling ten-second window, a secondly search window, a daily count."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._recent: collections.deque[float] = collections.deque()
        self._searches: collections.deque[float] = collections.deque()
        self._day = time.strftime("%Y-%m-%d")
        self.daily_used = 0
        self.rejected = 0

    def admit(self, *, search: bool) -> tuple[str | None, float, dict[str, str]]:
        """Count one request. Returns (policy violated or None, seconds until it would pass, headers)."""
        settings = self.settings
        now = time.monotonic()
        with self._lock:
            today = time.strftime("%Y-%m-%d")
            if today != self._day:
                self._day, self.daily_used = today, 0
            while self._recent and now - self._recent[0] >= TEN_SECONDS:
                self._recent.popleft()
            while self._searches and now - self._searches[0] >= 1.0:
                self._searches.popleft()
            violated: str | None = None
            wait = 0.0
            if settings.daily_limit is not None and self.daily_used >= settings.daily_limit:
                violated, wait = "DAILY", _seconds_to_midnight()
            elif settings.requests_per_10s is not None and len(self._recent) >= settings.requests_per_10s:
                violated, wait = "TEN_SECONDLY_ROLLING", TEN_SECONDS - (now - self._recent[0])
            elif search and settings.search_per_second is not None \
                    and len(self._searches) >= settings.search_per_second:
                violated, wait = "SECONDLY", 1.0 - (now - self._searches[0])
            if violated is None:
                self._recent.append(now)
                if search:
                    self._searches.append(now)
                self.daily_used += 1
            else:
                self.rejected += 1
            headers = {} if search else self._headers()
        return violated, wait, headers

    def _headers(self) -> dict[str, str]:
        settings = self.settings
        headers: dict[str, str] = {}
        if settings.requests_per_10s is not None:
            headers["X-HubSpot-RateLimit-Max"] = str(settings.requests_per_10s)
            headers["X-HubSpot-RateLimit-Remaining"] = str(max(settings.requests_per_10s - len(self._recent), 0))
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000"
        if settings.daily_limit is not None:
            headers["X-HubSpot-RateLimit-Daily"] = str(settings.daily_limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(max(settings.daily_limit - self.daily_used, 0))
        return headers


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def _seconds_to_midnight() -> float:
    now = time.localtime()
    return float(24 * 3600 - (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec))


@dataclass(slots=True)
class IssuedToken:
    expires_at: float | None  # None: a private-app token, which does not expire


class Tokens:
    """Access tokens the sandbox accepts: the private-app token, and OAuth tokens it issued."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {settings.private_app_token: IssuedToken(None)}
        self.refreshes = 0

    def issue(self) -> tuple[str, int]:
        token = "CK" + secrets.token_urlsafe(48)
        lifetime = self.settings.token_lifetime_s
        with self._lock:
            self._tokens[token] = IssuedToken(time.monotonic() + lifetime)
            self.refreshes += 1
        return token, max(int(lifetime), 1) if lifetime >= 1 else 1

    def expired_for(self, token: str) -> float | None:
        """``None`` when the token is valid; else how many seconds ago it expired (``-1``: unknown token)."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            return -1.0
        if issued.expires_at is None:
            return None
        late = time.monotonic() - issued.expires_at
        return late if late >= 0 else None
