"""HubSpot in the GDPR export and erasure: CSV → HubSpot sandbox, `crmhub gdpr export` (JSON, CSV), `gdpr erase`."""

from __future__ import annotations

from pathlib import Path

import pytest
from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.testing import gdpr


@pytest.fixture
def config(tmp_path: Path, sandbox: HubSpotSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    return gdpr.migrate_people(tmp_path, "hubspot", {
        "connector": "hubspot", "url": sandbox.url, "token": "${env:HUBSPOT_SANDBOX_TOKEN}",
        "allow_insecure_sandbox": True, "tier": "unlimited", "classification": "marketing"})


def hubspot_emails(sandbox: HubSpotSandbox) -> list[str]:
    """Every contact HubSpot keeps, archived ones included."""
    return sorted(str(o.properties.get("email")) for o in sandbox.store.portal("contacts").records.values())


def test_export_lists_the_hubspot_contact_with_its_values_and_subscription_status(config: Path,
                                                                                   sandbox: HubSpotSandbox) -> None:
    record = gdpr.assert_holds_ayse(gdpr.export_json(config), "hubspot")

    fields, canonical = record["fields"], record["canonical"]
    assert (fields["email"], fields["lastname"], fields["jobtitle"]) == (gdpr.EMAIL, "Yılmaz", gdpr.FORMULA)
    assert (fields["subscription.status"], fields["subscription.legal_basis"]) == ("SUBSCRIBED",
                                                                                   "PERFORMANCE_OF_CONTRACT")
    assert (canonical["consent.email"], canonical["consent.legal_basis"], canonical["consent.source"]) == (
        "granted", "contract", "sözleşme 4411")
    stored = sandbox.store.find("contacts", "email", gdpr.EMAIL)
    assert stored is not None and (fields["hs_object_id"], fields["crmhub_id"]) == (stored.id, record["key"])


def test_csv_export_carries_hubspots_values_formula_safe(config: Path) -> None:
    held = gdpr.safe_cells(config, "hubspot")

    assert (held["email"], held["lastname"], held["subscription.status"]) == (gdpr.EMAIL, "Yılmaz", "SUBSCRIBED")
    assert held["jobtitle"] == "'" + gdpr.FORMULA, "a formula is written with a leading quote"


def test_erase_goes_through_gdpr_delete_leaves_nothing_in_hubspot_and_a_rerun_does_not_recreate(
        config: Path, sandbox: HubSpotSandbox) -> None:

    hub_id = gdpr.erase_ayse(config, "hubspot", "erase")

    assert hubspot_emails(sandbox) == [gdpr.OTHER], "gone for good, not archived"
    # Only HubSpot's gdpr-delete blocklists the address; an archive would keep the contact restorable.
    assert gdpr.EMAIL in sandbox.store.blocked_emails and gdpr.EMAIL not in sandbox.store.subscriptions
    gdpr.assert_erased_for_good(config, "hubspot", hub_id)
    assert hubspot_emails(sandbox) == [gdpr.OTHER]
