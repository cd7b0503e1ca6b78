"""Salesforce's consent objects (Individual, ContactPointTypeConsent) ↔ canonical consent, through the real SDK."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.sandbox.ids import to18
from simple_salesforce.exceptions import SalesforceMalformedRequest

from hub.mapping import find_mapping, load_mapping
from hub.plugins import PluginHost
from hub.records import WriteOutcome, WriteRequest

CAPTURED = "2025-03-01T07:00:00.000+0000"


@pytest.fixture(scope="module")
def mapping() -> Any:
    """The contacts stream of ``mappings/salesforce.yaml`` with the plugin's transforms."""
    return load_mapping(find_mapping("salesforce"), PluginHost.start().transforms).stream("contacts")


def _purpose(sf: Any) -> str:
    return str(sf.DataUsePurpose.create({"Name": "Marketing"})["id"])


def _consent(sf: Any, party: str, purpose: str, channel: str, status: str, **extra: Any) -> str:
    return str(sf.ContactPointTypeConsent.create({
        "Name": f"{channel} consent", "PartyId": party, "ContactPointType": channel, "DataUsePurposeId": purpose,
        "PrivacyConsentStatus": status, **extra})["id"])


def _rows(sf: Any, soql: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "attributes"} for r in sf.query_all(soql)["records"]]


def _read_one(connector: Any, mapping: Any) -> dict[str, Any]:
    [record] = [r for r in connector.read("Contact", None) if hasattr(r, "data")]
    canonical, issues = mapping.to_canonical(record.data)
    assert issues == []
    return canonical


def test_the_sandbox_refuses_what_salesforce_refuses(sf: Any) -> None:
    individual = sf.Individual.create({"LastName": "Yılmaz"})["id"]
    contact = sf.Contact.create({"LastName": "Yılmaz", "IndividualId": individual})["id"]
    purpose = _purpose(sf)
    refusals = {
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": {"Name": "x", "PartyId": individual, "ContactPointType": "Email",
                                                    "PrivacyConsentStatus": "Granted"},
        "FIELD_INTEGRITY_EXCEPTION": {"Name": "x", "PartyId": contact, "ContactPointType": "Email"},
        "REQUIRED_FIELD_MISSING": {"Name": "x", "ContactPointType": "Email"},
        "INVALID_CROSS_REFERENCE_KEY": {"Name": "x", "PartyId": to18(individual[:12] + "999"),
                                        "DataUsePurposeId": purpose},
    }
    for code, body in refusals.items():
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.ContactPointTypeConsent.create(body)
        assert refused.value.content[0]["errorCode"] == code, body
    with pytest.raises(SalesforceMalformedRequest) as no_name:
        sf.Individual.create({"FirstName": "Ayşe"})
    assert no_name.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    describe = sf.ContactPointTypeConsent.describe()
    statuses = next(f for f in describe["fields"] if f["name"] == "PrivacyConsentStatus")
    assert [p["value"] for p in statuses["picklistValues"]] == ["NotSeen", "OptIn", "OptOut", "Seen"]
    assert statuses["restrictedPicklist"] is True
    _consent(sf, individual, purpose, "Email", "OptIn")
    assert len(_rows(sf, f"SELECT Id FROM ContactPointTypeConsent WHERE PartyId = '{individual}'")) == 1


