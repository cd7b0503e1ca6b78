"""Consent through the engine: CSV → Salesforce's consent objects → back; export and erasure of the person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.testkit import sdk_client
from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import run_migration, write_config

EMAIL = "ayse.yilmaz@example.com.tr"
CSV = (
    "id,first_name,last_name,email,consent.email,consent.phone,consent.processing_restricted,consent.captured_at,"
    "consent.source,consent.capture_method,consent.notice_version\n"
    f"1,Ayşe,Yılmaz,{EMAIL},granted,withdrawn,false,2025-03-01T10:00:00+03:00,web form /kayit,web form,aydinlatma-v3\n"
    "2,Mehmet,Öztürk,mehmet@example.com.tr,withdrawn,,false,2025-02-01T10:00:00+03:00,call centre,phone call,"
    "aydinlatma-v3\n"
)


@pytest.fixture
def config(tmp_path: Path, sandbox: SalesforceSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SF_SANDBOX_TOKEN", sandbox.token)
    (tmp_path / "people.csv").write_text(CSV, encoding="utf-8")
    return write_config(tmp_path, {
        "people": {"connector": "csv", "path": "people.csv"},
        "salesforce": {"connector": "salesforce", "url": sandbox.url, "token": "${env:SF_SANDBOX_TOKEN}",
                       "ca_file": sandbox.ca_file, "sandbox": True, "bulk_poll_interval": 0.05,
                       "classification": "sales"},
        "warehouse": {"connector": "sql", "url": "sqlite:///warehouse.db", "table": "contacts"},
    })


def cli(config: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert result.stdout.strip(), (result.output, result.exception)
    parsed: dict[str, Any] = json.loads(result.stdout) if args[:2] == ("gdpr", "export") else json.loads(
        result.stdout.strip().splitlines()[-1])
    return parsed


def count(sandbox: SalesforceSandbox, obj: str) -> int:
    return int(sdk_client(sandbox, sandbox.new_session()).query_all(f"SELECT Id FROM {obj}")["totalSize"])


def test_consent_travels_into_salesforces_objects_and_back_out_unchanged(config: Path,
                                                                         sandbox: SalesforceSandbox) -> None:
    first = run_migration(config, "people", "salesforce")
    assert (first["created"], first["quarantined"]) == (2, 0), first
    assert (count(sandbox, "Individual"), count(sandbox, "ContactPointTypeConsent")) == (2, 3)
    again = run_migration(config, "people", "salesforce", restart=True)
    assert again["created"] == 0 and count(sandbox, "ContactPointTypeConsent") == 3

    out = run_migration(config, "salesforce", "warehouse", streams=["contacts"])

    assert out["created"] == 2, out
    import sqlite3

    con = sqlite3.connect(config.parent / "warehouse.db")
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT email, consent__email, consent__phone, consent__source, consent__capture_method FROM contacts")}
    con.close()
    refusal = ("denied", "withdrawn")  # Salesforce says OptOut; the ledger remembers it was a withdrawal
    assert rows[EMAIL][0] == "granted" and rows[EMAIL][1] in refusal
    assert rows[EMAIL][2:] == ("web form /kayit", "web")
    assert rows["mehmet@example.com.tr"][0] in refusal, "the withdrawal stays a refusal, never a grant"
    assert rows["mehmet@example.com.tr"][1] is None, "a channel nobody answered is not invented"


def test_export_shows_salesforce_consent_and_erase_removes_everything_salesforce_held(
        config: Path, sandbox: SalesforceSandbox) -> None:
    run_migration(config, "people", "salesforce")

    export = cli(config, "gdpr", "export", EMAIL)

    [system] = [s for s in export["systems"] if s["connection"] == "salesforce"]
    [record] = system["records"]
    assert record["fields"]["ContactPointTypeConsent.Email"] == "OptIn"
    assert (record["canonical"]["consent.email"], record["canonical"]["consent.phone"]) == ("granted", "denied")

    plan = cli(config, "gdpr", "erase", EMAIL, "--dry-run", "--json")
    assert [(s["connection"], s["mechanism"]) for s in plan["systems"]] == [("people", "manual"),
                                                                           ("salesforce", "erase")]
    assert (count(sandbox, "Contact"), count(sandbox, "Individual")) == (2, 2), "a dry run changes nothing"

    report = cli(config, "gdpr", "erase", EMAIL, "--json")

    systems = {s["connection"]: s for s in report["systems"]}
    assert (systems["salesforce"]["mechanism"], systems["salesforce"]["status"]) == ("erase", "acknowledged")
    assert (count(sandbox, "Contact"), count(sandbox, "Individual"), count(sandbox, "ContactPointTypeConsent")) == (
        1, 1, 1), "Mehmet's records stay; Ayşe's contact, Individual and consent rows are gone"
    session = sdk_client(sandbox, sandbox.new_session())
    deleted = session.query_all("SELECT Id FROM ContactPointTypeConsent WHERE IsDeleted = true", include_deleted=True)
    assert deleted["totalSize"] == 0, "hard deleted: nothing waits in the recycle bin"
