"""`crmhub sandbox salesforce` prints one JSON line; a connection configured with it works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.connector import SalesforceConnector

from hub.connectors.api import ConnectorContext
from hub.errors import RetriableError
from hub.records import WriteRequest


def test_crmhub_sandbox_salesforce_prints_url_token_and_ca(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "sandbox", "salesforce", "--port", "0", "--data", str(tmp_path / "org")],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "CRMHUB_BLOCK_PLUGINS": "zoho,hubspot"})
    try:
        assert process.stdout is not None
        printed = json.loads(process.stdout.readline())
        assert set(printed) == {"url", "token", "ca_file"}
        assert printed["url"].startswith("https://127.0.0.1:")
        connector = SalesforceConnector(SalesforceConfig(**printed, sandbox=True),
                                        ConnectorContext("salesforce", tmp_path))
        with connector:
            assert connector.check().ok
            assert connector.write("Contact", [WriteRequest("cli-1", {"LastName": "Komut"})])[0].target_id
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    assert (tmp_path / "org" / "salesforce-sandbox.sqlite3").exists()
    assert (tmp_path / "org" / "salesforce-sandbox-ca.pem").exists()


def test_random_server_errors_are_retriable(make_sandbox: Any, make_connector: Any) -> None:
    sandbox = make_sandbox(fail_prob=1.0, fail_status=500, seed=1)
    connector = make_connector(sandbox)

    with pytest.raises(RetriableError, match="500 UNKNOWN_EXCEPTION"):
        connector.discover()