def test_reading_maps_individual_and_consent_rows_to_canonical(sf: Any, sandbox: SalesforceSandbox,
                                                                make_connector: Any, mapping: Any) -> None:
    individual = sf.Individual.create({"LastName": "Yılmaz", "HasOptedOutProcessing": True})["id"]
    sf.Contact.create({"LastName": "Yılmaz", "Crmhub_Id__c": "hub-1", "IndividualId": individual})
    purpose = _purpose(sf)
    _consent(sf, individual, purpose, "Email", "OptIn", CaptureDate=CAPTURED, CaptureSource="web form /kayit",
             CaptureContactPointType="Web", DoubleConsentCaptureDate="2025-03-01T07:05:00.000+0000")
    _consent(sf, individual, purpose, "Phone", "OptOut", CaptureDate="2024-01-01T00:00:00.000+0000")
    _consent(sf, individual, purpose, "MailingAddress", "OptIn", EffectiveTo="2025-01-01T00:00:00.000+0000")
    other = sf.DataUsePurpose.create({"Name": "Analytics"})["id"]
    _consent(sf, individual, other, "Phone", "OptIn", CaptureDate="2026-01-01T00:00:00.000+0000")

    canonical = _read_one(make_connector(sandbox), mapping)

    assert (canonical["consent.email"], canonical["consent.phone"], canonical["consent.post"]) == (
        "granted", "denied", "expired")
    assert canonical["consent.processing_restricted"] is True
    assert canonical["consent.source"] == "web form /kayit" and canonical["consent.capture_method"] == "web"
    assert str(canonical["consent.captured_at"]).startswith("2025-03-01")
    assert str(canonical["consent.double_optin_at"]).startswith("2025-03-01")


def test_an_opt_out_anywhere_wins(sf: Any, sandbox: SalesforceSandbox, make_connector: Any, mapping: Any) -> None:
    individual = sf.Individual.create({"LastName": "Kaya", "HasOptedOutSolicit": True})["id"]
    sf.Contact.create({"LastName": "Kaya", "Crmhub_Id__c": "hub-2", "IndividualId": individual,
                       "HasOptedOutOfEmail": True})
    _consent(sf, individual, _purpose(sf), "Email", "OptIn", CaptureDate=CAPTURED)

    canonical = _read_one(make_connector(sandbox), mapping)

    assert canonical["consent.email"] == "denied", "Contact's own e-mail opt-out beats the consent row"
    assert (canonical["consent.phone"], canonical["consent.post"]) == ("denied", "denied"), "don't solicit"


def test_writing_creates_the_individual_and_its_consent_rows(sf: Any, sandbox: SalesforceSandbox,
                                                              make_connector: Any, mapping: Any) -> None:
    connector = make_connector(sandbox)
    record = {"last_name": "Şahin", "first_name": "İlknur", "consent.email": "granted", "consent.phone": "withdrawn",
              "consent.processing_restricted": False, "consent.captured_at": dt.datetime(2025, 3, 1, 7, tzinfo=dt.UTC),
              "consent.source": "web form /kayit", "consent.capture_method": "web form"}

    [result] = connector.write("Contact", [WriteRequest(key="hub-3", fields=mapping.from_canonical(record))])

    assert result.outcome is WriteOutcome.CREATED, result
    [contact] = _rows(sf, "SELECT Id, IndividualId, HasOptedOutOfEmail, DoNotCall FROM Contact")
    assert (contact["HasOptedOutOfEmail"], contact["DoNotCall"]) == (False, True)
    [individual] = _rows(sf, "SELECT Id, LastName, FirstName, HasOptedOutProcessing FROM Individual")
    assert individual == {"Id": contact["IndividualId"], "LastName": "Şahin", "FirstName": "İlknur",
                          "HasOptedOutProcessing": False}
    [purpose] = _rows(sf, "SELECT Id, Name FROM DataUsePurpose")
    rows = {r["ContactPointType"]: r for r in _rows(sf, (
        "SELECT ContactPointType, PrivacyConsentStatus, PartyId, DataUsePurposeId, CaptureDate, CaptureSource, "
        "CaptureContactPointType FROM ContactPointTypeConsent"))}
    assert {c: r["PrivacyConsentStatus"] for c, r in rows.items()} == {"Email": "OptIn", "Phone": "OptOut"}
    assert {r["PartyId"] for r in rows.values()} == {individual["Id"]}
    assert {r["DataUsePurposeId"] for r in rows.values()} == {purpose["Id"]} and purpose["Name"] == "Marketing"
    assert rows["Email"]["CaptureDate"] == CAPTURED and rows["Email"]["CaptureContactPointType"] == "Web"

    again = connector.write("Contact", [WriteRequest(key="hub-3", fields=mapping.from_canonical(record))])
    assert again[0].outcome is WriteOutcome.UNCHANGED
    assert len(_rows(sf, "SELECT Id FROM ContactPointTypeConsent")) == 2 and len(_rows(sf, "SELECT Id FROM "
                                                                                          "Individual")) == 1


