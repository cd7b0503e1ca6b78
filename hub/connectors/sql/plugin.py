"""Registers the built-in ``sql`` connector."""

from __future__ import annotations

from hub.connectors.api import ConnectorRegistry
from hub.hookspecs import hookimpl


@hookimpl
def hub_register_connectors(registry: ConnectorRegistry) -> None:
    """Register :class:`~hub.connectors.sql.connector.SqlConnector` as ``sql``."""
    from hub.connectors.sql.connector import SqlConnector

    registry.register(SqlConnector)
