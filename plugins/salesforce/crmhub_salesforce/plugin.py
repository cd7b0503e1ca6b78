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


@hookimpl
def hub_register_transforms(registry: Any) -> None:
    """Register ``sf_capture_method`` / ``sf_capture_type``: CaptureContactPointType ↔ ``consent.capture_method``."""
    from crmhub_salesforce.capture_method import capture_method, capture_type

    registry.register("sf_capture_method", capture_method, inverse="sf_capture_type",
                      description="Salesforce CaptureContactPointType → capture method (web, email, phone, …)")
    registry.register("sf_capture_type", capture_type, inverse="sf_capture_method",
                      description="capture method in words → Salesforce CaptureContactPointType, else nothing")
