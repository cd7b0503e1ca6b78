"""The HTTP side of the sandbox: routing, authentication, rate limits, faults, and the server thread.

Built on the standard library's ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive (the SDK's urllib3 pool
reuses connections): no extra dependency, and fast enough to serve the bench's ~20 requests/s with room to spare.
"""

from __future__ import annotations

import collections
import json
import random
import re
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crmhub_hubspot.sandbox import errors as E
from crmhub_hubspot.sandbox.catalog import Catalog
from crmhub_hubspot.sandbox.lifecycle import Lifecycle
from crmhub_hubspot.sandbox.limits import RateLimits, SandboxSettings, Tokens, retry_after_header
from crmhub_hubspot.sandbox.objects import Answer, Objects
from crmhub_hubspot.sandbox.preferences import Preferences
from crmhub_hubspot.sandbox.schema import wide_properties
from crmhub_hubspot.sandbox.store import OBJECT_TYPES, Store

_TYPE = r"(contacts|companies|0-1|0-2)"
_TYPE_NAMES = {"0-1": "contacts", "0-2": "companies"}
Handler = Callable[..., Answer]


class Router:
    """Maps ``METHOD path`` to a handler; groups are passed as positional arguments."""

    def __init__(self, objects: Objects, lifecycle: Lifecycle, catalog: Catalog, preferences: Preferences,
                 stats: Callable[[], Answer]) -> None:
        o, life, c, p = objects, lifecycle, catalog, preferences
        self.routes: list[tuple[str, re.Pattern[str], Handler, str]] = []
        add = self._add
        add("POST", r"/oauth/v1/token", lambda req: c.oauth_token(req.raw), "oauth")
        add("GET", r"/__sandbox/stats", lambda req: stats(), "sandbox")
        add("GET", rf"/crm/v3/objects/{_TYPE}", lambda req, t: o.list_page(t, req.query))
        add("POST", rf"/crm/v3/objects/{_TYPE}", lambda req, t: o.create(t, req.json()))
        add("POST", rf"/crm/v3/objects/{_TYPE}/search", lambda req, t: life.search(t, req.json()), "search")
        add("POST", rf"/crm/v3/objects/{_TYPE}/batch/read", lambda req, t: o.batch_read(t, req.json()))
        add("POST", rf"/crm/v3/objects/{_TYPE}/batch/archive", lambda req, t: o.batch_archive(t, req.json()))
        add("POST", rf"/crm/v3/objects/{_TYPE}/batch/(create|update|upsert)",
            lambda req, t, mode: o.batch_write(t, req.json(), mode))
        add("POST", rf"/crm/v3/objects/{_TYPE}/merge", lambda req, t: life.merge(t, req.json()))
        add("POST", r"/crm/v3/objects/(contacts|0-1)/gdpr-delete", lambda req, t: life.gdpr_delete(req.json()))
        add("GET", rf"/crm/v3/objects/{_TYPE}/([^/]+)", lambda req, t, i: o.get(t, i, req.query))
        add("PATCH", rf"/crm/v3/objects/{_TYPE}/([^/]+)", lambda req, t, i: o.update(t, i, req.query, req.json()))
        add("DELETE", rf"/crm/v3/objects/{_TYPE}/([^/]+)", lambda req, t, i: o.archive(t, i))
        add("GET", r"/communication-preferences/v3/definitions", lambda req: p.list_definitions())
        add("GET", r"/communication-preferences/v3/status/email/([^/]+)", lambda req, e: p.status(e))
        add("POST", r"/communication-preferences/v3/subscribe", lambda req: p.change(req.json(), subscribe=True))
        add("POST", r"/communication-preferences/v3/unsubscribe", lambda req: p.change(req.json(), subscribe=False))
        add("GET", rf"/crm/v3/properties/{_TYPE}", lambda req, t: c.list_properties(t))
        add("POST", rf"/crm/v3/properties/{_TYPE}", lambda req, t: c.create_property(t, req.json()))
        add("GET", rf"/crm/v3/properties/{_TYPE}/([^/]+)", lambda req, t, n: c.get_property(t, n))
        add("PUT", rf"/crm/v4/objects/{_TYPE}/(\d+)/associations/default/{_TYPE}/(\d+)",
            lambda req, f, fi, t, ti: c.associate_default(f, fi, t, ti))
        add("GET", rf"/crm/v4/objects/{_TYPE}/(\d+)/associations/{_TYPE}",
            lambda req, f, fi, t: c.list_associations(f, fi, t))
        add("POST", rf"/crm/v4/associations/{_TYPE}/{_TYPE}/batch/associate/default",
            lambda req, f, t: c.batch_associate_default(f, t, req.json()))
        add("POST", rf"/crm/v4/associations/{_TYPE}/{_TYPE}/batch/read",
            lambda req, f, t: c.batch_read_associations(f, t, req.json()))
        add("POST", rf"/crm/v4/associations/{_TYPE}/{_TYPE}/batch/archive",
            lambda req, f, t: c.batch_archive_associations(f, t, req.json()))

    def _add(self, method: str, pattern: str, handler: Handler, kind: str = "api") -> None:
        self.routes.append((method, re.compile(pattern + r"/?$"), handler, kind))

    def match(self, method: str, path: str) -> tuple[Handler, list[str], str] | None:
        for route_method, pattern, handler, kind in self.routes:
            if route_method == method:
                found = pattern.match(path)
                if found:
                    return handler, [_TYPE_NAMES.get(g, g) for g in found.groups()], kind
        return None


