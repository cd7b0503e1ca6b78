"""Writing through the connector: Collections and Bulk paths, checks, partial failures, faults, limits."""

from __future__ import annotations

from typing import Any

import pytest
from crmhub_salesforce.sandbox import SalesforceSandbox

from hub.errors import AuthError, QuotaExhaustedError, RetriableError, SchemaError
from hub.records import WriteOutcome, WriteRequest


def _people(count: int, prefix: str = "p", **extra: Any) -> list[WriteRequest]:
    return [WriteRequest(key=f"{prefix}-{i:05d}", fields={"LastName": f"Yılmaz {i}", "FirstName": "Ayşe",
                                                          "Email": f"ayse{i}@example.com.tr", **extra})
            for i in range(count)]


def _outcomes(results: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    return counts


def test_collections_create_then_unchanged_then_update(sandbox: SalesforceSandbox, make_connector: Any,
                                                       sf: Any) -> None:
    connector = make_connector(sandbox)
    batch = _people(450)

    first = connector.write("Contact", batch)
    again = connector.write("Contact", batch)
    batch[7].fields["Title"] = "Müdür"
    third = connector.write("Contact", batch)

    assert _outcomes(first) == {"created": 450}
    assert [r.key for r in first] == [r.key for r in batch]
    assert all(r.target_id and r.target_id.startswith("003") for r in first)
    assert _outcomes(again) == {"unchanged": 450}
    assert _outcomes(third) == {"unchanged": 449, "updated": 1}
    assert third[7].outcome is WriteOutcome.UPDATED
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 450


def test_bad_records_fail_alone_with_salesforce_codes(sandbox: SalesforceSandbox, make_connector: Any) -> None:
    connector = make_connector(sandbox)
    batch = _people(5)
    batch[1].fields["LastName"] = "x" * 81
    batch[2].fields["LeadSource"] = "Carrier Pigeon"
    batch[3].fields = {"FirstName": "No last name"}
    batch[4].fields["Email"] = "ayse@@example"

    results = connector.write("Contact", batch)

    assert results[0].outcome is WriteOutcome.CREATED
    assert [(r.outcome, r.code, r.retriable) for r in results[1:]] == [
        (WriteOutcome.FAILED, "STRING_TOO_LONG", False),
        (WriteOutcome.FAILED, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", False),
        (WriteOutcome.FAILED, "REQUIRED_FIELD_MISSING", False),
        (WriteOutcome.FAILED, "INVALID_EMAIL_ADDRESS", False),
    ]
    assert "ayse@@example" not in (results[4].message or "")
    assert "Carrier" not in (results[2].message or "")


def test_salesforce_itself_rejects_what_prevalidation_would_have(sandbox: SalesforceSandbox,
                                                                  make_connector: Any) -> None:
    connector = make_connector(sandbox, prevalidate=False)
    batch = _people(3)
    batch[1].fields["LastName"] = "x" * 81
    batch[2].fields = {"FirstName": "No last name"}

    results = connector.write("Contact", batch)

    assert [r.code for r in results] == [None, "STRING_TOO_LONG", "REQUIRED_FIELD_MISSING"]
    assert "x" * 81 not in (results[1].message or "")
    assert "max length=80" in (results[1].message or "")


def test_a_field_salesforce_lacks_is_a_schema_error_before_any_write(sandbox: SalesforceSandbox,
                                                                     make_connector: Any, sf: Any) -> None:
    connector = make_connector(sandbox)
    batch = _people(3)
    batch[2].fields["Shoe_Size__c"] = 42

    with pytest.raises(SchemaError, match="Shoe_Size__c"):
        connector.write("Contact", batch)
    with pytest.raises(SchemaError, match="read-only fields: SystemModstamp"):
        connector.write("Contact", [WriteRequest("k", {"LastName": "A", "SystemModstamp": "2020-01-01"})])
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_types_are_converted_for_salesforce(sandbox: SalesforceSandbox, make_connector: Any, sf: Any) -> None:
    import datetime as dt
    import decimal

    connector = make_connector(sandbox)
    results = connector.write("Account", [WriteRequest("acme", {
        "Name": "Acme A.Ş.", "AnnualRevenue": decimal.Decimal("1250000.50"), "NumberOfEmployees": "42",
        "Tax_Id_Type__c": "VKN"})])
    connector.write("Contact", [WriteRequest("c1", {"LastName": "A", "Birthdate": dt.date(1990, 4, 23),
                                                    "DoNotCall": "true", "Description": None})])

    assert results[0].outcome is WriteOutcome.CREATED
    account = sf.Account.get_by_custom_id("Crmhub_Id__c", "acme")
    assert (account["AnnualRevenue"], account["NumberOfEmployees"]) == (1250000.5, 42)
    contact = sf.Contact.get_by_custom_id("Crmhub_Id__c", "c1")
    assert (contact["Birthdate"], contact["DoNotCall"]) == ("1990-04-23", True)


def test_bulk_path_above_the_threshold_maps_results_back(sandbox: SalesforceSandbox, make_connector: Any,
                                                         sf: Any) -> None:
    connector = make_connector(sandbox, bulk_threshold=100, prevalidate=False)
    batch = _people(300)
    batch[10].fields["Birthdate"] = "1990-02-30"
    batch[20].fields["LastName"] = None

    results = connector.write("Contact", batch)

    assert [r.key for r in results] == [r.key for r in batch]
    assert results[10].code == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    assert results[20].code == "REQUIRED_FIELD_MISSING"
    assert _outcomes(results) == {"created": 298, "failed": 2}
    assert [j["operation"] for j in sandbox.store.jobs()] == ["upsert"]
    batch[10].fields["Birthdate"] = "1990-02-28"
    again = connector.write("Contact", batch[:150] + [WriteRequest(f"n-{i}", {"LastName": "N"}) for i in range(99)])
    assert _outcomes(again) == {"unchanged": 148, "created": 100, "failed": 1}
    assert again[20].code == "REQUIRED_FIELD_MISSING"
    assert [j["operation"] for j in sandbox.store.jobs()] == ["upsert", "upsert"]
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 398


def test_bulk_job_failing_midway_returns_unprocessed_as_retriable(make_sandbox: Any, make_connector: Any) -> None:
    sandbox = make_sandbox(bulk_fail_after_chunks=1)
    connector = make_connector(sandbox, bulk_threshold=100, detect_unchanged=False)

    results = connector.write("Contact", _people(10_020))

    assert _outcomes(results) == {"created": 10_000, "failed": 20}
    assert {(r.code, r.retriable) for r in results if r.outcome is WriteOutcome.FAILED} == {("UNPROCESSED", True)}


def test_session_expiry_mid_batch_renews_and_loses_nothing(make_sandbox: Any, make_connector: Any,
                                                           sf: Any) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, oauth=True)
    connector.write("Contact", _people(10))
    sandbox.org.faults.schedule("invalid_session", path_contains="composite/sobjects")

    results = connector.write("Contact", _people(450, prefix="s"))

    assert _outcomes(results) == {"created": 450}
    assert connector.api.refreshes == 1
    from crmhub_salesforce.testkit import sdk_client

    assert sdk_client(sandbox).query("SELECT COUNT() FROM Contact")["totalSize"] == 460


def test_a_fixed_token_that_expires_is_an_auth_error(make_sandbox: Any, make_connector: Any) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox)
    sandbox.org.sessions.expire_all()

    with pytest.raises(AuthError, match="fixed token cannot be renewed"):
        connector.write("Contact", _people(1))