def test_an_opted_out_person_stays_opted_out_across_a_round_trip(sandbox: SalesforceSandbox, make_connector: Any,
                                                                 mapping: Any) -> None:
    connector = make_connector(sandbox)
    record = {"last_name": "Demir", "consent.email": "withdrawn", "consent.post": "denied",
              "consent.processing_restricted": True}
    connector.write("Contact", [WriteRequest(key="hub-4", fields=mapping.from_canonical(record))])

    canonical = _read_one(connector, mapping)
    assert (canonical["consent.email"], canonical["consent.post"]) == ("denied", "denied")
    assert canonical["consent.processing_restricted"] is True
    assert canonical.get("consent.phone") is None, "a channel nobody answered is not invented"

    [result] = connector.write("Contact", [WriteRequest(key="hub-4", fields=mapping.from_canonical(canonical))])
    assert result.outcome is WriteOutcome.UNCHANGED
    assert _read_one(connector, mapping)["consent.email"] == "denied"


def test_a_refused_consent_value_fails_only_its_record(sf: Any, sandbox: SalesforceSandbox,
                                                        make_connector: Any) -> None:
    connector = make_connector(sandbox, prevalidate=False)
    results = connector.write("Contact", [
        WriteRequest(key="ok", fields={"LastName": "Arslan", "ContactPointTypeConsent.Email": "OptIn"}),
        WriteRequest(key="bad", fields={"LastName": "Koç", "ContactPointTypeConsent.Email": "Granted"}),
    ])
    assert [r.outcome for r in results] == [WriteOutcome.CREATED, WriteOutcome.FAILED]
    assert results[1].code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert len(_rows(sf, "SELECT Id FROM ContactPointTypeConsent")) == 1


def test_erase_removes_the_contact_its_individual_and_every_consent_row(sf: Any, sandbox: SalesforceSandbox,
                                                                         make_connector: Any, mapping: Any) -> None:
    connector = make_connector(sandbox, bulk_poll_interval=0.05)
    record = {"last_name": "Öztürk", "consent.email": "granted", "consent.phone": "denied"}
    connector.write("Contact", [WriteRequest(key="hub-5", fields=mapping.from_canonical(record)),
                                WriteRequest(key="hub-6", fields=mapping.from_canonical({**record,
                                                                                         "last_name": "Aydın"}))])
    [kept] = _rows(sf, "SELECT IndividualId FROM Contact WHERE Crmhub_Id__c = 'hub-6'")
    other_purpose = sf.DataUsePurpose.create({"Name": "Analytics"})["id"]
    [gone] = _rows(sf, "SELECT IndividualId FROM Contact WHERE Crmhub_Id__c = 'hub-5'")
    _consent(sf, gone["IndividualId"], other_purpose, "Web", "OptIn")

    result = connector.erase("Contact", "hub-5")

    assert result.outcome is WriteOutcome.DELETED
    everything = "SELECT Id FROM {} WHERE IsDeleted = true OR IsDeleted = false"
    assert len(sf.query_all(everything.format("Contact"), include_deleted=True)["records"]) == 1
    assert [r["Id"] for r in _rows(sf, "SELECT Id FROM Individual")] == [kept["IndividualId"]]
    parties = {r["PartyId"] for r in _rows(sf, "SELECT PartyId FROM ContactPointTypeConsent")}
    assert parties == {kept["IndividualId"]}
    assert sf.query_all(everything.format("ContactPointTypeConsent"), include_deleted=True)["totalSize"] == 2
    assert connector.erase("Contact", "hub-5").outcome is WriteOutcome.UNCHANGED
