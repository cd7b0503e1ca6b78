"""CSV → Zoho through the real engine: a migration, a clean stop on spent credits, and its resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from crmhub_zoho.sandbox import ZohoSandbox

from hub.testing import run_migration, write_config


def people_csv(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "address.city"])
        for i in range(count):
            writer.writerow([f"p{i:05d}", "Şükrü", f"Çelik {i}", f"sukru{i}@example.com.tr", "Şanlıurfa"])
    return path


def configure(tmp_path: Path, sandbox: ZohoSandbox, count: int, monkeypatch: pytest.MonkeyPatch, **zoho) -> Path:
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    source = people_csv(tmp_path / "people.csv", count)
    return write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(source)},
        "zoho": {"connector": "zoho", "url": sandbox.url, "token": "${env:ZOHO_SANDBOX_TOKEN}",
                 "allow_insecure_sandbox": True, **zoho},
    })


def test_csv_to_zoho_then_rerun_changes_nothing(tmp_path, sandbox, monkeypatch) -> None:
    config = configure(tmp_path, sandbox, 250, monkeypatch)
    first = run_migration(config, "people", "zoho")
    assert first["status"] == "succeeded", first
    assert first["created"] == 250
    assert sandbox.store.count("Contacts") == 250
    stored = next(sandbox.store.all("Contacts")).data
    assert stored["Mailing_City"] == "Şanlıurfa" and stored["Crmhub_Id"]
    again = run_migration(config, "people", "zoho", restart=True)
    assert again["status"] == "succeeded" and again["created"] == 0, again
    assert sandbox.store.count("Contacts") == 250


@pytest.mark.parametrize("sandbox_settings", [{"credit_budget": 45}])
def test_spent_credits_stop_cleanly_and_the_run_resumes_without_loss_or_duplicates(
        tmp_path, sandbox, monkeypatch) -> None:
    config = configure(tmp_path, sandbox, 300, monkeypatch)
    stopped = run_migration(config, "people", "zoho")
    assert stopped["status"] == "stopped", stopped
    assert 0 < sandbox.store.count("Contacts") < 300
    sandbox.settings.credit_budget = None  # the rolling window moved on
    resumed = run_migration(config, "people", "zoho")
    assert resumed["status"] == "succeeded", resumed
    keys = [r.data["Crmhub_Id"] for r in sandbox.store.all("Contacts")]
    assert len(keys) == 300 and len(set(keys)) == 300


def test_consent_reaches_zoho_with_a_basis_and_reads_back_unchanged(tmp_path, sandbox, monkeypatch) -> None:
    rows = [  # consent.email, consent.legal_basis, consent.processing_restricted
        ("granted", "", "false"), ("denied", "", "false"), ("unknown", "", "false"), ("withdrawn", "contract", ""),
        ("granted", "", "true"), ("", "", ""),
    ]
    source = tmp_path / "consent.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "last_name", "email", "consent.email", "consent.legal_basis",
                         "consent.processing_restricted"])
        for i, row in enumerate(rows):
            writer.writerow([f"k{i}", f"Güneş {i}", f"gunes{i}@example.com.tr", *row])
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", sandbox.token)
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(source)},
        "zoho": {"connector": "zoho", "url": sandbox.url, "token": "${env:ZOHO_SANDBOX_TOKEN}",
                 "allow_insecure_sandbox": True},
    })
    first = run_migration(config, "people", "zoho")
    assert first["status"] == "succeeded" and first["quarantined"] == 0, first
    assert (first["created"], first["suppressed"]) == (len(rows) - 1, 1), "a restricted person is not moved"
    stored = {r.data["Last_Name"]: r.data.get("Data_Processing_Basis_Details") for r in sandbox.store.all("Contacts")}
    bases = [(stored.get(f"Güneş {i}") or {}).get("Data_Processing_Basis") for i in range(len(rows))]
    assert bases == ["Consent - Obtained", "Consent - Denied", "Consent - Pending", "Contract", None, None]
    again = run_migration(config, "people", "zoho", restart=True, dry_run=True)
    changed = {}
    for line in (Path(again["report_dir"]) / "contacts.changes.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        changed.update({(entry["source_id"], name): change for name, change in entry["changes"].items()
                        if name.startswith("consent.") or name in ("last_name", "email")})
    assert again["quarantined"] == 0 and again["created"] == 0 and again["suppressed"] == 1, again
    # Zoho keeps yes/no per channel: a withdrawal is stored as a refusal, which is all Zoho can hold,
    # so the engine (comparing values as the target keeps them) sees nothing to change
    assert changed == {}, changed
