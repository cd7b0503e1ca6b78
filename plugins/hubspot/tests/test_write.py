"""Writing through the connector: upserts, per-record failures from 207 answers, schema checks, associations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from crmhub_hubspot.connector import HubSpotConnector
from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.errors import RetriableError, SchemaError
from hub.records import WriteOutcome, WriteRequest

if TYPE_CHECKING:
    from conftest import ConnectorFactory, SandboxFactory





def contact(key: str, email: str | None = None, **fields: object) -> WriteRequest:
    values: dict[str, object] = dict(fields)
    if email is not None:
        values["email"] = email
    return WriteRequest(key=key, fields=values)


def contacts_in(sandbox: HubSpotSandbox) -> list[dict[str, str]]:
    return [o.properties for o in sandbox.store.portal("contacts").records.values() if not o.archived]


def test_upsert_creates_then_updates_and_never_duplicates(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    batch = [contact(f"hub-{i}", f"kisi{i}@example.com.tr", firstname="Şule") for i in range(150)]
    first = connector.write("contacts", batch)
    writes = sandbox.writes
    second = connector.write("contacts", batch)
    assert {r.outcome for r in first} == {WriteOutcome.CREATED}
    assert {r.outcome for r in second} == {WriteOutcome.UNCHANGED}
    assert sandbox.writes == writes  # known values: no request for an unchanged record
    assert [r.target_id for r in first] == [r.target_id for r in second]
    third = connector.write("contacts", [WriteRequest(r.key, {**r.fields, "firstname": "Şükrü"}) for r in batch])
    assert {r.outcome for r in third} == {WriteOutcome.UPDATED}
    stored = contacts_in(sandbox)
    assert len(stored) == 150
    assert {p["crmhub_id"] for p in stored} == {f"hub-{i}" for i in range(150)}


def test_one_result_per_request_with_partial_failures(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    batch = [
        contact("good", "good@example.com", firstname="İsmail"),
        contact("bad-email", "not-an-email"),
        contact("bad-option", "opt@example.com", lifecyclestage="vip"),
        contact("no-email", None, firstname="Anonim"),
    ]
    results = {r.key: r for r in connector.write("contacts", batch)}
    assert results["good"].outcome == WriteOutcome.CREATED
    assert results["no-email"].outcome == WriteOutcome.CREATED
    assert (results["bad-email"].outcome, results["bad-email"].code) == (WriteOutcome.FAILED, "INVALID_EMAIL")
    assert results["bad-email"].retriable is False
    assert "not-an-email" not in (results["bad-email"].message or "")  # no raw PII in messages
    assert results["bad-option"].code == "INVALID_OPTION"
    assert len(contacts_in(sandbox)) == 2


def test_unknown_or_read_only_property_stops_before_any_write(connector: HubSpotConnector,
                                                              sandbox: HubSpotSandbox) -> None:
    connector.lookup("contacts", [])  # creates the crmhub_id property: the one write allowed
    writes_before = sandbox.writes
    with pytest.raises(SchemaError, match="no property favourite_colour"):
        connector.write("contacts", [contact("a", "a@example.com"), contact("b", "b@example.com",
                                                                            favourite_colour="blue")])
    with pytest.raises(SchemaError, match="createdate cannot be written"):
        connector.write("contacts", [contact("c", "c@example.com", createdate="2020-01-01")])
    assert sandbox.writes == writes_before
    assert contacts_in(sandbox) == []


def test_two_hub_ids_with_one_email_in_a_batch_fail_the_second(connector: HubSpotConnector,
                                                                sandbox: HubSpotSandbox) -> None:
    results = connector.write("contacts", [contact("x1", "same@example.com", firstname="Önce"),
                                           contact("x2", "SAME@example.com", jobtitle="Sonra")])
    assert [r.outcome for r in results] == [WriteOutcome.CREATED, WriteOutcome.FAILED]
    assert results[1].code == "DUPLICATE_EMAIL"  # one person cannot carry two hub ids
    assert [p["crmhub_id"] for p in contacts_in(sandbox)] == ["x1"]


def test_same_record_twice_in_one_batch_goes_in_consecutive_calls(connector: HubSpotConnector,
                                                                  sandbox: HubSpotSandbox) -> None:
    results = connector.write("companies", [WriteRequest("k", {"name": "Önce"}), WriteRequest("k", {"phone": "1"})])
    assert [r.outcome for r in results] == [WriteOutcome.CREATED, WriteOutcome.UPDATED]
    stored = [o.properties for o in sandbox.store.portal("companies").records.values()]
    assert [(p["name"], p["phone"]) for p in stored] == [("Önce", "1")]


def test_known_target_id_updates_by_id_even_when_the_email_changed(connector: HubSpotConnector,
                                                                   sandbox: HubSpotSandbox) -> None:
    created = connector.write("contacts", [contact("p1", "old@example.com")])[0]
    moved = connector.write("contacts", [WriteRequest("p1", {"email": "new@example.com"}, created.target_id)])[0]
    assert (moved.outcome, moved.target_id) == (WriteOutcome.UPDATED, created.target_id)
    assert [p["email"] for p in contacts_in(sandbox)] == ["new@example.com"]


def test_stale_target_id_falls_back_to_upsert(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    result = connector.write("contacts", [WriteRequest("p2", {"email": "p2@example.com"}, target_id="424242")])[0]
    assert result.outcome == WriteOutcome.CREATED
    assert result.target_id != "424242"


def test_email_change_without_identity_map_cannot_fork_the_person(connector: HubSpotConnector,
                                                                  sandbox: HubSpotSandbox) -> None:
    connector.write("contacts", [contact("p3", "before@example.com")])
    result = connector.write("contacts", [contact("p3", "after@example.com")])[0]
    assert (result.outcome, result.code) == (WriteOutcome.FAILED, "DUPLICATE_UNIQUE_VALUE")
    assert len(contacts_in(sandbox)) == 1


def test_companies_upsert_by_key_property(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    batch = [WriteRequest(f"co-{i}", {"name": f"Anadolu Tekstil {i} A.Ş.", "industry": "TEXTILES",
                                      "annualrevenue": 1_250_000}) for i in range(3)]
    assert {r.outcome for r in connector.write("companies", batch)} == {WriteOutcome.CREATED}
    assert {r.outcome for r in connector.write("companies", batch)} == {WriteOutcome.UNCHANGED}
    stored = [o.properties for o in sandbox.store.portal("companies").records.values()]
    assert sorted(p["crmhub_id"] for p in stored) == ["co-0", "co-1", "co-2"]
    assert stored[0]["annualrevenue"] == "1250000"


def test_contact_company_association_written_once_both_exist(connector: HubSpotConnector,
                                                            sandbox: HubSpotSandbox) -> None:
    connector.write("contacts", [contact("c1", "c1@example.com", company_key="co-late")])
    assert sandbox.store.associations == {}
    assert connector._links.pending  # waits for the company
    company = connector.write("companies", [WriteRequest("co-late", {"name": "Geç Gelen Ltd."})])[0]
    contact_id = next(o.id for o in sandbox.store.portal("contacts").records.values())
    assert sandbox.store.companies_of(contact_id) == [company.target_id]
    connector.write("contacts", [contact("c2", "c2@example.com", company_key="co-late")])
    assert len(sandbox.store.contacts_of(str(company.target_id))) == 2


def test_dropped_response_after_commit_is_retriable_and_the_retry_duplicates_nothing(
        make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox)
    connector.lookup("contacts", [])  # creates the crmhub_id property
    sandbox.settings.drop_after_commit = 1.0
    batch = [contact(f"d{i}", f"d{i}@example.com") for i in range(10)]
    with pytest.raises(RetriableError):
        connector.write("contacts", batch)
    sandbox.settings.drop_after_commit = 0.0
    results = connector.write("contacts", batch)  # the engine's retry
    assert {r.outcome for r in results} == {WriteOutcome.UPDATED}
    assert len(contacts_in(sandbox)) == 10


def test_server_errors_are_retriable(make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox)
    connector.lookup("contacts", [])  # creates the crmhub_id property
    sandbox.settings.fail_prob = 1.0
    with pytest.raises(RetriableError, match="server error 502"):
        connector.write("contacts", [contact("e", "e@example.com")])


def test_lookup_returns_current_fields_by_hub_id(connector: HubSpotConnector) -> None:
    connector.write("contacts", [contact(f"l{i}", f"l{i}@example.com", firstname=f"Ad{i}") for i in range(120)])
    found = connector.lookup("contacts", [f"l{i}" for i in range(0, 120, 7)] + ["missing"])
    assert set(found) == {f"l{i}" for i in range(0, 120, 7)}
    assert found["l7"]["firstname"] == "Ad7"
    assert found["l7"]["email"] == "l7@example.com"


def test_first_load_looks_nothing_up_until_the_portal_holds_crmhub_records(
        connector: HubSpotConnector, sandbox: HubSpotSandbox, make_connector: ConnectorFactory) -> None:
    assert connector.lookup("contacts", [f"f{i}" for i in range(300)]) == {}
    reads_before = sandbox.counts["api"]
    assert connector.lookup("contacts", [f"f{i}" for i in range(300)]) == {}
    assert sandbox.counts["api"] == reads_before  # answered without batch reads
    connector.write("contacts", [contact("f1", "f1@example.com")])
    assert set(connector.lookup("contacts", ["f1", "f2"])) == {"f1"}  # its own writes are looked up
    later = make_connector(sandbox)  # a later run sees crmhub records: every key is looked up
    assert set(later.lookup("contacts", ["f1", "f2"])) == {"f1"}
    assert later.write("contacts", [contact("f1", "f1@example.com")])[0].outcome == WriteOutcome.UNCHANGED


def test_lookup_gives_the_company_key_of_associated_contacts(connector: HubSpotConnector) -> None:
    connector.write("companies", [WriteRequest("co-1", {"name": "Ege Gıda"})])
    connector.write("contacts", [contact("p", "p@example.com", company_key="co-1")])
    assert connector.lookup("contacts", ["p"])["p"]["company_key"] == "co-1"


def test_check_and_discover_change_nothing(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    assert connector.check().ok
    infos = {i.name: i for i in connector.discover()}
    assert infos["contacts"].fields["crmhub_id"].unique  # listed as it will be created
    assert sandbox.writes == 0
    assert "crmhub_id" not in sandbox.store.portal("contacts").properties
