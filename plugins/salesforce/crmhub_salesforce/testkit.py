"""Helpers for tests that drive the real simple-salesforce client and the connector against the sandbox."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import requests

from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.connector import SalesforceConnector
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.sandbox.settings import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from hub.connectors.api import ConnectorContext


def sdk_client(sandbox: SalesforceSandbox, token: str | None = None) -> Any:
    """The real ``simple_salesforce.Salesforce`` pointed at the sandbox, trusting only its CA."""
    from simple_salesforce.api import Salesforce

    session = requests.Session()
    session.trust_env = False
    session.verify = sandbox.ca_file or True
    return Salesforce(instance_url=sandbox.url, session_id=token or sandbox.token, session=session, version="59.0")


def connector_config(sandbox: SalesforceSandbox, *, oauth: bool = False, **overrides: Any) -> SalesforceConfig:
    """A connection on the sandbox: its token, or (``oauth``) the refreshable client-credentials flow."""
    base: dict[str, Any] = {"ca_file": sandbox.ca_file, "sandbox": True, "bulk_poll_interval": 0.02}
    if oauth:
        base |= {"auth": "client_credentials", "login_url": sandbox.url, "client_id": SANDBOX_CLIENT_ID,
                 "client_secret": SANDBOX_CLIENT_SECRET}
    else:
        base |= {"url": sandbox.url, "token": sandbox.token}
    return SalesforceConfig(**(base | overrides))


def make_connector(sandbox: SalesforceSandbox, work_dir: Path, *, oauth: bool = False,
                   **overrides: Any) -> SalesforceConnector:
    """An opened connector on the sandbox."""
    connector = SalesforceConnector(connector_config(sandbox, oauth=oauth, **overrides),
                                    ConnectorContext(connection="salesforce", work_dir=work_dir))
    connector.open()
    return connector


class SandboxProcess:
    """The sandbox in a child process, so its work does not share the caller's GIL (as a remote org would not).

    Use as a context manager; ``url``, ``token`` and ``ca_file`` come from the JSON line it prints.
    """

    def __init__(self, data_dir: Path, port: int = 0, **settings: Any) -> None:
        self.data_dir = data_dir
        self.port = port
        self.settings = settings
        self.url = self.token = ""
        self.ca_file: str | None = None
        self._process: Any = None

    def __enter__(self) -> SandboxProcess:
        import json
        import subprocess
        import sys

        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
            [sys.executable, "-m", "crmhub_salesforce.sandbox", "--port", str(self.port), "--data",
             str(self.data_dir), "--settings", json.dumps(self.settings)], stdout=subprocess.PIPE, text=True)
        line = self._process.stdout.readline()
        if not line:
            self._process.wait(timeout=10)
            raise RuntimeError(f"the sandbox process exited with {self._process.returncode}")
        started = json.loads(line)
        self.url, self.token, self.ca_file = started["url"], started["token"], started["ca_file"]
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=30)
        self._process.stdout.close()

    def client(self) -> Any:
        """simple-salesforce on this sandbox."""
        return sdk_client(self, self.token)  # type: ignore[arg-type]


def people_csv(path: Path, count: int, *, broken: frozenset[int] = frozenset()) -> Path:
    """``count`` people with canonical headers; rows in ``broken`` lack the last name Salesforce requires."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "phone", "address.city", "address.country"])
        for i in range(count):
            last = "" if i in broken else f"Çelik {i}"
            writer.writerow([f"p{i:06d}", "Şükrü", last, f"sukru{i}@example.com.tr", f"0532 {i % 1000:03d} 45 67",
                             "Şanlıurfa", "Türkiye"])
    return path
