"""Emptying fields through the engine: ``reconcile --fix`` empties in HubSpot a field the CSV export emptied."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.app import open_hub
from hub.reconcile import Reconciler, ReconcileRequest
from hub.testing import run_migration, write_config

from .migration_data import hubspot_connection, live

HEADERS = ["id", "first_name", "last_name", "email", "job_title", "address.city"]


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")


def write_people(path: Path, emptied: str | None = None) -> None:
    """Three people with a job title and a city; ``emptied`` has neither."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n in range(3):
            person_id = f"P{n}"
            job, city = ("", "") if person_id == emptied else ("Mühendis", "İzmir")
            writer.writerow([person_id, "Çağla", f"Yılmaz{n}", f"cagla{n}@example.com.tr", job, city])


def by_email(sandbox: HubSpotSandbox) -> dict[str, dict[str, str]]:
    return {p["email"]: p for p in live(sandbox, "contacts")}


def test_reconcile_fix_empties_in_hubspot_what_the_source_emptied(tmp_path: Path, sandbox: HubSpotSandbox,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    people = tmp_path / "people.csv"
    write_people(people)
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(people)},
        "hubspot": hubspot_connection(sandbox, classification="sales"),
    }, pipelines={"people-to-hubspot": {"source": "people", "target": "hubspot", "conflict": "source_wins"}})
    assert run_migration(config, "people", "hubspot", pipeline="people-to-hubspot")["created"] == 3
    assert by_email(sandbox)["cagla1@example.com.tr"]["jobtitle"] == "Mühendis"
    write_people(people, emptied="P1")

    with open_hub(config) as session:
        healed = Reconciler(session).run(ReconcileRequest(systems=["people", "hubspot"], fix=True,
                                                          report_dir=tmp_path / "report"))

    assert healed.fix is not None and healed.fix["ok"], healed.fix
    assert (healed.fix["cleared"], healed.fix["cannot_clear"]) == (2, 0)
    contacts = by_email(sandbox)
    assert "jobtitle" not in contacts["cagla1@example.com.tr"] and "city" not in contacts["cagla1@example.com.tr"]
    assert contacts["cagla1@example.com.tr"]["lastname"] == "Yılmaz1"
    assert all(contacts[f"cagla{n}@example.com.tr"]["jobtitle"] == "Mühendis" for n in (0, 2))
    with open_hub(config) as session:
        again = Reconciler(session).run(ReconcileRequest(systems=["people", "hubspot"],
                                                         report_dir=tmp_path / "report2"))
    assert again.summary["differences"] == 0, again.summary
