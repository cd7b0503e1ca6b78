"""The plugin host: explicit loading, blocking, loud failures, misspelled hooks."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

from hub.connectors.api import ConnectorRegistry
from hub.errors import PluginError
from hub.hookspecs import hookimpl
from hub.plugins import PluginHost
from hub.testing.fake import FakeConnector


def test_builtin_connectors_and_installed_plugins_register() -> None:
    host = PluginHost.start()
    names = host.connectors.names()
    assert {"csv", "jsonl", "sql", "fake"} <= set(names)
    assert host.connectors.origin("fake") == "fake"
    assert host.connectors.origin("csv") == "hub.connectors.files.plugin"


def test_environment_variable_blocks_a_plugin() -> None:
    host = PluginHost.start(environ={"CRMHUB_BLOCK_PLUGINS": "fake, sql"})
    assert "fake" not in host.connectors
    assert "sql" not in host.connectors
    assert "csv" in host.connectors


def test_a_plugin_that_fails_to_load_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = importlib.metadata.EntryPoint(name="broken", value="crmhub_no_such_module.plugin", group="crmhub.plugins")
    real = importlib.metadata.entry_points

    def entry_points(**kwargs: Any) -> Any:
        found = list(real(**kwargs))
        return [*found, broken] if kwargs.get("group") == "crmhub.plugins" else found

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    with pytest.raises(PluginError, match=r"plugin 'broken'.*failed to load.*crmhub_no_such_module"):
        PluginHost.start()


def test_a_misspelled_hook_is_caught_at_start_up() -> None:
    class Misspelled:
        @hookimpl
        def hub_register_connector(self, registry: ConnectorRegistry) -> None:
            """One letter short of hub_register_connectors."""

    with pytest.raises(PluginError, match="hub_register_connector"):
        PluginHost.start(extra=[Misspelled()])


def test_two_connectors_under_one_name_are_refused() -> None:
    class Impostor(FakeConnector):
        pass

    class Plugin:
        @hookimpl
        def hub_register_connectors(self, registry: ConnectorRegistry) -> None:
            registry.register(Impostor)

    host = PluginHost.start(extra=[Plugin()])
    with pytest.raises(PluginError, match="registered twice"):
        host.connectors.names()
