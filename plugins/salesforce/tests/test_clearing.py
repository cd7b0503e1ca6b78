"""Emptying fields in Salesforce: ``null`` through sObject Collections, ``#N/A`` in a Bulk API 2.0 CSV, a required
field refused with ``REQUIRED_FIELD_MISSING``, and ``reconcile --fix`` emptying what a SQL table emptied."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox

from hub.app import open_hub
from hub.reconcile import Reconciler, ReconcileRequest
from hub.records import WriteOutcome, WriteRequest
from hub.testing import run_migration, write_config

PATHS = {"collections": 10_000, "bulk": 1}  # bulk_threshold: records in one write that take the Bulk API


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_field_given_as_none_is_emptied_and_a_required_one_refused(
        path: str, sandbox: SalesforceSandbox, make_connector: Any, sf: Any) -> None:
    connector = make_connector(sandbox, bulk_threshold=PATHS[path])
    people = [WriteRequest(f"k-{n}", {"LastName": f"Kaya {n}", "Title": "Müdür", "MailingCity": "Bursa"})
              for n in range(2)]
    assert [r.outcome for r in connector.write("Contact", people)] == [WriteOutcome.CREATED] * 2

    results = connector.write("Contact", [WriteRequest("k-0", {"Title": None, "MailingCity": None}),
                                          WriteRequest("k-1", {"LastName": None, "Title": None})])

    assert results[0].outcome is WriteOutcome.UPDATED
    assert (results[1].outcome, results[1].code) == (WriteOutcome.FAILED, "REQUIRED_FIELD_MISSING")
    assert "LastName" in (results[1].message or "")
    emptied, refused = (sf.Contact.get_by_custom_id("Crmhub_Id__c", f"k-{n}") for n in range(2))
    assert (emptied["LastName"], emptied["Title"], emptied["MailingCity"]) == ("Kaya 0", None, None)
    assert (refused["LastName"], refused["Title"]) == ("Kaya 1", "Müdür"), "a refused record changes nothing"
    uploads = [sandbox.store.load_job(job["id"])[1] for job in sandbox.store.jobs()]  # type: ignore[index]
    assert [b"#N/A" in (upload or b"") for upload in uploads] == ([False, True] if path == "bulk" else [])


@pytest.mark.parametrize("path", sorted(PATHS))
def test_reconcile_fix_empties_in_salesforce_what_the_table_emptied(
        path: str, tmp_path: Path, sandbox: SalesforceSandbox, sf: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SF_CLEAR_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE contacts (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100), "
                    "last_name VARCHAR(100), email VARCHAR(255), job_title VARCHAR(100), address__city VARCHAR(100))")
        con.executemany("INSERT INTO contacts VALUES (?, 'Şükrü', ?, ?, 'Mimar', 'Muğla')",
                        [(f"t{n}", f"Öztürk {n}", f"sukru{n}@example.com.tr") for n in range(3)])
    config = write_config(tmp_path / "hub", {
        "table": {"connector": "sql", "url": f"sqlite:///{db}", "table": "contacts"},
        "salesforce": {"connector": "salesforce", "url": sandbox.url, "token": "${env:SF_CLEAR_TOKEN}",
                       "ca_file": sandbox.ca_file, "sandbox": True, "bulk_threshold": PATHS[path],
                       "classification": "sales"},
    }, pipelines={"table-to-salesforce": {"source": "table", "target": "salesforce", "conflict": "source_wins"}})
    assert run_migration(config, "table", "salesforce", pipeline="table-to-salesforce")["created"] == 3
    with sqlite3.connect(db) as con:
        con.execute("UPDATE contacts SET job_title = NULL, address__city = NULL WHERE id = 't1'")

    def reconcile(**options: Any) -> Any:
        with open_hub(config) as session:
            request = ReconcileRequest(systems=["table", "salesforce"], report_dir=tmp_path / "out", **options)
            return Reconciler(session).run(request)

    fix = reconcile(fix=True).fix
    assert fix is not None and fix["ok"] and (fix["cleared"], fix["cannot_clear"]) == (2, 0), fix
    rows = {r["Email"]: r for r in sf.query("SELECT Email, LastName, Title, MailingCity FROM Contact")["records"]}
    assert (rows["sukru1@example.com.tr"]["Title"], rows["sukru1@example.com.tr"]["MailingCity"]) == (None, None)
    assert rows["sukru1@example.com.tr"]["LastName"] == "Öztürk 1"
    assert all(rows[f"sukru{n}@example.com.tr"]["Title"] == "Mimar" for n in (0, 2))
    assert reconcile().summary["differences"] == 0
    assert bool(sandbox.store.jobs()) == (path == "bulk"), "each path was taken"
