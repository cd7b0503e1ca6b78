"""Fixtures: a fresh sandbox org per test, the real simple-salesforce client, and connectors on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.connector import SalesforceConnector
from crmhub_salesforce.sandbox import SalesforceSandbox, start
from crmhub_salesforce.testkit import make_connector as _make_connector
from crmhub_salesforce.testkit import sdk_client

from hub.sandbox import SandboxOptions

SandboxFactory = Callable[..., SalesforceSandbox]
ConnectorFactory = Callable[..., SalesforceConnector]


@pytest.fixture
def make_sandbox() -> Iterator[SandboxFactory]:
    """Start sandboxes with settings; all are stopped after the test."""
    started: list[SalesforceSandbox] = []

    def factory(data_dir: Path | None = None, **settings: Any) -> SalesforceSandbox:
        sandbox = start(SandboxOptions(data_dir=data_dir, settings=settings))
        started.append(sandbox)
        return sandbox

    yield factory
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: SandboxFactory) -> SalesforceSandbox:
    return make_sandbox()


@pytest.fixture
def sf(sandbox: SalesforceSandbox) -> Any:
    return sdk_client(sandbox)


@pytest.fixture
def make_connector(tmp_path: Path) -> Iterator[ConnectorFactory]:
    """Opened connectors on a sandbox; ``oauth=True`` uses the client-credentials flow (refreshable)."""
    made: list[SalesforceConnector] = []

    def factory(sandbox: SalesforceSandbox, **kwargs: Any) -> SalesforceConnector:
        connector = _make_connector(sandbox, tmp_path, **kwargs)
        made.append(connector)
        return connector

    yield factory
    for connector in made:
        connector.close()
