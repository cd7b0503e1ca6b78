"""CSV → Zoho through the real engine: a migration, a clean stop on spent credits, and its resume."""

from __future__ import annotations

import csv
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
