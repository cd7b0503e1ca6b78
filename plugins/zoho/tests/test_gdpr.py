"""Zoho in the GDPR export and erasure: CSV → Zoho sandbox, `crmhub gdpr export` (JSON, CSV), `gdpr erase`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crmhub_zoho.sandbox import ZohoSandbox

from hub.testing import gdpr

BLOCK = "Data_Processing_Basis_Details"


@pytest.fixture
def config(tmp_path: Path, sandbox: ZohoSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", sandbox.token)
    return gdpr.migrate_people(tmp_path, "zoho", {
        "connector": "zoho", "url": sandbox.url, "token": "${env:ZOHO_SANDBOX_TOKEN}",
        "allow_insecure_sandbox": True, "classification": "sales"})


def zoho_emails(sandbox: ZohoSandbox) -> list[str]:
    return sorted(str(r.data.get("Email")) for r in sandbox.store.all("Contacts"))


def test_export_lists_the_zoho_contact_with_its_values_and_data_processing_basis(config: Path,
                                                                                 sandbox: ZohoSandbox) -> None:
    record = gdpr.assert_holds_ayse(gdpr.export_json(config), "zoho")

    fields, canonical = record["fields"], record["canonical"]
    assert (fields["Email"], fields["Last_Name"], fields["Title"]) == (gdpr.EMAIL, "Yılmaz", gdpr.FORMULA)
    assert fields[BLOCK]["Data_Processing_Basis"] == "Contract"
    assert (fields[BLOCK]["Contact_Through_Email"], fields[BLOCK]["Contact_Through_Phone"]) == (True, False)
    assert (canonical["consent.legal_basis"], canonical["consent.email"], canonical["consent.phone"]) == (
        "contract", "granted", "denied")
    [stored] = [r for r in sandbox.store.all("Contacts") if r.data.get("Email") == gdpr.EMAIL]
    assert (str(fields["id"]), fields["Crmhub_Id"]) == (str(stored.id), record["key"])


def test_csv_export_carries_zohos_values_and_basis_formula_safe(config: Path) -> None:
    held = gdpr.safe_cells(config, "zoho")

    assert (held["Email"], held["Last_Name"]) == (gdpr.EMAIL, "Yılmaz")
    assert json.loads(held[BLOCK])["Data_Processing_Basis"] == "Contract"
    assert held["Title"] == "'" + gdpr.FORMULA, "a formula is written with a leading quote"


def test_erase_deletes_in_zoho_leaves_nothing_to_export_and_a_rerun_does_not_recreate(
        config: Path, sandbox: ZohoSandbox) -> None:
    [stored] = [r for r in sandbox.store.all("Contacts") if r.data.get("Email") == gdpr.EMAIL]

    hub_id = gdpr.erase_ayse(config, "zoho", "delete")

    assert zoho_emails(sandbox) == [gdpr.OTHER], "only Mehmet's contact is left"
    deleted = sandbox.store.deleted_page("Contacts", ("recycle", "permanent"), None, 0, 10)
    assert [str(rid) for rid, *_ in deleted] == [str(stored.id)], "Zoho's delete, of her record alone"
    gdpr.assert_erased_for_good(config, "zoho", hub_id)
    assert zoho_emails(sandbox) == [gdpr.OTHER]
