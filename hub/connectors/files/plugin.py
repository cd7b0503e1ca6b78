"""Registers the built-in file connectors, ``csv`` and ``jsonl``, through the same hook as any plugin."""

from __future__ import annotations

from hub.connectors.api import ConnectorRegistry
from hub.connectors.files.connector import CsvConnector, JsonlConnector
from hub.hookspecs import hookimpl


@hookimpl
def hub_register_connectors(registry: ConnectorRegistry) -> None:
    """Register :class:`CsvConnector` (``csv``) and :class:`JsonlConnector` (``jsonl``)."""
    registry.register(CsvConnector)
    registry.register(JsonlConnector)
