"""Whose law protects a person, and whether a destination's region is an approved transfer for it.

GDPR Chapter V and KVKK Art. 9 (as amended in 2024) limit where personal data may go. The
``consent.transfers`` setting lists, per jurisdiction, the regions a destination may be in; a
member state of the EEA may be named by its own code or by ``EU``.
"""

from __future__ import annotations

from typing import Any

from hub.consent.policy import ConsentPolicy

__all__ = ["EEA", "jurisdiction_of", "transfer_approved"]

EEA = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})


def jurisdiction_of(record: dict[str, Any], policy: ConsentPolicy) -> str | None:
    """The record's ``consent.jurisdiction``, else its address country, else the configured default."""
    for name in ("consent.jurisdiction", "address.country"):
        value = record.get(name)
        if value:
            return str(value).strip().upper()
    return policy.default_jurisdiction.upper() if policy.default_jurisdiction else None


def _approved_regions(jurisdiction: str | None, policy: ConsentPolicy) -> list[str] | None:
    rules = {key.upper(): [r.upper() for r in regions] for key, regions in policy.transfers.items()}
    if jurisdiction and jurisdiction in rules:
        return rules[jurisdiction]
    if jurisdiction in EEA and "EU" in rules:
        return rules["EU"]
    return rules.get("*")


def transfer_approved(jurisdiction: str | None, region: str | None, policy: ConsentPolicy) -> tuple[bool, str]:
    """Whether data of a person under ``jurisdiction`` may go to a system in ``region``, and why not."""
    approved = _approved_regions(jurisdiction, policy)
    if approved is None:
        return True, ""
    if not region:
        return False, "the destination has no region configured, and transfers are limited for this jurisdiction"
    region = region.upper()
    if region == jurisdiction or region in approved or (region in EEA and "EU" in approved) or (
            region == "EU" and jurisdiction in EEA):
        return True, ""
    return False, f"a transfer from {jurisdiction or 'an unknown jurisdiction'} to {region} is not approved"
