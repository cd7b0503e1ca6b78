"""The HTTP layer under Zoho's SDK: one ``requests.Session`` per connection, timeouts on every call.

The SDK calls module-level ``requests.get/post/put/patch/delete`` and sets a timeout only on GETs and
never on its token refresh. Its two modules that do so get a stand-in ``requests`` whose functions send
through the session of the connection currently in scope (a context variable): every request then
has a timeout, connections are reused (keep-alive), ``trust_env`` is off (the machine's
``REQUESTS_CA_BUNDLE`` would otherwise override the connection's CA) and ``ca_file`` is honoured.
Outside a crmhub scope the stand-in behaves like plain ``requests``.
"""

from __future__ import annotations

import contextvars
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import requests

_CURRENT: contextvars.ContextVar[ScopedSession | None] = contextvars.ContextVar("zoho_session", default=None)
_INSTALLED = False
_INSTALL_LOCK = threading.Lock()


class ScopedSession:
    """A connection's session and its timeouts."""

    def __init__(self, connect_timeout: float, read_timeout: float, ca_file: Path | None) -> None:
        self.session = requests.Session()
        self.session.trust_env = False
        if ca_file is not None:
            self.session.verify = str(ca_file)
        self.timeout = (connect_timeout, read_timeout)
        self.calls = 0

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        self.calls += 1
        return self.session.request(method, url, **kwargs)

    def close(self) -> None:
        self.session.close()


def _route(method: str) -> Any:
    def call(url: str, **kwargs: Any) -> requests.Response:
        scoped = _CURRENT.get()
        if scoped is None:
            return requests.request(method, url, **kwargs)  # noqa: S113 - outside crmhub: the SDK's own call
        return scoped.request(method, url, **kwargs)

    call.__name__ = method.lower()
    return call


_STAND_IN = SimpleNamespace(
    get=_route("GET"), post=_route("POST"), put=_route("PUT"), patch=_route("PATCH"), delete=_route("DELETE"),
    Response=requests.Response, Session=requests.Session, exceptions=requests.exceptions,
)


def install() -> None:
    """Give the SDK's HTTP and token modules the stand-in ``requests`` (once per process)."""
    global _INSTALLED
    with _INSTALL_LOCK:
        if _INSTALLED:
            return
        from zohocrmsdk.src.com.zoho.api.authenticator import oauth_token  # type: ignore[import-untyped]
        from zohocrmsdk.src.com.zoho.crm.api.util import api_http_connector  # type: ignore[import-untyped]

        api_http_connector.requests = _STAND_IN
        oauth_token.requests = _STAND_IN
        _INSTALLED = True


def activate(scoped: ScopedSession) -> contextvars.Token[ScopedSession | None]:
    return _CURRENT.set(scoped)


def deactivate(token: contextvars.Token[ScopedSession | None]) -> None:
    _CURRENT.reset(token)
