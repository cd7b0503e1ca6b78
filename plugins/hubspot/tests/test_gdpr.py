"""HubSpot in the GDPR export and erasure: CSV → HubSpot sandbox, `crmhub gdpr export` (JSON, CSV), `gdpr erase`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from crmhub_hubspot.sandbox import HubSpotSandbox
from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import run_migration, write_config

EMAIL = "ayse.yilmaz@example.com.tr"
OTHER = "mehmet@example.com.tr"
FORMULA = '=HYPERLINK("http://evil.example")'
CSV = (
    "id,first_name,last_name,email,job_title,consent.email,consent.legal_basis,consent.source,consent.captured_at,"
    "consent.notice_version,consent.capture_method\n"
    f'1,Ayşe,Yılmaz,{EMAIL},"{FORMULA.replace(chr(34), chr(34) * 2)}",granted,consent,web form /kayit,'
    "2025-03-01T10:00:00+03:00,aydinlatma-v3,web form\n"
    f"2,Mehmet,Öztürk,{OTHER},Muhasebe,granted,contract,order 4411,2025-02-01T10:00:00+03:00,aydinlatma-v3,"
    "phone call\n"
)


@pytest.fixture
def config(tmp_path: Path, sandbox: HubSpotSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")
    (tmp_path / "people.csv").write_text(CSV, encoding="utf-8")
    return write_config(tmp_path, {
        "people": {"connector": "csv", "path": "people.csv"},
        "hubspot": {"connector": "hubspot", "url": sandbox.url, "token": "${env:HUBSPOT_SANDBOX_TOKEN}",
                    "allow_insecure_sandbox": True, "tier": "unlimited", "classification": "marketing"},
    })


def invoke(config: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert result.stdout.strip(), (result.output, result.exception)
    return result.stdout


def export(config: Path, fmt: str = "json", subject: str = EMAIL) -> Any:
    text = invoke(config, "gdpr", "export", subject, "--format", fmt)
    return json.loads(text) if fmt == "json" else list(csv.DictReader(io.StringIO(text)))


def hubspot_emails(sandbox: HubSpotSandbox) -> list[str]:
    return sorted(str(o.properties.get("email")) for o in sandbox.store.portal("contacts").records.values())


def test_export_lists_the_hubspot_contact_with_its_values_and_subscription_status(config: Path,
                                                                                   sandbox: HubSpotSandbox) -> None:
    first = run_migration(config, "people", "hubspot")
    assert (first["created"], first["quarantined"]) == (2, 0), first

    data = export(config)

    systems = {s["connection"]: s for s in data["systems"]}
    assert systems["hubspot"]["status"] == "acknowledged", systems["hubspot"]
    [record] = systems["hubspot"]["records"]
    fields, canonical = record["fields"], record["canonical"]
    assert (fields["email"], fields["firstname"], fields["lastname"]) == (EMAIL, "Ayşe", "Yılmaz")
    assert fields["jobtitle"] == FORMULA, "the export shows what HubSpot holds, unaltered in JSON"
    assert (fields["subscription.status"], fields["subscription.legal_basis"]) == ("SUBSCRIBED",
                                                                                   "CONSENT_WITH_NOTICE")
    assert (canonical["consent.email"], canonical["consent.legal_basis"], canonical["consent.source"]) == (
        "granted", "consent", "web form /kayit")
    stored = sandbox.store.find("contacts", "email", EMAIL)
    assert stored is not None and fields["hs_object_id"] == stored.id
    assert record["key"] == data["hub_ids"][0] == fields["crmhub_id"], "found by the hub id it was written under"
    assert [r["connection"] for r in data["recipients"]] == ["hubspot"]
    assert {(c["channel"], c["status"]) for c in data["consent"]} == {("email", "granted")}


def test_csv_export_carries_hubspots_values_formula_safe(config: Path) -> None:
    run_migration(config, "people", "hubspot")

    rows = export(config, "csv")

    held = {r["field"]: r["value"] for r in rows if r["section"] == "record" and r["system"] == "hubspot"}
    assert (held["email"], held["lastname"], held["subscription.status"]) == (EMAIL, "Yılmaz", "SUBSCRIBED")
    assert held["jobtitle"] == "'" + FORMULA, "a formula is written with a leading quote"
    assert not any(value[:1] in ("=", "@", "\t", "\r") for r in rows for value in r.values())
    assert OTHER not in json.dumps(rows, ensure_ascii=False), "nobody else's record is exported"


def test_erase_goes_through_gdpr_delete_leaves_nothing_in_hubspot_and_a_rerun_does_not_recreate(
        config: Path, sandbox: HubSpotSandbox) -> None:
    run_migration(config, "people", "hubspot")
    [hub_id] = export(config)["hub_ids"]

    report = json.loads(invoke(config, "gdpr", "erase", EMAIL, "--json").strip().splitlines()[-1])

    systems = {s["connection"]: s for s in report["systems"]}
    assert (systems["hubspot"]["mechanism"], systems["hubspot"]["status"]) == ("erase", "acknowledged")
    assert report["status"] == "pending" and systems["people"]["status"] == "manual", "a CSV is erased by hand"
    assert hubspot_emails(sandbox) == [OTHER], "gone for good, not archived"
    assert EMAIL in sandbox.store.blocked_emails and EMAIL not in sandbox.store.subscriptions

    after = export(config)
    assert after["hub_ids"] == [] and after["consent"] == [], "crmhub no longer knows the address"
    # Asked by the hub id, HubSpot is searched for the crmhub_id the contact was written under: nothing is left.
    by_hub_id = export(config, subject=hub_id)
    [in_hubspot] = [s for s in by_hub_id["systems"] if s["connection"] == "hubspot"]
    assert (in_hubspot["status"], in_hubspot["records"]) == ("acknowledged", [])
    assert by_hub_id["consent"] == []

    again = run_migration(config, "people", "hubspot", restart=True)

    assert (again["suppressed"], again["created"]) == (1, 0), again
    assert hubspot_emails(sandbox) == [OTHER]
