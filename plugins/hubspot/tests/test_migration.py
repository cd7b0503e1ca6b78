"""CSV → HubSpot through the real engine: companies, contacts and their associations; re-runs; partial failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.app import open_hub
from hub.testing import run_migration, write_config

from .conftest import SandboxFactory
from .migration_data import (
    COMPANIES_CONNECTION,
    company_hub_id,
    hubspot_connection,
    live,
    write_companies,
    write_contacts,
)


def configure(tmp_path: Path, sandbox: HubSpotSandbox, monkeypatch: pytest.MonkeyPatch, companies: int,
              contacts: int, **hubspot: object) -> Path:
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")  # not needed here; their SDKs load slowly
    company_ids = write_companies(tmp_path / "companies.csv", companies)
    write_contacts(tmp_path / "contacts.csv", contacts, company_ids)
    return write_config(tmp_path / "hub", {
        COMPANIES_CONNECTION: {"connector": "csv", "path": str(tmp_path / "companies.csv"), "stream": "companies"},
        "people": {"connector": "csv", "path": str(tmp_path / "contacts.csv")},
        "hubspot": hubspot_connection(sandbox, **hubspot),
    })


def test_thirty_thousand_contacts_with_companies_and_associations(tmp_path: Path, sandbox: HubSpotSandbox,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config = configure(tmp_path, sandbox, monkeypatch, companies=300, contacts=30_000)
    firms = run_migration(config, COMPANIES_CONNECTION, "hubspot", streams=["companies"])
    assert firms["status"] == "succeeded", firms
    assert firms["created"] == 300
    # One process: worker processes would re-import every plugin, which costs more than they save here.
    people = run_migration(config, "people", "hubspot", streams=["contacts"], workers=1)
    assert people["status"] == "succeeded", people
    assert (people["read"], people["created"], people["quarantined"]) == (30_000, 30_000, 0), people

    contacts = live(sandbox, "contacts")
    assert len(contacts) == 30_000
    assert len({c["crmhub_id"] for c in contacts}) == 30_000
    assert contacts[0]["phone"].startswith("+90532")
    companies = {c["crmhub_id"]: c["hs_object_id"] for c in live(sandbox, "companies")}
    by_id = {c["hs_object_id"]: c for c in contacts}
    assert sum(len(v) for v in sandbox.store.associations.values()) == 30_000
    first = next(c for c in contacts if c["email"] == "kisi301@example.com.tr")
    assert sandbox.store.companies_of(first["hs_object_id"]) == [companies[company_hub_id("C0001")]]
    assert by_id[first["hs_object_id"]]["associatedcompanyid"] == companies[company_hub_id("C0001")]

    writes = sandbox.writes
    again = run_migration(config, "people", "hubspot", streams=["contacts"], restart=True, workers=1)
    assert again["status"] == "succeeded", again
    assert again["created"] == 0, again
    assert sandbox.writes == writes  # nothing was written to HubSpot: every record is as it was
    assert len(live(sandbox, "contacts")) == 30_000
    assert_only_source_ids_differ(config, again)


def assert_only_source_ids_differ(config: Path, summary: dict[str, object]) -> None:
    """The engine counts a record ``updated`` when only ``external_ids.<source>`` differs, a field this target's
    mapping does not write (so it never reads back); such records must be the only ``updated`` ones."""
    assert summary["unchanged"] + summary["updated"] == summary["read"], summary  # type: ignore[operator]
    with open_hub(config) as hub:
        updated = hub.store.list_outcomes(str(summary["run_id"]), outcome="updated", limit=500)
    assert all(o.detail and o.detail.get("fields") == ["external_ids.people"] for o in updated), updated[:3]


def test_contacts_before_their_companies_are_associated_when_the_companies_arrive(
        tmp_path: Path, sandbox: HubSpotSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    config = configure(tmp_path, sandbox, monkeypatch, companies=3, contacts=30)
    people = run_migration(config, "people", "hubspot", streams=["contacts"])
    assert people["created"] == 30
    assert sandbox.store.associations == {}  # no company yet: nothing to associate with
    firms = run_migration(config, COMPANIES_CONNECTION, "hubspot", streams=["companies"])
    assert firms["created"] == 3
    # The contacts run left its associations in the connection's store; the companies run wrote them.
    assert sum(len(v) for v in sandbox.store.associations.values()) == 30
    writes = sandbox.writes
    again = run_migration(config, "people", "hubspot", streams=["contacts"], restart=True)
    assert again["status"] == "succeeded", again
    assert sandbox.writes == writes  # custom.company_id reads back as written: nothing left to write


def test_partial_batch_failures_are_quarantined_and_the_rest_migrates(
        tmp_path: Path, make_sandbox: SandboxFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = make_sandbox()
    config = configure(tmp_path, sandbox, monkeypatch, companies=0, contacts=250)
    erased = {"kisi7@example.com.tr", "kisi140@example.com.tr", "kisi233@example.com.tr"}
    with sandbox.store.lock:
        sandbox.store.blocked_emails.update(erased)  # erased in HubSpot (gdpr-delete) by someone else
    summary = run_migration(config, "people", "hubspot", streams=["contacts"])
    assert summary["status"] == "succeeded", summary
    assert (summary["created"], summary["quarantined"]) == (247, 3), summary
    emails = {c["email"] for c in live(sandbox, "contacts")}
    assert "kisi8@example.com.tr" in emails
    assert not erased & emails
    with open_hub(config) as hub:
        quarantined = hub.store.list_outcomes(str(summary["run_id"]), outcome="quarantined")
    assert {r["code"] for o in quarantined for r in (o.detail or {})["reasons"]} == {"EMAIL_BLOCKLISTED"}
