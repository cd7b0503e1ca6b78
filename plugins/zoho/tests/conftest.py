"""Fixtures: a fresh Zoho sandbox per test and connectors (driving the real SDK) configured for it."""

from __future__ import annotations

import importlib.util
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crmhub_zoho.config import ZohoConfig
from crmhub_zoho.connector import ZohoConnector
from crmhub_zoho.sandbox import ZohoSandbox, start
from crmhub_zoho.testing import MemoryKV
from pydantic import SecretStr

from hub.connectors.api import ConnectorContext
from hub.sandbox import SandboxOptions


@pytest.fixture
def sandbox_settings() -> dict[str, Any]:
    return {}


@pytest.fixture
def sandbox(sandbox_settings: dict[str, Any]) -> Iterator[ZohoSandbox]:
    running = start(SandboxOptions(settings=sandbox_settings))
    yield running
    running.stop()


ConnectorFactory = Callable[..., ZohoConnector]


@pytest.fixture
def make_connector(sandbox: ZohoSandbox, tmp_path: Path) -> ConnectorFactory:
    """``make_connector(**config)``: a connector on the sandbox; ``oauth=True`` uses the refresh-token grant."""

    def make(*, oauth: bool = False, kv: MemoryKV | None = None, connection: str = "zoho",
             **overrides: Any) -> ZohoConnector:
        values: dict[str, Any] = {"url": sandbox.url, "allow_insecure_sandbox": True}
        if oauth:
            cred = sandbox.credentials
            values.update(client_id=SecretStr(cred.client_id), client_secret=SecretStr(cred.client_secret),
                          refresh_token=SecretStr(cred.refresh_token))
        else:
            values["token"] = SecretStr(sandbox.token)
        values.update(overrides)
        context = ConnectorContext(connection=connection, work_dir=tmp_path, kv=kv or MemoryKV())
        return ZohoConnector(ZohoConfig(**values), context)

    return make


@pytest.fixture(scope="session")
def shapes() -> types.ModuleType:
    """The answer shapes of Zoho's v8 API (``shapes.validate(operation, body)``, ``shapes.problems(...)``)."""
    spec = importlib.util.spec_from_file_location("zoho_shapes", Path(__file__).with_name("zoho_shapes.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
