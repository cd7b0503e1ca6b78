"""The HTTPS server: stdlib ``ThreadingHTTPServer`` with TLS from a ``trustme`` test CA.

The standard library is enough here: the sandbox needs keep-alive HTTP/1.1, TLS and one thread per
connection, and nothing else; no extra server dependency. TLS handshakes run in the connection's
thread, so a slow client never stalls the accept loop.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from crmhub_salesforce.sandbox.app import Org
from crmhub_salesforce.sandbox.wire import Request

_MAX_BODY = 160 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "SalesforceSandbox"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines would put record ids and query text into test output."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        req = Request.parse(self.command, self.path, dict(self.headers.items()), body)
        response = self.server.org.handle(req)
        if response.drop:
            # The write committed; drop the connection before answering (a lost response).
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = response.encoded()
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], org: Org, tls: ssl.SSLContext | None) -> None:
        super().__init__(address, _Handler)
        self.org = org
        self.tls = tls
        self._open: set[Any] = set()
        self._open_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        with self._open_lock:
            self._open.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)
            with contextlib.suppress(OSError):
                request.close()

    def close_connections(self) -> None:
        """Close kept-alive client connections, so their threads end with the server."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet on client disconnects; they are normal when a client times out or a fault drops one."""


class TestCertificate:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost."""

    def __init__(self, directory: Path | None) -> None:
        import trustme

        self.ca = trustme.CA()
        self.server_cert = self.ca.issue_cert("127.0.0.1", "localhost", "::1")
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="crmhub-sf-sandbox-")
            directory = Path(self._tmp.name)
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_file = directory / "salesforce-sandbox-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_cert.configure_cert(context)
        return context

    def cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


class HttpsServer:
    """Serves an :class:`Org` on 127.0.0.1 in a background thread."""

    def __init__(self, org: Org, port: int, cert: TestCertificate | None) -> None:
        self._server = _Server(("127.0.0.1", port), org, cert.server_context() if cert else None)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="salesforce-sandbox",
                                        kwargs={"poll_interval": 0.1}, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
