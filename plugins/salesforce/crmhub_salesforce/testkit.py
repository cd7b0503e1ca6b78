"""Helpers for tests that drive the real simple-salesforce client and the connector against the sandbox."""

from __future__ import annotations

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
    from simple_salesforce import Salesforce

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
