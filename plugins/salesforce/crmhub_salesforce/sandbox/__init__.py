"""A local Salesforce org: REST, sObject Collections, Bulk API 2.0 and OAuth over HTTPS on 127.0.0.1.

``start(SandboxOptions())`` returns a running :class:`SalesforceSandbox` with ``url``, ``token`` (a
valid session id) and ``ca_file`` (the test CA to trust). ``crmhub sandbox salesforce`` calls it.
Tests reach inside through ``org`` (records, sessions, fault schedule).
"""

from __future__ import annotations

from pathlib import Path

from crmhub_salesforce.sandbox.app import Org
from crmhub_salesforce.sandbox.server import HttpsServer, TestCertificate
from crmhub_salesforce.sandbox.settings import SandboxSettings
from crmhub_salesforce.sandbox.store import Store
from hub.sandbox import SandboxOptions

__all__ = ["SalesforceSandbox", "start"]

DATA_FILE = "salesforce-sandbox.sqlite3"


class SalesforceSandbox:
    """A running sandbox org. ``stop()`` shuts the server down and closes its store."""

    def __init__(self, options: SandboxOptions) -> None:
        self.settings = SandboxSettings.from_options(dict(options.settings))
        data_dir = Path(options.data_dir) if options.data_dir else None
        if data_dir:
            data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(data_dir / DATA_FILE if data_dir else None)
        self._cert = TestCertificate(data_dir)
        self.org = Org(self.store, self.settings)
        self._server = HttpsServer(self.org, options.port, self._cert)
        self.url = f"https://127.0.0.1:{self._server.port}"
        self.org.base_url = self.url
        self.ca_file: str | None = str(self._cert.ca_file)
        self.token = self.org.sessions.issue()
        self._stopped = False
        self._server.start()

    def new_session(self) -> str:
        """Another valid session id (as a fresh OAuth grant would give)."""
        return self.org.sessions.issue()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.stop()
        self.store.close()
        self._cert.cleanup()

    def __enter__(self) -> SalesforceSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(options: SandboxOptions) -> SalesforceSandbox:
    """Start a sandbox org as ``options`` say; it serves until ``stop()``."""
    return SalesforceSandbox(options)
