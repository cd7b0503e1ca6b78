"""Registers the Salesforce connector and its sandbox with crmhub."""

from __future__ import annotations

from typing import Any

from hub.hookspecs import hookimpl


@hookimpl
def hub_register_connectors(registry: Any) -> None:
    """Register :class:`~crmhub_salesforce.connector.SalesforceConnector`."""
    from crmhub_salesforce.connector import SalesforceConnector

    registry.register(SalesforceConnector)


@hookimpl
def hub_register_sandboxes(registry: Any) -> None:
    """Register the local Salesforce sandbox (``crmhub sandbox salesforce``)."""
    from crmhub_salesforce.sandbox import start

    registry.register("salesforce", start)
