"""Registers the Zoho connector and its sandbox with crmhub."""

from __future__ import annotations

from typing import Any

from hub.hookspecs import hookimpl


@hookimpl
def hub_register_connectors(registry: Any) -> None:
    """Register :class:`~crmhub_zoho.connector.ZohoConnector`."""
    from crmhub_zoho.connector import ZohoConnector

    registry.register(ZohoConnector)


@hookimpl
def hub_register_sandboxes(registry: Any) -> None:
    """Register the local Zoho sandbox as ``zoho``."""
    from crmhub_zoho.sandbox import start

    registry.register("zoho", start)
