"""Bulk API 2.0 ingest in the sandbox, driven by simple-salesforce's bulk2 client."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.testkit import sdk_client
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceOperationError


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_upsert_job_reports_successes_and_failures_with_salesforce_codes(sf: Any) -> None:
    records = [{"Crmhub_Id__c": "b-1", "LastName": "Aydın", "Birthdate": "1990-04-23"},
               {"Crmhub_Id__c": "b-2", "LastName": "", "Birthdate": ""},
               {"Crmhub_Id__c": "b-3", "LastName": "Kaya", "Birthdate": "1990-02-30"}]

    summary = sf.bulk2.Contact.upsert(records=records, external_id_field="Crmhub_Id__c", wait=0.05)

    assert summary[0]["numberRecordsProcessed"] == 3
    assert summary[0]["numberRecordsFailed"] == 2
    job_id = summary[0]["job_id"]
    ok = _rows(sf.bulk2.Contact.get_successful_records(job_id))
    bad = {r["Crmhub_Id__c"]: r["sf__Error"] for r in _rows(sf.bulk2.Contact.get_failed_records(job_id))}
    assert [(r["Crmhub_Id__c"], r["sf__Created"]) for r in ok] == [("b-1", "true")]
    assert bad["b-2"].startswith("REQUIRED_FIELD_MISSING:")
    assert bad["b-3"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD:")
    assert bad["b-3"].endswith(":Birthdate --")


def test_a_second_job_updates_and_na_clears_a_field(sf: Any) -> None:
    sf.bulk2.Contact.upsert(records=[{"Crmhub_Id__c": "n-1", "LastName": "A", "Title": "CEO"}],
                            external_id_field="Crmhub_Id__c", wait=0.05)
    summary = sf.bulk2.Contact.upsert(records=[{"Crmhub_Id__c": "n-1", "Title": "#N/A", "FirstName": ""}],
                                      external_id_field="Crmhub_Id__c", wait=0.05)

    ok = _rows(sf.bulk2.Contact.get_successful_records(summary[0]["job_id"]))
    assert ok[0]["sf__Created"] == "false"
    row = sf.Contact.get_by_custom_id("Crmhub_Id__c", "n-1")
    assert (row["LastName"], row["Title"]) == ("A", None)


def test_unknown_column_fails_the_whole_job(sf: Any) -> None:
    with pytest.raises(SalesforceOperationError, match="Field name not found : Shoe_Size__c"):
        sf.bulk2.Contact.upsert(records=[{"Crmhub_Id__c": "u-1", "LastName": "A", "Shoe_Size__c": "42"}],
                                external_id_field="Crmhub_Id__c", wait=0.05)


def test_only_one_upload_per_job(sf: Any) -> None:
    job = sf.restful("jobs/ingest", method="POST", json={"object": "Contact", "operation": "insert"})
    client = sf.bulk2.Contact._client
    client.upload_job_data(job["id"], "LastName\nA\n")

    with pytest.raises(SalesforceMalformedRequest) as exc:
        client.upload_job_data(job["id"], "LastName\nB\n")
    assert exc.value.content[0]["errorCode"] == "BULK_API_ERROR"


def test_a_job_that_fails_midway_leaves_unprocessed_records(make_sandbox: Any) -> None:
    sandbox: SalesforceSandbox = make_sandbox(bulk_fail_after_chunks=1)
    sf = sdk_client(sandbox)
    records = [{"Crmhub_Id__c": f"m-{i}", "LastName": "X"} for i in range(10_050)]
    job = sf.restful("jobs/ingest", method="POST", json={"object": "Contact", "operation": "upsert",
                                                          "externalIdFieldName": "Crmhub_Id__c"})
    client = sf.bulk2.Contact._client
    client.upload_job_data(job["id"], "Crmhub_Id__c,LastName\n" + "".join(f"{r['Crmhub_Id__c']},X\n"
                                                                          for r in records))
    client.close_job(job["id"])

    with pytest.raises(SalesforceOperationError, match="Job failure"):
        client.wait_for_job(job["id"], False, 0.05)
    info = client.get_job(job["id"], False)
    assert (info["state"], info["numberRecordsProcessed"]) == ("Failed", 10_000)
    unprocessed = _rows(sf.bulk2.Contact.get_unprocessed_records(job["id"]))
    assert len(unprocessed) == 50
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 10_000


def test_results_are_refused_until_the_job_finishes(sf: Any) -> None:
    job = sf.restful("jobs/ingest", method="POST", json={"object": "Contact", "operation": "insert"})
    with pytest.raises(SalesforceMalformedRequest):
        sf.bulk2.Contact.get_successful_records(job["id"])


def test_hard_delete_removes_the_record_and_logs_it(sandbox: SalesforceSandbox, sf: Any) -> None:
    sf.Contact.upsert("Crmhub_Id__c/h-1", {"LastName": "Silinecek"})
    record_id = sf.Contact.get_by_custom_id("Crmhub_Id__c", "h-1")["Id"]

    summary = sf.bulk2.Contact.hard_delete(records=[{"Id": record_id}], wait=0.05)

    assert summary[0]["numberRecordsFailed"] == 0
    assert sf.query_all("SELECT Id FROM Contact", include_deleted=True)["totalSize"] == 0
