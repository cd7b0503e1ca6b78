"""Access tokens: a private-app token as it is, or OAuth access tokens refreshed ahead of expiry.

HubSpot's OAuth access tokens live 30 minutes. :class:`OAuthTokens` refreshes when less than a fifth of the
lifetime (at most five minutes) is left, one refresh at a time: concurrent callers wait for the refresh in
flight instead of starting their own. Each new token is registered with :func:`hub.errors.register_secret`.
With the connection's encrypted key-value store (``ConnectorContext.kv``) an access token outlives the run that
obtained it, so the next run starts without a refresh.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from hub.errors import AuthError, RetriableError, register_secret

MAX_MARGIN_S = 300.0
TOKEN_KEY = "oauth_access_token"  # noqa: S105 - the name of a key-value entry, not a secret


class TokenSource(Protocol):
    """Hands out the access token to send now."""

    oauth: bool

    def current(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


class PrivateAppToken:
    """A private app's token: it never expires, so a 401 means it was revoked."""

    oauth = False

    def __init__(self, token: str) -> None:
        register_secret(token)
        self._token = token

    def current(self) -> str:
        return self._token

    def invalidate(self, token: str) -> None:
        """Nothing to refresh: the caller reports an :class:`AuthError`."""


# (access_token, expires_in seconds) from the token endpoint; raises hub errors itself.
Refresher = Callable[[], tuple[str, float]]


class OAuthTokens:
    """OAuth access tokens from a refresh token, refreshed ahead of expiry, single-flight."""

    oauth = True

    def __init__(self, refresh: Refresher, *, clock: Callable[[], float] = time.monotonic,
                 store: Any = None, fingerprint: str = "") -> None:
        self._refresh = refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self._store = store
        self._fingerprint = fingerprint  # which refresh token the stored access token belongs to
        self.refreshes = 0
        self._load()

    def _load(self) -> None:
        raw = self._store.get(TOKEN_KEY) if self._store is not None else None
        if not raw:
            return
        try:
            saved = json.loads(raw)
            token, refresh_at_wall, owner = str(saved["token"]), float(saved["refresh_at"]), saved["fingerprint"]
        except (ValueError, KeyError, TypeError):
            return
        left = refresh_at_wall - time.time()
        if owner == self._fingerprint and left > 0:
            register_secret(token)
            self._token, self._refresh_at = token, self._clock() + left

    def _save(self, token: str, refresh_in: float) -> None:
        if self._store is not None:
            self._store.set(TOKEN_KEY, json.dumps({"token": token, "refresh_at": time.time() + refresh_in,
                                                   "fingerprint": self._fingerprint}))

    def current(self) -> str:
        token = self._token
        if token is not None and self._clock() < self._refresh_at:
            return token
        with self._lock:  # one refresh at a time; late arrivals reuse its result
            if self._token is not None and self._clock() < self._refresh_at:
                return self._token
            started = self._clock()
            new_token, expires_in = self._refresh()
            register_secret(new_token)
            margin = min(MAX_MARGIN_S, expires_in / 5)
            self._token = new_token
            self._refresh_at = started + max(expires_in - margin, 0.0)
            self.refreshes += 1
            self._save(new_token, self._refresh_at - self._clock())
            return new_token

    def invalidate(self, token: str) -> None:
        """A 401 for ``token``: refresh on the next call (unless another thread already has)."""
        with self._lock:
            if self._token == token:
                self._refresh_at = 0.0


def refresh_failure(status: int, body: dict[str, object]) -> Exception:
    """The error to raise when the token endpoint refused a refresh."""
    reason = str(body.get("status") or body.get("category") or status)
    if status >= 500 or status in (0, 429):
        return RetriableError(f"HubSpot OAuth token refresh failed temporarily ({reason})", retry_after=5.0)
    return AuthError(f"HubSpot refused the OAuth refresh ({reason}): check oauth_client_id, "
                     "oauth_client_secret and oauth_refresh_token")
