"""CSV → Salesforce (and back) through the real engine, with the sandbox's faults and limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.sandbox.settings import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from crmhub_salesforce.testkit import SandboxProcess, make_connector, people_csv, sdk_client

from hub.mapping import find_mapping, load_mapping
from hub.plugins import PluginHost
from hub.testing import run_migration, write_config

COUNTED = ("created", "updated", "merged", "unchanged", "quarantined", "suppressed")


def configure(tmp_path: Path, sandbox: SalesforceSandbox, source: Path, monkeypatch: pytest.MonkeyPatch,
              oauth: bool = False, **salesforce: Any) -> Path:
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    connection: dict[str, Any] = {"connector": "salesforce", "ca_file": sandbox.ca_file, "sandbox": True,
                                  "bulk_poll_interval": 0.05}
    if oauth:
        monkeypatch.setenv("SF_CLIENT_SECRET", SANDBOX_CLIENT_SECRET)
        connection |= {"auth": "client_credentials", "login_url": sandbox.url, "client_id": SANDBOX_CLIENT_ID,
                       "client_secret": "${env:SF_CLIENT_SECRET}"}
    else:
        monkeypatch.setenv("SF_SANDBOX_TOKEN", sandbox.token)
        connection |= {"url": sandbox.url, "token": "${env:SF_SANDBOX_TOKEN}"}
    return write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(source)},
        "salesforce": connection | salesforce,
    })


def adds_up(summary: dict[str, Any]) -> bool:
    return summary["read"] == sum(summary[k] for k in COUNTED)


def contacts(sandbox: SalesforceSandbox) -> list[dict[str, Any]]:
    soql = "SELECT Crmhub_Id__c, LastName, Email, MobilePhone, Phone, MailingCity, MailingCountry FROM Contact"
    return sdk_client(sandbox, sandbox.new_session()).query_all(soql)["records"]


def test_mappings_fit_the_sandbox_schema(sandbox: SalesforceSandbox, tmp_path: Path) -> None:
    host = PluginHost.start()
    connector = make_connector(sandbox, tmp_path)
    infos = {info.name: info for info in connector.discover()}
    for name in ("salesforce", "salesforce-leads"):
        mapping = load_mapping(find_mapping(name), host.transforms)
        for stream in mapping.streams.values():
            assert stream.check_against(infos[stream.object]) == [], (name, stream.object)


def test_csv_to_salesforce_through_collections_then_rerun_changes_nothing(
        tmp_path: Path, sandbox: SalesforceSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    config = configure(tmp_path, sandbox, people_csv(tmp_path / "people.csv", 2000), monkeypatch)

    first = run_migration(config, "people", "salesforce")
    stamps = _stamps(sandbox)
    again = run_migration(config, "people", "salesforce", restart=True)

    assert first["status"] == "succeeded", first
    assert (first["read"], first["created"]) == (2000, 2000)
    assert adds_up(first)
    rows = contacts(sandbox)
    assert len(rows) == len({r["Crmhub_Id__c"] for r in rows}) == 2000
    sample = rows[0]
    assert (sample["MailingCity"], sample["MailingCountry"]) == ("Şanlıurfa", "TR")
    assert sample["Phone"].startswith("+90532")
    assert sandbox.store.jobs() == []  # 2,000 records stay on sObject Collections
    assert again["status"] == "succeeded", again
    assert again["created"] == 0
    # The engine counts these as "updated" (external_ids.people is not stored in Salesforce), but the
    # connector found every value already there and sent nothing: no record was touched.
    assert _stamps(sandbox) == stamps


def _stamps(sandbox: SalesforceSandbox) -> dict[str, str]:
    rows = sdk_client(sandbox, sandbox.new_session()).query_all("SELECT Id, SystemModstamp FROM Contact")["records"]
    return {r["Id"]: r["SystemModstamp"] for r in rows}


def test_records_salesforce_rejects_are_quarantined_and_the_rest_confirmed(
        tmp_path: Path, sandbox: SalesforceSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    source = people_csv(tmp_path / "people.csv", 300, broken=frozenset({5, 150, 299}))
    config = configure(tmp_path, sandbox, source, monkeypatch, prevalidate=False)

    summary = run_migration(config, "people", "salesforce")

    assert summary["status"] == "succeeded", summary
    assert (summary["created"], summary["quarantined"]) == (297, 3)
    assert adds_up(summary)
    assert len(contacts(sandbox)) == 297


def test_session_expiring_mid_run_is_renewed_and_nothing_is_lost(
        tmp_path: Path, make_sandbox: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    sandbox: SalesforceSandbox = make_sandbox(token_lifetime=0.4, latency_ms=20)
    config = configure(tmp_path, sandbox, people_csv(tmp_path / "people.csv", 1200), monkeypatch, oauth=True)

    summary = run_migration(config, "people", "salesforce", batch_size=200)

    assert summary["status"] == "succeeded", summary
    assert summary["created"] == 1200
    assert len(contacts(sandbox)) == 1200
    assert sandbox.org.sessions.granted > 2  # the session expired and was renewed several times
    assert SANDBOX_CLIENT_SECRET not in caplog.text
    assert "!" not in str(summary)  # no session id (they look like 00D…!…) in the summary


def test_daily_limit_mid_run_stops_cleanly_and_resumes_without_loss_or_duplicates(
        tmp_path: Path, make_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox: SalesforceSandbox = make_sandbox(daily_api_limit=30)
    config = configure(tmp_path, sandbox, people_csv(tmp_path / "people.csv", 3000), monkeypatch,
                       api_reserve_percent=10)

    stopped = run_migration(config, "people", "salesforce", batch_size=200)
    written = len(contacts(sandbox))
    sandbox.settings.daily_api_limit = 10_000  # the allowance recovered
    resumed = run_migration(config, "people", "salesforce", batch_size=200)

    assert stopped["status"] == "stopped", stopped
    assert 0 < written < 3000
    assert resumed["status"] == "succeeded", resumed
    rows = contacts(sandbox)
    assert len(rows) == len({r["Crmhub_Id__c"] for r in rows}) == 3000
    assert stopped["created"] + resumed["created"] == 3000


def test_fifty_thousand_records_take_the_bulk_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sandbox runs in its own process, as a remote org would: its work does not slow the engine down.
    with SandboxProcess(tmp_path / "org") as sandbox:
        config = configure(tmp_path, sandbox, people_csv(tmp_path / "people.csv", 50_000), monkeypatch)  # type: ignore[arg-type]

        summary = run_migration(config, "people", "salesforce", batch_size=10_000)

        sf = sandbox.client()
        assert summary["status"] == "succeeded", summary
        assert (summary["read"], summary["created"]) == (50_000, 50_000)
        assert adds_up(summary)
        assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 50_000
        jobs = [sf.restful(f"jobs/ingest/{job['id']}") for job in sf.restful("jobs/ingest")["records"]]
        assert len(jobs) == 5
        assert {(j["operation"], j["state"], j["numberRecordsProcessed"]) for j in jobs} == {
            ("upsert", "JobComplete", 10_000)}


@pytest.mark.parametrize(("field", "rule", "message"), [
    ("custom.shoe_size", "Shoe_Size__c", "Shoe_Size__c (from custom.shoe_size) does not exist in Contact"),
    ("lifecycle_stage", "{from: LeadSource, write_map: {lead: Billboard}}",
     "LeadSource (from lifecycle_stage) does not allow the picklist value(s) Billboard"),
])
def test_a_mapping_salesforce_cannot_take_fails_before_any_write(
        tmp_path: Path, sandbox: SalesforceSandbox, monkeypatch: pytest.MonkeyPatch, field: str, rule: str,
        message: str) -> None:
    mapping = tmp_path / "bad-salesforce.yaml"
    mapping.write_text("system: salesforce\nstreams:\n  contacts:\n    object: Contact\n    key_field: Crmhub_Id__c\n"
                       f"    fields:\n      last_name: LastName\n      {field}: {rule}\n", encoding="utf-8")
    source = tmp_path / "people.csv"
    source.write_text("id,last_name,lifecycle_stage,custom.shoe_size\np1,Öz,lead,42\n", encoding="utf-8")
    config = configure(tmp_path, sandbox, source, monkeypatch, mapping=str(mapping))

    summary = run_migration(config, "people", "salesforce")

    assert summary["status"] == "failed"
    assert message in summary["error"]
    assert contacts(sandbox) == []
