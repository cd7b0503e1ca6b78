"""The simple-salesforce client of one connection, and the translation of its errors into hub errors.

TLS trust is explicit: the ``requests.Session`` ignores environment variables (``REQUESTS_CA_BUNDLE``
would otherwise override ``verify``) and trusts ``ca_file`` or the system store. A call that meets
``INVALID_SESSION_ID`` gets a new session (single-flight) and is sent again once: Salesforce
rejects an expired session before doing anything, so the batch in flight is neither lost nor doubled.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from crmhub_salesforce.auth import Grant, TokenSource
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.limits import ApiBudget
from crmhub_salesforce.netpolicy import check_resolved, url_problem
from hub.errors import (
    AuthError,
    CrmhubError,
    DataError,
    FatalError,
    QuotaExhaustedError,
    RetriableError,
    SchemaError,
    register_secret,
)

T = TypeVar("T")
SESSION_KEY = "oauth-session"
CONCURRENCY_RETRY_AFTER = 5.0
_VALUE_ECHO = re.compile(
    r"(data value too large|bad value for restricted picklist field|invalid email address|value not of required "
    r"type|Duplicate external id specified|more than one record found for external id field)\s*:\s*.*?"
    r"(\s\(max length=\d+\))?(?=:[A-Za-z_,]* --|$)", re.DOTALL)


_PARSER_ECHO = re.compile(r"(from VALUE_\w+) value .*? (or request may be missing)", re.DOTALL)


def safe_message(message: str) -> str:
    """Salesforce's message without the field value it echoes (values may be personal data)."""
    message = _PARSER_ECHO.sub(r"\1 value … \2", message)
    return _VALUE_ECHO.sub(lambda m: f"{m[1]}: …{m[2] or ''}", message)[:500]


def _timeout_session(session: requests.Session, timeout: float) -> None:
    original = session.request

    def request(method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", timeout)
        return original(method, url, **kwargs)

    session.request = request  # type: ignore[method-assign,assignment]


def build_session(config: SalesforceConfig, budget: ApiBudget) -> requests.Session:
    """A ``requests.Session`` with explicit trust, timeout and the usage hook."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(config.ca_file) if config.ca_file else True
    if config.proxy:
        session.proxies = {"https": config.proxy}
    session.hooks["response"].append(budget.observe)
    _timeout_session(session, config.timeout)
    return session


class SalesforceApi:
    """One authenticated simple-salesforce client; every call goes through :meth:`call`."""

    def __init__(self, config: SalesforceConfig, kv: Any = None) -> None:
        self.config = config
        self.budget = ApiBudget(config.api_reserve_percent)
        self.session = build_session(config, self.budget)
        self.tokens = TokenSource(config)
        self.kv = kv
        """The connection's encrypted key-value store (``ConnectorContext.kv``): OAuth sessions outlive a run."""
        self._sf: Any = None
        self._lock = threading.Lock()
        self.refreshes = 0

    @property
    def sf(self) -> Any:
        """The ``simple_salesforce.Salesforce`` client, connecting on first use."""
        if self._sf is None:
            self._connect(stale=None)
        return self._sf

    def _connect(self, stale: str | None) -> None:
        from simple_salesforce.api import Salesforce

        with self._lock:
            if self._sf is not None and self._sf.session_id != stale:
                return  # another caller already refreshed (single flight)
            grant = self._cached_grant() if stale is None else None
            if grant is None:
                grant = self.tokens.obtain(self.session)
                self._keep_grant(grant)
            check_resolved(grant.instance_url, sandbox=self.config.sandbox)
            if self._sf is not None:
                self.refreshes += 1
            self._sf = Salesforce(instance_url=grant.instance_url, session_id=grant.access_token,
                                  session=self.session, version=self.config.api_version)

    def _cached_grant(self) -> Grant | None:
        """The OAuth session a previous run kept, if any; an expired one is renewed on its first 401."""
        if self.kv is None or not self.tokens.refreshable:
            return None
        raw = self.kv.get(SESSION_KEY)
        if not raw:
            return None
        try:
            kept = json.loads(raw)
            grant = Grant(str(kept["access_token"]), str(kept["instance_url"]))
        except (ValueError, KeyError, TypeError):
            return None
        if url_problem("instance_url", grant.instance_url, sandbox=self.config.sandbox):
            return None
        register_secret(grant.access_token)
        return grant

    def _keep_grant(self, grant: Grant) -> None:
        if self.kv is not None and self.tokens.refreshable:
            self.kv.set(SESSION_KEY, json.dumps({"access_token": grant.access_token,
                                                 "instance_url": grant.instance_url}))

    def call(self, what: str, fn: Callable[[Any], T], *, calls: int = 1) -> T:
        """Run ``fn(sf)``; renew the session once on ``INVALID_SESSION_ID``; raise hub errors."""
        from simple_salesforce.exceptions import SalesforceExpiredSession

        self.budget.ensure(calls)
        sf = self.sf
        try:
            try:
                return fn(sf)
            except SalesforceExpiredSession:
                if not self.tokens.refreshable:
                    raise AuthError(f"Salesforce session expired during {what} and a fixed token cannot be "
                                    "renewed; configure an OAuth flow") from None
                self._connect(stale=sf.session_id)
                try:
                    return fn(self.sf)
                except SalesforceExpiredSession:
                    raise AuthError(f"Salesforce rejected a freshly issued session during {what}") from None
        except CrmhubError:
            raise
        except Exception as exc:
            raise translate(what, exc) from None


def error_items(content: Any) -> list[dict[str, Any]]:
    """The ``[{"errorCode", "message"}]`` list of an error body, whatever shape it came in."""
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        return [item for item in content if isinstance(item, dict)]
    return []


def translate(what: str, exc: Exception) -> CrmhubError:
    """Classify an exception from simple-salesforce or requests by what the engine should do."""
    from simple_salesforce.exceptions import SalesforceError

    if isinstance(exc, requests.Timeout | requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return RetriableError(f"Salesforce did not answer {what} ({type(exc).__name__}); the request may or may "
                              "not have been applied")
    if not isinstance(exc, SalesforceError):
        return FatalError(f"unexpected failure during {what}: {type(exc).__name__}: {exc}")
    items = error_items(exc.content)
    code = str(items[0].get("errorCode", "")) if items else ""
    message = safe_message(str(items[0].get("message", ""))) if items else ""
    label = f"Salesforce {exc.status} {code}: {message}".strip(": ")
    status = exc.status
    if code == "REQUEST_LIMIT_EXCEEDED":
        if "TotalRequests" in message:
            return QuotaExhaustedError(f"{label} during {what}; resume when the daily allowance recovers")
        return RetriableError(f"{label} during {what}", retry_after=CONCURRENCY_RETRY_AFTER)
    if status in (429, 500, 502, 503, 504) or code in ("SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW",
                                                        "INVALID_QUERY_LOCATOR"):
        return RetriableError(f"{label} during {what}")
    if status == 401 or code in ("INVALID_SESSION_ID", "INSUFFICIENT_ACCESS", "API_DISABLED_FOR_ORG"):
        return AuthError(f"{label} during {what}")
    if status == 300 or code == "DUPLICATE_EXTERNAL_ID":
        return DataError(f"{what}: the key matches several Salesforce records", code="DUPLICATE_EXTERNAL_ID")
    if code in ("INVALID_FIELD", "INVALID_TYPE", "NOT_FOUND", "INVALID_FIELD_FOR_INSERT_UPDATE",
                "JSON_PARSER_ERROR") or status == 404:
        return SchemaError(f"{label} during {what}")
    return FatalError(f"{label} during {what}")
