"""Emptying fields in Zoho: ``null`` in an upsert empties a field, a mandatory one is refused
(``MANDATORY_NOT_FOUND``), and ``reconcile --fix`` empties in Zoho what a CSV export emptied."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from crmhub_zoho.sandbox import ZohoSandbox
from typer.testing import CliRunner

from hub.cli.app import app
from hub.records import SourceRecord, WriteOutcome, WriteRequest
from hub.testing import write_config

from .conftest import ConnectorFactory


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "salesforce,hubspot")


def contacts(make_connector: ConnectorFactory) -> dict[str, dict[str, Any]]:
    """Every Zoho contact's values, by e-mail address."""
    with make_connector() as connector:
        read = [r for r in connector.read("Contacts", None) if isinstance(r, SourceRecord)]
    return {r.data["Email"]: r.data for r in read}


def test_a_mandatory_field_given_as_none_is_refused_and_kept(make_connector: ConnectorFactory) -> None:
    person = {"First_Name": "Oğuz", "Last_Name": "Aydın", "Email": "oguz@example.com.tr", "Title": "Şef"}
    with make_connector() as connector:
        assert connector.write("Contacts", [WriteRequest("m-1", person)])[0].outcome is WriteOutcome.CREATED
        refused = connector.write("Contacts", [WriteRequest("m-1", {"Last_Name": None, "Title": None})])[0]
        found = connector.lookup("Contacts", ["m-1"])["m-1"]
    assert (refused.outcome, refused.code) == (WriteOutcome.FAILED, "MANDATORY_NOT_FOUND")
    assert "Last_Name" in (refused.message or "")
    assert (found["Last_Name"], found["Title"]) == ("Aydın", "Şef"), "a refused record changes nothing"


def test_emptying_a_field_already_empty_changes_nothing(make_connector: ConnectorFactory) -> None:
    with make_connector() as connector:
        connector.write("Contacts", [WriteRequest("e-1", {"Last_Name": "Kaya", "Title": "Müdür"})])
        emptied = connector.write("Contacts", [WriteRequest("e-1", {"Title": None})])[0]
        again = connector.write("Contacts", [WriteRequest("e-1", {"Title": None})])[0]
    assert (emptied.outcome, again.outcome) == (WriteOutcome.UPDATED, WriteOutcome.UNCHANGED)


def write_people(path: Path, emptied: str | None = None) -> None:
    """Three people with a job title and a city; ``emptied`` has neither."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "job_title", "address.city"])
        for n in range(3):
            blank = f"Z{n}" == emptied
            writer.writerow([f"Z{n}", "Gülşen", f"Doğan {n}", f"gulsen{n}@example.com.tr",
                             "" if blank else "Avukat", "" if blank else "Eskişehir"])


def crmhub(*args: str) -> dict[str, Any]:
    """Run a ``crmhub`` command with ``--json``; its last line, parsed."""
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_crmhub_reconcile_fix_empties_in_zoho_what_the_source_emptied(
        tmp_path: Path, sandbox: ZohoSandbox, make_connector: ConnectorFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", sandbox.token)
    write_people(tmp_path / "people.csv")
    config = str(write_config(tmp_path, {
        "people": {"connector": "csv", "path": "people.csv"},
        "zoho": {"connector": "zoho", "url": sandbox.url, "token": "${env:ZOHO_SANDBOX_TOKEN}",
                 "allow_insecure_sandbox": True, "classification": "sales"},
    }, pipelines={"people-to-zoho": {"source": "people", "target": "zoho", "conflict": "source_wins"}}))
    assert crmhub("migrate", "--from", "people", "--to", "zoho", "-c", config)["created"] == 3
    write_people(tmp_path / "people.csv", emptied="Z1")

    fix = crmhub("reconcile", "people", "zoho", "-c", config, "--fix")["fix"]

    assert fix["ok"] and (fix["cleared"], fix["cannot_clear"]) == (2, 0), fix
    found = contacts(make_connector)
    assert found["gulsen1@example.com.tr"].get("Title") is None
    assert found["gulsen1@example.com.tr"].get("Mailing_City") is None
    assert found["gulsen1@example.com.tr"]["Last_Name"] == "Doğan 1"
    assert all(found[f"gulsen{n}@example.com.tr"]["Title"] == "Avukat" for n in (0, 2))
    assert crmhub("reconcile", "people", "zoho", "-c", config)["differences"] == 0