class Request:
    """One parsed request, handed to handlers."""

    def __init__(self, query: dict[str, list[str]], raw: bytes) -> None:
        self.query = query
        self.raw = raw

    def json(self) -> dict[str, Any]:
        try:
            body = json.loads(self.raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise E.http_error(400, "VALIDATION_ERROR", f"Invalid input JSON: {exc}") from None
        if not isinstance(body, dict):
            raise E.http_error(400, "VALIDATION_ERROR", "Invalid input JSON: expected an object")
        return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(self.requestline) > sandbox.settings.max_url_length:
            self._send_raw(414, b"<html><body><h1>414 Request-URI Too Large</h1></body></html>", "text/html")
            return
        if sandbox.settings.latency_ms:
            time.sleep(sandbox.settings.latency_ms / 1000)
        parts = urlsplit(self.path)
        found = sandbox.router.match(self.command, parts.path)
        extra: dict[str, str] = {}
        try:
            if found is None:
                raise E.http_error(404, "OBJECT_NOT_FOUND", f"Unable to route {self.command} {parts.path}")
            handler, groups, kind = found
            if kind != "sandbox":
                sandbox.counts[kind] += 1
            if kind in ("api", "search"):
                self._authenticate(sandbox)
                extra = self._admit(sandbox, search=kind == "search")
            if sandbox.random.random() < sandbox.settings.fail_prob:
                raise E.http_error(502, "BAD_GATEWAY", "Bad Gateway (injected)")
            answer = handler(Request(parse_qs(parts.query), raw), *groups)
        except E.HttpError as err:
            self._send_json(err.status, err.body, {**extra, **err.headers})
            return
        if answer.committed:
            sandbox.store.flush()
            sandbox.writes += 1
            if sandbox.random.random() < sandbox.settings.drop_after_commit:
                sandbox.dropped += 1
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        self._send_json(answer.status, answer.body, {**extra, **answer.headers})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _authenticate(self, sandbox: HubSpotSandbox) -> None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise E.unauthorized(E.MISSING_AUTH)
        late = sandbox.tokens.expired_for(header[7:].strip())
        if late is None:
            return
        if late < 0:
            raise E.unauthorized(E.MISSING_AUTH)
        raise E.unauthorized(f"The OAuth token used to make this call expired {int(late)} second(s) ago.",
                             "EXPIRED_AUTHENTICATION")

    def _admit(self, sandbox: HubSpotSandbox, *, search: bool) -> dict[str, str]:
        violated, wait, headers = sandbox.limits.admit(search=search)
        if violated is not None:
            raise E.HttpError(429, E.rate_limit_body(violated), {**headers, "Retry-After": retry_after_header(wait)})
        return headers

    def _send_json(self, status: int, body: dict[str, Any] | None, headers: dict[str, str]) -> None:
        if body is None:
            self._send_raw(status, b"", None, headers)
            return
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
        self._send_raw(status, payload, "application/json;charset=utf-8", headers)

    def _send_raw(self, status: int, payload: bytes, content_type: str | None,
                  headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: HubSpotSandbox


class HubSpotSandbox:
    """A running sandbox: ``url``, ``token`` (a private-app token), ``ca_file`` (``None`` over plain HTTP)."""

    def __init__(self, port: int, data_dir: Path | None, settings: SandboxSettings) -> None:
        self.settings = settings
        self.store = Store(data_dir)
        if settings.wide_properties:
            for object_type in OBJECT_TYPES:
                self.store.portal(object_type).properties.update(wide_properties(settings.wide_properties))
        self.tokens = Tokens(settings)
        self.limits = RateLimits(settings)
        self.random = random.Random(settings.seed)
        self.router = Router(Objects(self.store), Lifecycle(self.store, settings.search_lag_ms),
                             Catalog(self.store, self.tokens, settings),
                             Preferences(self.store, settings.gdpr_enabled), self._stats)
        self.writes = 0
        self.dropped = 0
        self.counts: collections.Counter[str] = collections.Counter()  # requests by kind: api, search, oauth
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.sandbox = self
        self.ca_file: str | None = None
        scheme = "http"
        if settings.tls:
            self.ca_file = self._wrap_tls(data_dir)
            scheme = "https"
        bound = self._server.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{bound}"
        self.token = settings.private_app_token
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hubspot-sandbox", daemon=True)
        self._thread.start()

    @property
    def oauth_client_id(self) -> str:
        return self.settings.oauth_client_id

    @property
    def oauth_client_secret(self) -> str:
        return self.settings.oauth_client_secret

    @property
    def oauth_refresh_token(self) -> str:
        return self.settings.oauth_refresh_token

    def _stats(self) -> Answer:
        """``GET /__sandbox/stats`` (not a HubSpot endpoint; no token): what the sandbox served and refused."""
        with self.store.lock:
            per_second: collections.Counter[int] = collections.Counter(
                o.created_ms // 1000 for o in self.store.portal("contacts").records.values())
            live = {t: sum(1 for o in p.records.values() if not o.archived) for t, p in self.store.portals.items()}
        return Answer(200, {"requests": dict(self.counts), "writes": self.writes, "rejected_429": self.limits.rejected,
                            "dropped": self.dropped, "oauth_refreshes": self.tokens.refreshes, "live": live,
                            "contacts_created_per_second": {str(k): v for k, v in sorted(per_second.items())}})

    def connection_settings(self) -> dict[str, Any]:
        """Connection keys that match this sandbox's limits (used by ``crmhub demo``)."""
        settings: dict[str, Any] = {"allow_insecure_sandbox": True}
        if self.settings.requests_per_10s is None and self.settings.search_per_second is None:
            settings["tier"] = "unlimited"
        else:
            settings["requests_per_10s"] = self.settings.requests_per_10s
            settings["search_per_second"] = self.settings.search_per_second
        if self.settings.daily_limit is not None:
            settings["daily_limit"] = self.settings.daily_limit
        return settings

    def _wrap_tls(self, data_dir: Path | None) -> str:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        folder = data_dir if data_dir is not None else Path(tempfile.mkdtemp(prefix="crmhub-hubspot-"))
        folder.mkdir(parents=True, exist_ok=True)
        ca_path = folder / "hubspot-sandbox-ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))
        return str(ca_path)

    def stop(self) -> None:
        """Stop serving and write the records to the data directory (when one was given)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.store.close()

    def __enter__(self) -> HubSpotSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
