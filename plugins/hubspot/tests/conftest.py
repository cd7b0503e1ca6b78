"""Fixtures: a fresh HubSpot sandbox per test and connectors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crmhub_hubspot.config import HubSpotConfig
from crmhub_hubspot.connector import HubSpotConnector
from crmhub_hubspot.sandbox import HubSpotSandbox, start

from hub.connectors.api import ConnectorContext
from hub.sandbox import SandboxOptions

SandboxFactory = Callable[..., HubSpotSandbox]
ConnectorFactory = Callable[..., HubSpotConnector]


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[SandboxFactory]:
    started: list[HubSpotSandbox] = []

    def make(data_dir: Path | None = None, **settings: Any) -> HubSpotSandbox:
        sandbox = start(SandboxOptions(port=0, data_dir=data_dir, settings=settings))
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: SandboxFactory) -> HubSpotSandbox:
    return make_sandbox()


@pytest.fixture
def make_connector(tmp_path: Path) -> Iterator[ConnectorFactory]:
    opened: list[HubSpotConnector] = []

    def make(sandbox: HubSpotSandbox, *, oauth: bool = False, **overrides: Any) -> HubSpotConnector:
        settings: dict[str, Any] = {"url": sandbox.url, "allow_insecure_sandbox": True, "tier": "unlimited",
                                    "ca_file": sandbox.ca_file}
        if oauth:
            settings.update(oauth_client_id=sandbox.oauth_client_id, oauth_client_secret=sandbox.oauth_client_secret,
                            oauth_refresh_token=sandbox.oauth_refresh_token)
        else:
            settings["token"] = sandbox.token
        settings.update(overrides)
        connector = HubSpotConnector(HubSpotConfig(**settings), ConnectorContext("hubspot-test", tmp_path))
        connector.open()
        opened.append(connector)
        return connector

    yield make
    for connector in opened:
        connector.close()


@pytest.fixture
def connector(sandbox: HubSpotSandbox, make_connector: ConnectorFactory) -> HubSpotConnector:
    return make_connector(sandbox)
