"""The sandbox answers the real simple-salesforce client as Salesforce's REST API documents it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.sandbox.catalog import CONTACT
from crmhub_salesforce.sandbox.values import format_datetime
from crmhub_salesforce.testkit import sdk_client
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)


def _errors(exc: pytest.ExceptionInfo[Any]) -> list[str]:
    return [item["errorCode"] for item in exc.value.content]


def test_describe_reports_types_lengths_picklists_and_external_ids(sf: Salesforce) -> None:
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}

    assert fields["LastName"]["type"] == "string"
    assert fields["LastName"]["length"] == 80
    assert fields["LastName"]["nillable"] is False
    assert fields["Crmhub_Id__c"]["externalId"] is True
    assert fields["Crmhub_Id__c"]["unique"] is True
    assert "Web" in [p["value"] for p in fields["LeadSource"]["picklistValues"]]
    assert fields["SystemModstamp"]["updateable"] is False


def test_unknown_object_is_not_found(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as exc:
        sf.Nothing__c.describe()
    assert _errors(exc) == ["NOT_FOUND"]


def test_upsert_by_external_id_creates_then_updates(sf: Salesforce) -> None:
    assert sf.Contact.upsert("Crmhub_Id__c/h-1", {"LastName": "Öztürk", "Email": "a@example.com"}) == 201
    assert sf.Contact.upsert("Crmhub_Id__c/h-1", {"FirstName": "Şule"}) == 200

    row = sf.Contact.get_by_custom_id("Crmhub_Id__c", "h-1")
    assert (row["FirstName"], row["LastName"], row["Email"]) == ("Şule", "Öztürk", "a@example.com")
    assert row["HasOptedOutOfEmail"] is False


def test_external_id_matching_several_records_answers_300(sf: Salesforce) -> None:
    sf.Contact.create({"LastName": "A", "Legacy_Id__c": "L1"})
    sf.Contact.create({"LastName": "B", "Legacy_Id__c": "L1"})

    with pytest.raises(SalesforceMoreThanOneRecord) as exc:
        sf.Contact.upsert("Legacy_Id__c/L1", {"FirstName": "x"})
    assert exc.value.status == 300
    assert len(exc.value.content) == 2


@pytest.mark.parametrize(("body", "code"), [
    ({"LastName": "x" * 81}, "STRING_TOO_LONG"),
    ({"LastName": "A", "LeadSource": "Carrier Pigeon"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
    ({"FirstName": "No last name"}, "REQUIRED_FIELD_MISSING"),
    ({"LastName": "A", "Email": "not-an-address"}, "INVALID_EMAIL_ADDRESS"),
    ({"LastName": "A", "SystemModstamp": "2020-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
])
def test_record_validation_uses_salesforce_status_codes(sf: Salesforce, body: dict[str, Any], code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Contact.upsert("Crmhub_Id__c/v-1", body)
    assert _errors(exc) == [code]


@pytest.mark.parametrize(("body", "code"), [
    ({"LastName": "A", "Nickname__c": "x"}, "INVALID_FIELD"),
    ({"LastName": "A", "Birthdate": "31/12/1990"}, "JSON_PARSER_ERROR"),
    ({"LastName": "A", "DoNotCall": "maybe"}, "JSON_PARSER_ERROR"),
])
def test_unknown_fields_and_wrong_types_fail_the_request(sf: Salesforce, body: dict[str, Any], code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Contact.create(body)
    assert _errors(exc) == [code]


def test_collections_upsert_reports_each_record_and_keeps_the_good_ones(sf: Salesforce) -> None:
    records = [{"attributes": {"type": "Contact"}, "Crmhub_Id__c": f"c-{i}", "LastName": f"N{i}"} for i in range(3)]
    records[1]["Email"] = "broken"
    records.append({"attributes": {"type": "Contact"}, "Crmhub_Id__c": "c-0", "LastName": "dup"})

    results = sf.restful("composite/sobjects/Contact/Crmhub_Id__c", method="PATCH",
                         json={"allOrNone": False, "records": records})

    assert [r["success"] for r in results] == [False, False, True, False]
    assert results[0]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert results[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert results[2]["created"] is True
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 1


def test_collections_all_or_none_rolls_everything_back(sf: Salesforce) -> None:
    records = [{"attributes": {"type": "Contact"}, "Crmhub_Id__c": "a-1", "LastName": "Fine"},
               {"attributes": {"type": "Contact"}, "Crmhub_Id__c": "a-2", "FirstName": "No last name"}]

    results = sf.restful("composite/sobjects/Contact/Crmhub_Id__c", method="PATCH",
                         json={"allOrNone": True, "records": records})

    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_collections_refuse_more_than_200_records(sf: Salesforce) -> None:
    records = [{"attributes": {"type": "Contact"}, "Crmhub_Id__c": f"k{i}", "LastName": "x"} for i in range(201)]
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.restful("composite/sobjects/Contact/Crmhub_Id__c", method="PATCH",
                   json={"allOrNone": False, "records": records})
    assert _errors(exc) == ["EXCEEDED_ID_LIMIT"]


def _load(sf: Salesforce, count: int) -> None:
    for start in range(0, count, 200):
        sf.restful("composite/sobjects/Contact/Crmhub_Id__c", method="PATCH", json={"allOrNone": False, "records": [
            {"attributes": {"type": "Contact"}, "Crmhub_Id__c": f"q-{i:04d}", "LastName": f"Name {i}"}
            for i in range(start, min(count, start + 200))]})


def test_query_pages_with_next_records_url(sf: Salesforce) -> None:
    _load(sf, 450)

    first = sf.query("SELECT Id, Crmhub_Id__c FROM Contact ORDER BY Crmhub_Id__c",
                     headers={"Sforce-Query-Options": "batchSize=200"})
    assert (first["totalSize"], first["done"], len(first["records"])) == (450, False, 200)
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    keys = [r["Crmhub_Id__c"] for r in sf.query_all_iter("SELECT Crmhub_Id__c FROM Contact ORDER BY Crmhub_Id__c")]
    assert keys == [f"q-{i:04d}" for i in range(450)]
    assert first["records"][0]["attributes"]["type"] == "Contact"


@pytest.mark.parametrize(("soql", "code"), [
    ("SELECT Id FROM Contact WHERE SystemModstamp > '2024-01-01T00:00:00Z'", "INVALID_FIELD"),
    ("SELECT Id FROM Contact WHERE LastName = 'a' AND FirstName = 'b' OR Email = 'c'", "MALFORMED_QUERY"),
    ("SELECT Nope__c FROM Contact", "INVALID_FIELD"),
    ("SELECT Id FROM Contactz", "INVALID_TYPE"),
    ("SELECT Id FROM Contact WHERE LastName = 'it\\'s", "MALFORMED_QUERY"),
    ("SELECT Id FROM Contact WHERE Id = 'not-an-id'", "INVALID_QUERY_FILTER_OPERATOR"),
])
def test_soql_is_as_strict_as_salesforce(sf: Salesforce, soql: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query(soql)
    assert _errors(exc) == [code]


def test_soql_escapes_and_case_insensitive_equality(sf: Salesforce) -> None:
    sf.Contact.upsert("Crmhub_Id__c/e-1", {"LastName": "O'Brien \\ Sons"})

    found = sf.query("SELECT LastName FROM Contact WHERE LastName = 'o\\'brien \\\\ sons'")
    assert [r["LastName"] for r in found["records"]] == ["O'Brien \\ Sons"]
    dated = sf.query("SELECT Id FROM Contact WHERE SystemModstamp >= 2000-01-01T00:00:00Z AND "
                     "(LastName LIKE 'O%' OR LastName = null)")
    assert dated["totalSize"] == 1


def test_query_all_sees_deleted_records_and_get_deleted_lists_them(sandbox: SalesforceSandbox,
                                                                  sf: Salesforce) -> None:
    sf.Contact.upsert("Crmhub_Id__c/d-1", {"LastName": "Gone"})
    record_id = sf.Contact.get_by_custom_id("Crmhub_Id__c", "d-1")["Id"]
    sf.Contact.delete(record_id)

    assert sf.query("SELECT Id FROM Contact")["totalSize"] == 0
    rows = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(record_id, True)]
    now = dt.datetime.now(dt.UTC)
    in_this_minute = sf.Contact.deleted(now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=2))
    assert in_this_minute["deletedRecords"] == []  # the log is read a whole minute at a time
    assert in_this_minute["latestDateCovered"] == format_datetime(now.replace(second=0, microsecond=0))

    sandbox.store.backdate_deletion(CONTACT, record_id, format_datetime(now - dt.timedelta(minutes=2)))
    log = sf.Contact.deleted(now - dt.timedelta(minutes=5), now)
    assert [d["id"] for d in log["deletedRecords"]] == [record_id]


def test_get_deleted_refuses_windows_under_a_minute_and_past_the_horizon(sf: Salesforce) -> None:
    now = dt.datetime.now(dt.UTC)
    for start, end in ((now - dt.timedelta(seconds=30), now), (now - dt.timedelta(days=40), now)):
        with pytest.raises(SalesforceMalformedRequest) as exc:
            sf.Contact.deleted(start, end)
        assert _errors(exc) == ["INVALID_REPLICATION_DATE"]


def test_every_answer_carries_api_usage_and_the_allowance_runs_out(make_sandbox: Any) -> None:
    sandbox = make_sandbox(daily_api_limit=3)
    sf = sdk_client(sandbox)
    sf.query("SELECT COUNT() FROM Contact")
    sf.query("SELECT COUNT() FROM Contact")
    assert sf.api_usage["api-usage"].used == 2
    assert sf.api_usage["api-usage"].total == 3
    sf.Contact.describe()

    with pytest.raises(SalesforceRefusedRequest) as exc:
        sf.Contact.describe()
    assert exc.value.content[0] == {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}


def test_sessions_expire_after_their_lifetime(make_sandbox: Any) -> None:
    sandbox = make_sandbox(token_lifetime=0.2)
    sf = sdk_client(sandbox)
    sf.Contact.describe()
    import time

    time.sleep(0.3)
    with pytest.raises(SalesforceExpiredSession) as exc:
        sf.Contact.describe()
    assert _errors(exc) == ["INVALID_SESSION_ID"]


def test_unknown_token_is_an_invalid_session(sandbox: SalesforceSandbox) -> None:
    with pytest.raises(SalesforceExpiredSession):
        sdk_client(sandbox, token="00Dxx!forged").Contact.describe()


def test_records_survive_a_restart_with_a_data_dir(make_sandbox: Any, tmp_path: Any) -> None:
    first = make_sandbox(data_dir=tmp_path / "org")
    sdk_client(first).Contact.upsert("Crmhub_Id__c/p-1", {"LastName": "Kalıcı"})
    first.stop()

    second = make_sandbox(data_dir=tmp_path / "org")
    again = sdk_client(second)
    assert again.Contact.get_by_custom_id("Crmhub_Id__c", "p-1")["LastName"] == "Kalıcı"
    again.Contact.upsert("Crmhub_Id__c/p-2", {"LastName": "Yeni"})
    ids = [r["Id"] for r in again.query("SELECT Id FROM Contact")["records"]]
    assert len(set(ids)) == 2
