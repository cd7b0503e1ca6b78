"""The connector through Zoho's real SDK against the sandbox: check, discover, write, read, lookup, delete."""

from __future__ import annotations

import pytest
from crmhub_zoho.sandbox import ZohoSandbox

from hub.errors import SchemaError
from hub.model import FieldType
from hub.records import Checkpoint, DeletedRecord, SourceRecord, WriteOutcome, WriteRequest

PEOPLE = [
    {"First_Name": "Ayşe", "Last_Name": "Yılmaz", "Email": "ayse@example.com.tr", "Mobile": "+905321112233",
     "Mailing_City": "İzmir", "Data_Processing_Basis_Details.Data_Processing_Basis": "Consent - Obtained",
     "Data_Processing_Basis_Details.Contact_Through_Email": True},
    {"First_Name": "Ömer", "Last_Name": "Şahin", "Email": "omer@example.com.tr", "Date_of_Birth": "1990-02-28"},
    {"First_Name": "Gül", "Last_Name": "Öztürk", "Lead_Source": "Trade Show", "Email_Opt_Out": True},
]


def requests_for(tag: str) -> list[WriteRequest]:
    return [WriteRequest(key=f"{tag}-{i}", fields=dict(p)) for i, p in enumerate(PEOPLE)]


def read_all(connector, stream="Contacts", checkpoint=None):
    records, checkpoints = [], []
    for item in connector.read(stream, checkpoint):
        (checkpoints if isinstance(item, Checkpoint) else records).append(item)
    return records, checkpoints


def test_check_and_discover_describe_the_modules(make_connector) -> None:
    with make_connector() as connector:
        assert connector.check().ok
        streams = {s.name: s for s in connector.discover()}
    assert set(streams) == {"Contacts", "Accounts", "Leads"}
    contacts = streams["Contacts"].fields
    assert contacts["Last_Name"].required and contacts["Last_Name"].max_length == 80
    assert contacts["Crmhub_Id"].unique
    assert "Trade Show" in contacts["Lead_Source"].choices
    assert contacts["Data_Processing_Basis_Details.Contact_Through_Email"].type is FieldType.BOOLEAN
    assert "Consent - Obtained" in contacts["Data_Processing_Basis_Details.Data_Processing_Basis"].choices
    assert contacts["Modified_Time"].read_only
    assert streams["Accounts"].fields["Account_Name"].required


def test_write_creates_then_unchanged_then_updates(make_connector, sandbox: ZohoSandbox) -> None:
    with make_connector() as connector:
        first = connector.write("Contacts", requests_for("w"))
        assert [r.outcome for r in first] == [WriteOutcome.CREATED] * 3
        assert all(r.target_id and r.target_id.isdigit() for r in first)
        again = connector.write("Contacts", requests_for("w"))
        assert [r.outcome for r in again] == [WriteOutcome.UNCHANGED] * 3
        changed = connector.write("Contacts", [WriteRequest("w-1", {"Mailing_City": "Muğla"})])
        assert changed[0].outcome is WriteOutcome.UPDATED
        found = connector.lookup("Contacts", ["w-0", "w-1", "absent"])
    assert set(found) == {"w-0", "w-1"}
    assert found["w-1"]["Mailing_City"] == "Muğla" and found["w-1"]["Last_Name"] == "Şahin"
    assert found["w-0"]["Data_Processing_Basis_Details.Contact_Through_Email"] is True
    assert sandbox.store.count("Contacts") == 3


def test_mixed_batch_reports_each_record(make_connector, sandbox: ZohoSandbox) -> None:
    batch = [
        WriteRequest("m-ok", {"Last_Name": "Kaya"}),
        WriteRequest("m-mandatory", {"First_Name": "Adsız"}),
        WriteRequest("m-long", {"Last_Name": "x" * 81}),
        WriteRequest("m-picklist", {"Last_Name": "Demir", "Lead_Source": "Carrier Pigeon"}),
        WriteRequest("m-email", {"Last_Name": "Ak", "Email": "not-an-email"}),
    ]
    with make_connector(detect_unchanged=False) as connector:
        results = {r.key: r for r in connector.write("Contacts", batch)}
    assert results["m-ok"].outcome is WriteOutcome.CREATED
    mandatory = results["m-mandatory"]
    assert mandatory.code == "MANDATORY_NOT_FOUND" and "Last_Name" in (mandatory.message or "")
    for key in ("m-long", "m-picklist", "m-email"):
        assert results[key].outcome is WriteOutcome.FAILED and results[key].code == "INVALID_DATA", results[key]
    assert sandbox.store.count("Contacts") == 1
    assert ("POST", "/crm/v8/Contacts/upsert") in sandbox.requests


def test_duplicate_data_on_another_unique_field(make_connector) -> None:
    with make_connector(detect_unchanged=False) as connector:
        connector.write("Contacts", [WriteRequest("d-1", {"Last_Name": "Bir", "Email": "same@example.com"})])
        result = connector.write("Contacts", [WriteRequest("d-2", {"Last_Name": "İki", "Email": "SAME@example.com"})])
    assert result[0].outcome is WriteOutcome.FAILED and result[0].code == "DUPLICATE_DATA"
    assert "existing record" in (result[0].message or "")


test_duplicate_data_on_another_unique_field = pytest.mark.parametrize(
    "sandbox_settings", [{"unique_fields": {"Contacts": ["Email"]}}])(test_duplicate_data_on_another_unique_field)


def test_unknown_or_read_only_field_is_a_schema_error_before_any_write(make_connector, sandbox) -> None:
    with make_connector() as connector:
        with pytest.raises(SchemaError, match="Shoe_Size"):
            connector.write("Contacts", [WriteRequest("s-1", {"Last_Name": "A", "Shoe_Size": "42"})])
        with pytest.raises(SchemaError, match="Modified_Time"):
            connector.write("Contacts", [WriteRequest("s-2", {"Last_Name": "A", "Modified_Time": "2024-01-01"})])
    assert not [r for r in sandbox.requests if r[1].endswith("/upsert")]


def test_read_yields_every_record_once_with_checkpoints(make_connector) -> None:
    with make_connector(page_size=2) as connector:
        connector.write("Contacts", requests_for("r"))
        records, checkpoints = read_all(connector)
    assert isinstance(records[0], SourceRecord)
    assert sorted(r.data["Crmhub_Id"] for r in records) == ["r-0", "r-1", "r-2"]
    assert len(checkpoints) == 2
    ayse = next(r for r in records if r.data["Crmhub_Id"] == "r-0")
    assert ayse.data["Mailing_City"] == "İzmir"
    assert ayse.data["Data_Processing_Basis_Details.Data_Processing_Basis"] == "Consent - Obtained"
    assert ayse.ref == f"Zoho Contacts {ayse.id}" and ayse.updated_at is not None


def test_delete_then_deleted_reports_the_tombstones(make_connector) -> None:
    with make_connector() as connector:
        written = connector.write("Contacts", requests_for("x"))
        gone = connector.delete("Contacts", ["x-0", "x-2", "never-there"])
        assert [r.outcome for r in gone] == [WriteOutcome.DELETED, WriteOutcome.DELETED, WriteOutcome.UNCHANGED]
        tombstones = list(connector.deleted("Contacts", None))
        again = list(connector.deleted("Contacts", tombstones[-1]))
    deleted = [t for t in tombstones if isinstance(t, DeletedRecord)]
    assert {d.id for d in deleted} == {written[0].target_id, written[2].target_id}
    assert isinstance(tombstones[-1], Checkpoint)
    assert not [t for t in again if isinstance(t, DeletedRecord)]
