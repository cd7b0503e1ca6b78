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
def hub_register_transforms(registry: Any) -> None:
    """Register ``zoho_consent`` / ``zoho_consent_block``: Zoho's GDPR consent block ↔ canonical consent."""
    from crmhub_zoho.consent import read_block, write_block

    registry.register("zoho_consent", read_block, inverse="zoho_consent_block",
                      description="Zoho's Data_Processing_Basis_Details → legal basis, e-mail, phone, restriction,"
                                  " source")
    registry.register("zoho_consent_block", write_block, inverse="zoho_consent",
                      description="legal basis, e-mail, phone, restriction, source → Zoho's consent block")


@hookimpl
def hub_register_sandboxes(registry: Any) -> None:
    """Register the local Zoho sandbox as ``zoho``."""
    from crmhub_zoho.sandbox import start

    registry.register("zoho", start)
