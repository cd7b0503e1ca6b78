"""Deletes (archive), GDPR erasure through gdpr-delete, and merges through the merge endpoint."""

from __future__ import annotations

from crmhub_hubspot.connector import HubSpotConnector
from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.connectors.api import Capability
from hub.records import Checkpoint, WriteOutcome, WriteRequest


def test_capabilities_are_declared(connector: HubSpotConnector) -> None:
    assert {Capability.MERGE, Capability.ERASE, Capability.DELETE, Capability.DELETE_DETECTION} <= \
        connector.capabilities


def test_delete_archives_by_hub_id(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    written = connector.write("contacts", [WriteRequest(f"d{i}", {"email": f"d{i}@example.com"}) for i in range(3)])
    results = {r.key: r for r in connector.delete("contacts", ["d0", "d2", "never"])}
    assert results["d0"].outcome == WriteOutcome.DELETED
    assert results["d0"].target_id == written[0].target_id
    assert results["never"].outcome == WriteOutcome.UNCHANGED
    archived = [d.id for d in connector.deleted("contacts", None) if not isinstance(d, Checkpoint)]
    assert sorted(archived) == sorted([str(written[0].target_id), str(written[2].target_id)])


def test_erase_deletes_permanently_and_blocks_the_email(connector: HubSpotConnector,
                                                        sandbox: HubSpotSandbox) -> None:
    person = connector.write("contacts", [WriteRequest("e", {"email": "silinecek@example.com"})])[0]
    result = connector.erase("contacts", str(person.target_id))
    assert result.outcome == WriteOutcome.DELETED
    assert sandbox.store.portal("contacts").records == {}  # gone, not archived
    again = connector.erase("contacts", str(person.target_id))
    assert again.outcome == WriteOutcome.UNCHANGED
    recreate = connector.write("contacts", [WriteRequest("e2", {"email": "silinecek@example.com"})])[0]
    assert (recreate.outcome, recreate.code) == (WriteOutcome.FAILED, "EMAIL_BLOCKLISTED")


def test_erase_refuses_companies(connector: HubSpotConnector) -> None:
    result = connector.erase("companies", "9000001")
    assert (result.outcome, result.code) == (WriteOutcome.FAILED, "ERASE_UNSUPPORTED")


def test_merge_keeps_the_survivor(connector: HubSpotConnector, sandbox: HubSpotSandbox) -> None:
    a, b, c = connector.write("contacts", [
        WriteRequest("a", {"email": "a@example.com", "firstname": "Ali"}),
        WriteRequest("b", {"email": "b@example.com", "jobtitle": "Muhasebeci"}),
        WriteRequest("c", {"email": "c@example.com", "city": "Bursa"}),
    ])
    result = connector.merge("contacts", str(a.target_id), [str(b.target_id), str(c.target_id)])
    assert (result.outcome, result.target_id) == (WriteOutcome.UPDATED, a.target_id)
    survivor = sandbox.store.portal("contacts").records[str(a.target_id)].properties
    assert (survivor["firstname"], survivor["jobtitle"], survivor["city"]) == ("Ali", "Muhasebeci", "Bursa")
    failed = connector.merge("contacts", str(a.target_id), ["424242"])
    assert (failed.outcome, failed.code) == (WriteOutcome.FAILED, "OBJECT_NOT_FOUND")
