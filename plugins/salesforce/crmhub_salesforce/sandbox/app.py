"""The sandbox org: routing, authentication, API limits and fault injection around the resources."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from crmhub_salesforce.sandbox import bulk, collections, oauth, rest
from crmhub_salesforce.sandbox.errors import ApiFault, not_found
from crmhub_salesforce.sandbox.oauth import Sessions
from crmhub_salesforce.sandbox.settings import Faults, SandboxSettings
from crmhub_salesforce.sandbox.store import Store
from crmhub_salesforce.sandbox.wire import Request, Response, fault_response

MIN_VERSION, MAX_VERSION = 31.0, 62.0
Handler = Callable[..., Response]

_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"", lambda org, req: Response(200, {
        "sobjects": f"/services/data/v{req.version}/sobjects", "query": f"/services/data/v{req.version}/query",
        "queryAll": f"/services/data/v{req.version}/queryAll", "limits": f"/services/data/v{req.version}/limits",
        "composite": f"/services/data/v{req.version}/composite", "jobs": f"/services/data/v{req.version}/jobs"})),
    ("GET", r"limits", rest.limits),
    ("GET", r"sobjects", rest.global_describe),
    ("GET", r"sobjects/(\w+)/describe", rest.describe),
    ("GET", r"sobjects/(\w+)/deleted", rest.deleted),
    ("POST", r"sobjects/(\w+)", rest.create),
    ("GET|PATCH|DELETE", r"sobjects/(\w+)/([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})", rest.record),
    ("GET|PATCH|DELETE", r"sobjects/(\w+)/(\w+)/([^/]+)", rest.by_external_id),
    ("GET", r"query", lambda org, req: rest.query(org, req, False)),
    ("GET", r"queryAll", lambda org, req: rest.query(org, req, True)),
    ("GET", r"query/([\w-]+)", lambda org, req, loc: rest.query_more(org, req, loc, False)),
    ("GET", r"queryAll/([\w-]+)", lambda org, req, loc: rest.query_more(org, req, loc, True)),
    ("POST|PATCH", r"composite/sobjects", collections.create_or_update),
    ("DELETE", r"composite/sobjects", collections.delete),
    ("PATCH", r"composite/sobjects/(\w+)/(\w+)", collections.upsert),
    ("GET", r"composite/sobjects/(\w+)", collections.retrieve),
    ("POST", r"jobs/ingest", bulk.create_job),
    ("GET", r"jobs/ingest", bulk.list_jobs),
    ("PUT", r"jobs/ingest/(\w+)/batches", bulk.upload),
    ("GET|PATCH|DELETE", r"jobs/ingest/(\w+)", bulk.job),
    ("GET", r"jobs/ingest/(\w+)/(successfulResults|failedResults|unprocessedrecords)", bulk.results),
]
_COMPILED = [(methods.split("|"), re.compile(pattern + "/?$", re.IGNORECASE), handler)
             for methods, pattern, handler in _ROUTES]
_API_PATH = re.compile(r"^/services/data/v(\d{2}\.\d)(?:/(.*))?$")
_INVALID_SESSION = ApiFault(401, "INVALID_SESSION_ID", "Session expired or invalid")


class Org:
    """State of one sandbox org: records, sessions, open query cursors, limits and faults."""

    def __init__(self, store: Store, settings: SandboxSettings, base_url: str = "") -> None:
        self.store = store
        self.settings = settings
        self.faults = Faults(settings)
        self.sessions = Sessions()
        self.cursors: dict[str, rest.Cursor] = {}
        self.base_url = base_url
        self._in_flight = 0
        self._lock = threading.Lock()

    @staticmethod
    def today() -> str:
        return dt.datetime.now(dt.UTC).date().isoformat()

    def calls_today(self) -> int:
        return self.store.calls(self.today())

    # Dispatch ---------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        """Answer one request; never raises."""
        try:
            if req.path.rstrip("/") == "/services/oauth2/token" and req.method == "POST":
                return oauth.token(self, req)
            if req.path.rstrip("/") == "/services/data":
                return Response(200, [{"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}])
            match = _API_PATH.match(req.path)
            if not match:
                raise not_found()
            req.version = match[1]
            if not MIN_VERSION <= float(req.version) <= MAX_VERSION:
                raise not_found()
            handler, args = self._route(req.method, match[2] or "")
            return self._guarded(req, handler, args)
        except ApiFault as fault:
            return fault_response(fault)

    def _route(self, method: str, rest_path: str) -> tuple[Handler, tuple[str, ...]]:
        allowed = False
        for methods, pattern, handler in _COMPILED:
            found = pattern.match(rest_path)
            if found:
                if method in methods:
                    return handler, found.groups()
                allowed = True
        if allowed:
            raise ApiFault(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are GET")
        raise not_found()

    def _guarded(self, req: Request, handler: Handler, args: tuple[str, ...]) -> Response:
        """Authenticate, count the call against the daily allowance, inject faults, run the handler."""
        self._authenticate(req)
        path = req.path
        if self.faults.take("limit", req.method, path):
            raise self._limit_fault("TotalRequests Limit exceeded.")
        limit = self.settings.daily_api_limit
        if self.calls_today() >= limit:
            raise self._limit_fault("TotalRequests Limit exceeded.")
        used = self.store.add_call(self.today())
        limit_header = {"Sforce-Limit-Info": f"api-usage={used}/{limit}"}
        with self._lock:
            self._in_flight += 1
            busy = self.settings.max_concurrent is not None and self._in_flight > self.settings.max_concurrent
        try:
            if busy or self.faults.take("concurrency", req.method, path):
                raise self._limit_fault("ConcurrentPerOrgLongTxn Limit exceeded.", limit_header)
            if self.settings.latency_ms:
                time.sleep(self.settings.latency_ms / 1000)
            scheduled = self.faults.take("fail", req.method, path)
            if scheduled or self.faults.roll(self.settings.fail_prob):
                status = scheduled.status if scheduled else self.settings.fail_status
                raise self._server_fault(status, limit_header)
            response = handler(self, req, *args)
        finally:
            with self._lock:
                self._in_flight -= 1
        response.headers.update(limit_header)
        if req.method != "GET" and (self.faults.take("drop_after_commit", req.method, path)
                                    or self.faults.roll(self.settings.drop_after_commit_prob)):
            response.drop = True
        return response

    def _authenticate(self, req: Request) -> None:
        header = req.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token.strip():
            raise _INVALID_SESSION
        if self.faults.take("invalid_session", req.method, req.path):
            raise _INVALID_SESSION
        if not self.sessions.valid(token.strip(), self.settings.token_lifetime):
            raise _INVALID_SESSION

    @staticmethod
    def _limit_fault(message: str, headers: dict[str, str] | None = None) -> ApiFault:
        return ApiFault(403, "REQUEST_LIMIT_EXCEEDED", message, headers=dict(headers or {}))

    @staticmethod
    def _server_fault(status: int, headers: dict[str, str]) -> ApiFault:
        if status == 503:
            return ApiFault(503, "SERVER_UNAVAILABLE", "Server is temporarily unavailable, please try again later",
                            headers=dict(headers))
        body: Any = [{"errorCode": "UNKNOWN_EXCEPTION",
                      "message": "An unexpected error occurred. Please include this ErrorId if you contact support: "
                                 "1834523658-97512 (-1094318592)"}]
        return ApiFault(status, "UNKNOWN_EXCEPTION", "", headers=dict(headers), body=body)