def test_daily_allowance_stops_the_run_before_the_reserve(make_sandbox: Any, make_connector: Any) -> None:
    sandbox = make_sandbox(daily_api_limit=20)
    connector = make_connector(sandbox, api_reserve_percent=25, detect_unchanged=False, prevalidate=False)
    # describes of Contact, Individual and ContactPointTypeConsent + 1 upsert: 4 calls, api-usage now known
    connector.write("Contact", _people(200))

    written = 0
    stopped: QuotaExhaustedError | None = None
    for start in range(0, 10_000, 200):
        try:
            connector.write("Contact", _people(200, prefix=f"q{start}"))
        except QuotaExhaustedError as exc:
            stopped = exc
            break
        written += 1
    assert stopped is not None
    assert "allowance" in stopped.public_message
    assert sandbox.org.calls_today() == 15  # 20 minus a reserve of 5: stopped cleanly, never refused
    assert written == 11


def test_request_limit_exceeded_from_salesforce_is_quota_exhausted(make_sandbox: Any, make_connector: Any) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, detect_unchanged=False)
    connector.write("Contact", _people(1))
    sandbox.org.faults.schedule("limit")

    with pytest.raises(QuotaExhaustedError):
        connector.write("Contact", _people(1, prefix="x"))
    sandbox.org.faults.schedule("concurrency")
    with pytest.raises(RetriableError) as exc:
        connector.write("Contact", _people(1, prefix="y"))
    assert exc.value.retry_after == 5.0


