"""Salesforce → SQLite incremental sync through the engine: exactly the changed and deleted records."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox

from hub.testing import run_migration, write_config


def _configure(tmp_path: Path, sandbox: SalesforceSandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SF_SYNC_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    return write_config(tmp_path / "hub", {
        "salesforce": {"connector": "salesforce", "url": sandbox.url, "token": "${env:SF_SYNC_TOKEN}",
                       "ca_file": sandbox.ca_file, "sandbox": True, "query_batch_size": 200},
        "warehouse": {"connector": "sql", "url": f"sqlite:///{tmp_path / 'warehouse.db'}", "table": "contacts"},
    }, pipelines={"sf-to-warehouse": {"source": "salesforce", "target": "warehouse", "streams": ["contacts"],
                                      "deletes": "propagate", "batch_size": 100}})


def _warehouse(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "warehouse.db") as con:
        return dict(con.execute("SELECT email, job_title FROM contacts").fetchall())


def _bulk(sf: Any, rows: list[dict[str, str]]) -> None:
    """One Bulk job: every row saved in one transaction, sharing one SystemModstamp."""
    sf.bulk2.Contact.upsert(records=rows, external_id_field="Crmhub_Id__c", wait=0.02)


def test_sync_picks_up_exactly_the_changed_and_deleted_records(
        tmp_path: Path, sandbox: SalesforceSandbox, sf: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _bulk(sf, [{"Crmhub_Id__c": f"s-{i:03d}", "LastName": f"Aksoy {i}", "Email": f"a{i}@example.com.tr"}
               for i in range(250)])
    config = _configure(tmp_path, sandbox, monkeypatch)
    first = run_migration(config, "salesforce", "warehouse", pipeline="sf-to-warehouse")
    assert first["status"] == "succeeded", first
    assert first["created"] == 250

    # 250 rows change in one transaction: one shared SystemModstamp, across the 200-row page boundary.
    _bulk(sf, [{"Crmhub_Id__c": f"s-{i:03d}", "Title": "Uzman"} for i in range(250)])
    second = run_migration(config, "salesforce", "warehouse", pipeline="sf-to-warehouse")
    assert second["status"] == "succeeded", second
    assert (second["read"], second["updated"]) == (250, 250)

    sf.Contact.upsert("Crmhub_Id__c/s-007", {"Title": "Müdür"})
    sf.Contact.delete(sf.Contact.get_by_custom_id("Crmhub_Id__c", "s-100")["Id"])
    sf.Contact.upsert("Crmhub_Id__c/s-new", {"LastName": "Yeni", "Email": "yeni@example.com.tr"})
    third = run_migration(config, "salesforce", "warehouse", pipeline="sf-to-warehouse")
    fourth = run_migration(config, "salesforce", "warehouse", pipeline="sf-to-warehouse")

    assert third["status"] == "succeeded", third
    assert (third["read"], third["updated"], third["created"], third["deleted"]) == (2, 1, 1, 1)
    assert (fourth["read"], fourth["deleted"]) == (0, 0)
    rows = _warehouse(tmp_path)
    assert len(rows) == 250
    assert rows["a7@example.com.tr"] == "Müdür"
    assert "a100@example.com.tr" not in rows
    assert rows["yeni@example.com.tr"] is None
