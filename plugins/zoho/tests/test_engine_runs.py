"""Whole runs through the engine: 20,000 records read back past Zoho's 2,000-record page limit, OAuth
tokens expiring and revoked mid-run, Zoho as the source of an incremental sync with deletes."""

from __future__ import annotations

import csv
import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from crmhub_zoho.sandbox import ZohoSandbox

from hub.records import Checkpoint, SourceRecord, WriteOutcome, WriteRequest
from hub.testing import run_migration, write_config


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "salesforce,hubspot")


def people_csv(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "mobile", "address.city"])
        for i in range(count):
            writer.writerow([f"z{i:05d}", "Çağla", f"Doğan {i}", f"cagla{i}@example.com.tr",
                             f"+9053{i:08d}", "Eskişehir"])
    return path


def zoho_connection(sandbox: ZohoSandbox, **extra: object) -> dict[str, object]:
    return {"connector": "zoho", "url": sandbox.url, "token": "${env:ZOHO_SANDBOX_TOKEN}",
            "allow_insecure_sandbox": True, **extra}


def test_twenty_thousand_records_then_read_back_past_the_page_token_boundary(
        tmp_path: Path, sandbox: ZohoSandbox, make_connector, monkeypatch: pytest.MonkeyPatch) -> None:
    count = 20_000
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", sandbox.token)
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(people_csv(tmp_path / "people.csv", count))},
        "zoho": zoho_connection(sandbox, detect_unchanged=False),
    }, pipelines={"people->zoho": {"source": "people", "target": "zoho", "streams": ["contacts"],
                                   "batch_size": 2000}})
    summary = run_migration(config, "people", "zoho", pipeline="people->zoho")
    assert summary["status"] == "succeeded", summary
    assert (summary["created"], summary["quarantined"]) == (count, 0), summary
    assert sandbox.store.count("Contacts") == count

    ids, names, checkpoints = set(), set(), 0
    with make_connector() as connector:  # the real SDK reads Zoho back: 100 pages, 90 of them by page_token
        for item in connector.read("Contacts", None):
            if isinstance(item, Checkpoint):
                checkpoints += 1
                continue
            assert isinstance(item, SourceRecord) and item.error is None
            ids.add(item.id)
            names.add(item.data["Last_Name"])
    assert len(ids) == count and names == {f"Doğan {i}" for i in range(count)}
    assert checkpoints >= count // 200
    assert len(sandbox.api._tokens) >= (count - 2000) // 200, "past 2,000 records only page_token reads on"


@pytest.mark.parametrize("sandbox_settings", [{"token_lifetime": 1, "latency": 0.01}])
def test_tokens_expiring_and_revoked_mid_run_are_refreshed(tmp_path: Path, sandbox: ZohoSandbox,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cred = sandbox.credentials
    monkeypatch.setenv("ZOHO_CLIENT_ID", cred.client_id)
    monkeypatch.setenv("ZOHO_CLIENT_SECRET", cred.client_secret)
    monkeypatch.setenv("ZOHO_REFRESH_TOKEN", cred.refresh_token)
    oauth = {"connector": "zoho", "url": sandbox.url,
             "allow_insecure_sandbox": True, "client_id": "${env:ZOHO_CLIENT_ID}",
             "client_secret": "${env:ZOHO_CLIENT_SECRET}", "refresh_token": "${env:ZOHO_REFRESH_TOKEN}"}
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(people_csv(tmp_path / "people.csv", 1500))}, "zoho": oauth,
    }, pipelines={"people->zoho": {"source": "people", "target": "zoho", "streams": ["contacts"],
                                   "batch_size": 100, "workers": 1}})
    revoke = threading.Timer(1.5, cred.issued.clear)  # Zoho also drops a live token early: 401 INVALID_TOKEN
    revoke.start()
    summary = run_migration(config, "people", "zoho", pipeline="people->zoho")
    revoke.join()
    assert summary["status"] == "succeeded", summary
    assert (summary["created"], summary["quarantined"]) == (1500, 0), summary
    refreshes = sum(1 for _, path in sandbox.requests if path == "/oauth/v2/token")
    assert refreshes >= 3, "tokens of one second are refreshed again and again during the run"
    keys = [r.data["Crmhub_Id"] for r in sandbox.store.all("Contacts")]
    assert len(keys) == 1500 and len(set(keys)) == 1500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (*cred.issued, cred.client_secret, cred.refresh_token, cred.access_token):
        assert secret not in logged


def test_zoho_to_sqlite_incremental_sync_propagates_edits_and_deletes(
        tmp_path: Path, sandbox: ZohoSandbox, make_connector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", sandbox.token)
    start = sandbox.store.now()
    sandbox.store.clock = lambda: start
    people = [WriteRequest(f"s-{i}", {"Last_Name": f"Aksoy {i}", "Email": f"aksoy{i}@example.com.tr",
                                      "Mailing_City": "Muğla"}) for i in range(120)]
    with make_connector() as connector:
        connector.write("Contacts", people)
    db = tmp_path / "warehouse.db"
    config = write_config(tmp_path / "hub", {
        "zoho": zoho_connection(sandbox, overlap_seconds=60),
        "warehouse": {"connector": "sql", "url": f"sqlite:///{db}", "table": "contacts"},
    }, pipelines={"zoho-to-warehouse": {"source": "zoho", "target": "warehouse", "streams": ["contacts"],
                                        "deletes": "propagate", "workers": 1}})
    first = run_migration(config, "zoho", "warehouse", pipeline="zoho-to-warehouse")
    assert first["status"] == "succeeded" and first["created"] == 120, first

    sandbox.store.clock = lambda: start + 5  # Zoho stamps Modified_Time to the second
    with make_connector() as connector:
        connector.write("Contacts", [WriteRequest("s-5", {"Mailing_City": "İzmir", "Title": "Müdür"})])
        assert connector.delete("Contacts", ["s-9"])[0].outcome is WriteOutcome.DELETED
    second = run_migration(config, "zoho", "warehouse", pipeline="zoho-to-warehouse")
    assert second["status"] == "succeeded", second
    assert (second["read"], second["updated"], second["deleted"]) == (1, 1, 1), second
    third = run_migration(config, "zoho", "warehouse", pipeline="zoho-to-warehouse")
    assert (third["read"], third["updated"], third["deleted"]) == (0, 0, 0), third
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT email, address__city FROM contacts").fetchall())
    assert len(rows) == 119 and "aksoy9@example.com.tr" not in rows
    assert rows["aksoy5@example.com.tr"] == "İzmir" and rows["aksoy6@example.com.tr"] == "Muğla"