def test_server_error_on_the_first_call_raises_and_on_a_later_one_keeps_results(make_sandbox: Any,
                                                                                 make_connector: Any) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, detect_unchanged=False, prevalidate=False)
    connector.write("Contact", _people(1, prefix="warm"))
    sandbox.org.faults.schedule("fail", path_contains="composite", status=503)
    with pytest.raises(RetriableError, match="503 SERVER_UNAVAILABLE"):
        connector.write("Contact", _people(300))

    sandbox.org.faults.schedule("fail", path_contains="composite", status=500, after=1)
    results = connector.write("Contact", _people(300, prefix="mid"))

    assert _outcomes(results) == {"created": 200, "failed": 100}
    assert {(r.code, r.retriable) for r in results[200:]} == {("RETRIABLE", True)}
    assert all(r.outcome is WriteOutcome.CREATED for r in results[:200])


def test_response_lost_after_commit_then_retry_makes_no_duplicate(make_sandbox: Any, make_connector: Any) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox)
    connector.write("Contact", _people(1, prefix="warm"))
    sandbox.org.faults.schedule("drop_after_commit", path_contains="composite")
    batch = _people(150)

    with pytest.raises(RetriableError, match="may or may not have been applied"):
        connector.write("Contact", batch)
    retried = connector.write("Contact", batch)

    assert _outcomes(retried) == {"unchanged": 150}
    from crmhub_salesforce.testkit import sdk_client

    assert sdk_client(sandbox).query("SELECT COUNT() FROM Contact")["totalSize"] == 151


def test_same_key_twice_in_a_batch_sends_the_first_and_retries_the_second(sandbox: SalesforceSandbox,
                                                                         make_connector: Any) -> None:
    connector = make_connector(sandbox)
    results = connector.write("Contact", [WriteRequest("k", {"LastName": "A"}), WriteRequest("K", {"LastName": "B"})])

    assert results[0].outcome is WriteOutcome.CREATED
    assert (results[1].outcome, results[1].code, results[1].retriable) == (WriteOutcome.FAILED, "DUPLICATE_VALUE",
                                                                           True)


def test_lookup_delete_and_erase(sandbox: SalesforceSandbox, make_connector: Any, sf: Any) -> None:
    connector = make_connector(sandbox)
    connector.write("Contact", _people(3))

    found = connector.lookup("Contact", ["p-00000", "P-00001", "missing"])
    assert set(found) == {"p-00000", "P-00001"}
    assert found["p-00000"]["LastName"] == "Yılmaz 0"

    deleted = connector.delete("Contact", ["p-00000", "missing"])
    assert [(r.key, r.outcome) for r in deleted] == [("p-00000", WriteOutcome.DELETED),
                                                     ("missing", WriteOutcome.UNCHANGED)]
    assert sf.query_all("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)["totalSize"] == 1

    erased = connector.erase("Contact", "p-00001")
    assert erased.outcome is WriteOutcome.DELETED
    assert sf.query_all("SELECT Id FROM Contact", include_deleted=True)["totalSize"] == 2
    assert connector.erase("Contact", "p-00001").outcome is WriteOutcome.UNCHANGED


def test_a_write_right_after_a_lookup_of_its_keys_reuses_that_answer(sandbox: SalesforceSandbox,
                                                                     make_connector: Any) -> None:
    connector = make_connector(sandbox)
    batch = _people(300)
    connector.write("Contact", batch)
    batch[3].fields["Title"] = "Şef"

    connector.lookup("Contact", [r.key for r in batch])
    before = sandbox.org.calls_today()
    results = connector.write("Contact", batch)
    after_reuse = sandbox.org.calls_today() - before
    connector.write("Contact", batch)
    after_fresh = sandbox.org.calls_today() - before - after_reuse

    assert _outcomes(results) == {"unchanged": 299, "updated": 1}
    assert after_reuse == 1  # only the Collections call: no second lookup
    assert after_fresh == 1  # a lookup of its own (nothing to send any more)
