"""The crmhub plugin: registers the HubSpot connector and its sandbox. Imports stay cheap (no SDK here)."""

from __future__ import annotations

from typing import Any

from hub.hookspecs import hookimpl


@hookimpl
def hub_register_connectors(registry: Any) -> None:
    """Register the ``hubspot`` connector."""
    from crmhub_hubspot.connector import HubSpotConnector

    registry.register(HubSpotConnector)


@hookimpl
def hub_register_sandboxes(registry: Any) -> None:
    """Register ``crmhub sandbox hubspot``."""
    from crmhub_hubspot.sandbox import start

    registry.register("hubspot", start)
