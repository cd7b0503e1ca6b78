"""The sandbox HTTP server: stdlib ``ThreadingHTTPServer`` on 127.0.0.1 with keep-alive (HTTP/1.1).

The stdlib server is enough here: Zoho's SDK speaks plain HTTP/1.1 through ``requests`` and the
sandbox needs no TLS (the SDK accepts an ``http://`` environment), so ``ca_file`` is ``None``.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from crmhub_zoho.sandbox import errors
from crmhub_zoho.sandbox.limits import Limiter, SandboxSettings, credits_for
from crmhub_zoho.sandbox.records import RecordsApi
from crmhub_zoho.sandbox.schema import build_modules, fields_response
from crmhub_zoho.sandbox.store import RecordStore
from crmhub_zoho.sandbox.writes import delete_records, write_batch
from hub.sandbox import SandboxOptions

log = logging.getLogger("crmhub.zoho.sandbox")
API_PREFIX = "/crm/v8/"
TOKEN_PATH = "/oauth/v2/token"  # noqa: S105 - a URL path, not a secret


@dataclass(slots=True)
class Credentials:
    """What the sandbox accepts: a long-lived access token and a refresh-token grant."""

    access_token: str
    client_id: str
    client_secret: str
    refresh_token: str
    issued: dict[str, float] = field(default_factory=dict)


class ZohoSandbox:
    """One sandbox org: its store, API handlers, limits, credentials and the HTTP server serving them."""

    def __init__(self, options: SandboxOptions) -> None:
        self.settings = SandboxSettings.from_options(dict(options.settings))
        data_dir = options.data_dir
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        self.store = RecordStore(data_dir / "zoho-sandbox.sqlite3" if data_dir else None)
        self.modules = build_modules(self.settings.unique_fields)
        self.api = RecordsApi(self.store, self.modules, self.settings.page_token_ttl)
        self.limiter = Limiter(self.settings)
        self.credentials = self._credentials()
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", options.port), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.token = self.credentials.access_token
        self.ca_file: str | None = None
        self._thread = threading.Thread(target=self._server.serve_forever, name="zoho-sandbox", daemon=True)

    def _credentials(self) -> Credentials:
        values = {}
        for key in ("access_token", "client_id", "client_secret", "refresh_token"):
            stored = self.store.meta(f"cred.{key}")
            if stored is None:
                stored = ("1000.SANDBOX" + secrets.token_hex(8).upper()) if key == "client_id" else (
                    "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16))
                self.store.set_meta(f"cred.{key}", stored)
            values[key] = stored
        return Credentials(values["access_token"], values["client_id"], values["client_secret"],
                           values["refresh_token"])

    def start(self) -> ZohoSandbox:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the store."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.store.close()

    # Auth -------------------------------------------------------------------------------------------
    def issue_token(self, form: dict[str, str]) -> dict[str, Any]:
        """``POST /oauth/v2/token`` with ``grant_type=refresh_token``: Zoho answers 200 even for errors."""
        cred = self.credentials
        if form.get("grant_type") != "refresh_token":
            return {"error": "unsupported_grant_type"}
        if form.get("client_id") != cred.client_id or form.get("client_secret") != cred.client_secret:
            return {"error": "invalid_client"}
        if form.get("refresh_token") != cred.refresh_token:
            return {"error": "invalid_code"}
        token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        cred.issued[token] = time.time() + self.settings.token_lifetime
        return {"access_token": token, "scope": "ZohoCRM.modules.ALL ZohoCRM.settings.fields.READ",
                "api_domain": self.url, "token_type": "Bearer", "expires_in": self.settings.token_lifetime}

    def authenticate(self, header: str | None) -> None:
        if not header or not header.startswith("Zoho-oauthtoken "):
            raise errors.authentication_failure()
        token = header[len("Zoho-oauthtoken "):].strip()
        if token == self.credentials.access_token:
            return
        expiry = self.credentials.issued.get(token)
        if expiry is None or expiry <= time.time():
            raise errors.invalid_token()

    # Dispatch ---------------------------------------------------------------------------------------
    def dispatch(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
                 body: Any) -> tuple[int, dict[str, Any] | None, bool]:
        """Route one API call; returns ``(status, body, is_write)``."""
        parts = path[len(API_PREFIX):].strip("/").split("/")
        if parts == ["settings", "fields"]:
            if method != "GET":
                raise errors.invalid_method()
            name = query.get("module")
            if not name:
                raise errors.param_missing("module")
            self.limiter.charge(1)
            return 200, fields_response(self.api.module(name)), False
        if len(parts) == 1 and parts[0]:
            if method == "GET":
                self.limiter.charge(1)
                return (*self.api.get_records(parts[0], query, headers), False)
            if method in ("POST", "PUT"):
                self.limiter.charge(credits_for(method, path, _size(body)))
                (status, out), _ = write_batch(self.api, parts[0], body, "create" if method == "POST" else "update")
                return status, out, True
            if method == "DELETE":
                self.limiter.charge(credits_for(method, path, len(query.get("ids", "").split(","))))
                (status, out), _ = delete_records(self.api, parts[0], query)
                return status, out, True
            raise errors.invalid_method()
        if len(parts) == 2 and parts[1] in ("upsert", "deleted", "search"):
            expected = "POST" if parts[1] == "upsert" else "GET"
            if method != expected:
                raise errors.invalid_method()
            if parts[1] == "upsert":
                self.limiter.charge(credits_for(method, path, _size(body)))
                (status, out), _ = write_batch(self.api, parts[0], body, "upsert")
                return status, out, True
            self.limiter.charge(1)
            if parts[1] == "deleted":
                return (*self.api.deleted(parts[0], query, headers), False)
            return (*self.api.search(parts[0], query), False)
        raise errors.invalid_url()


def _size(body: Any) -> int:
    data = body.get("data") if isinstance(body, dict) else None
    return len(data) if isinstance(data, list) else 0


def _handler_for(sandbox: ZohoSandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ZGS"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def _send(self, status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None) -> None:
            payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            sandbox.requests.append((method, url.path))
            if sandbox.settings.latency:
                time.sleep(sandbox.settings.latency)
            if url.path == TOKEN_PATH and method == "POST":
                form = dict(urllib.parse.parse_qsl(raw.decode("utf-8")))
                self._send(200, sandbox.issue_token(form))
                return
            try:
                if not url.path.startswith(API_PREFIX):
                    raise errors.invalid_url()
                sandbox.authenticate(self.headers.get("Authorization"))
                sandbox.limiter.enter()
                try:
                    if sandbox.limiter.roll(sandbox.settings.fail_prob):
                        raise errors.internal_error()
                    try:
                        body = json.loads(raw) if raw else None
                    except ValueError:
                        raise errors.invalid_body() from None
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    status, out, is_write = sandbox.dispatch(method, url.path, query, headers, body)
                finally:
                    sandbox.limiter.leave()
            except errors.ZohoError as exc:
                self._send(exc.status, exc.body, exc.headers)
                return
            if is_write and sandbox.limiter.roll(sandbox.settings.drop_after_commit):
                self.close_connection = True  # committed, but the client never hears of it
                return
            self._send(status, out)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

    return Handler


def start(options: SandboxOptions) -> ZohoSandbox:
    """Start a Zoho sandbox (the ``crmhub sandbox zoho`` starter); it serves until ``stop()``."""
    return ZohoSandbox(options).start()
