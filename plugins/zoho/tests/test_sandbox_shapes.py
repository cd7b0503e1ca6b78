"""Every operation of the sandbox answers in the shapes Zoho documents for API v8 (and errors as Zoho's)."""

from __future__ import annotations

import pytest
import requests
from crmhub_zoho.sandbox import ZohoSandbox


@pytest.fixture
def http(sandbox: ZohoSandbox) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = f"Zoho-oauthtoken {sandbox.token}"
    return session


def url(sandbox: ZohoSandbox, path: str) -> str:
    return sandbox.url + "/crm/v8/" + path


def upsert(http, sandbox, rows, check=("Crmhub_Id",)) -> requests.Response:
    return http.post(url(sandbox, "Contacts/upsert"), json={"data": rows, "duplicate_check_fields": list(check)},
                     timeout=10)


def test_the_checker_rejects_what_zoho_would_not_send(shapes) -> None:
    assert shapes.problems("get_records", {"data": [], "info": {"per_page": "200"}})
    assert shapes.problems("get_records", {"data": [], "info": {"more_records": True, "nxt_page_token": "x"}})
    assert shapes.problems("upsert_records", {"data": [{"code": "SUCCESS", "status": "success", "action": "merge"}]})
    assert shapes.problems("get_fields", {"fields": [{"api_name": "Email"}]})
    info = {"per_page": 1, "count": 1, "more_records": False}
    assert shapes.problems("get_records", {"data": [{"id": "7", "$stop_processing": "no"}], "info": info})
    assert shapes.problems("get_records", {"data": [{"id": "7", "Modified_Time": "2024-03-05 14:20"}], "info": info})
    assert shapes.problems("api_exception", {"code": "INVALID_DATA", "details": {"jsonpath": "$"}, "message": "m",
                                             "status": "error"})
    assert shapes.problems("deleted_records", {"data": [{"id": "7", "type": "trash"}], "info": info})
    assert shapes.problems("get_records", {"code": "OOPS", "details": {}, "message": "m", "status": "error"})


def test_gdpr_records_carry_their_block_and_stop_processing(shapes, http, sandbox) -> None:
    block = {"Data_Processing_Basis": "Consent - Obtained", "Contact_Through_Email": True}
    assert upsert(http, sandbox, [{"Last_Name": "Uysal", "Crmhub_Id": "g-1",
                                   "Data_Processing_Basis_Details": block}]).status_code == 201
    bare = upsert(http, sandbox, [{"Last_Name": "Uysal", "Crmhub_Id": "g-2",
                                   "Data_Processing_Basis_Details": {"Contact_Through_Email": True}}])
    assert bare.status_code == 400 and bare.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"
    shapes.validate("upsert_records", bare.json())
    page = http.get(url(sandbox, "Contacts"), params={"fields": "Last_Name,Data_Processing_Basis_Details"},
                    timeout=10)
    shapes.validate("get_records", page.json())
    [record] = page.json()["data"]
    assert record["$stop_processing"] is False and record["Data_Processing_Basis_Details"]["Contact_Through_Email"]


def test_fields_metadata(shapes, http, sandbox) -> None:
    response = http.get(url(sandbox, "settings/fields"), params={"module": "Contacts"}, timeout=10)
    assert response.status_code == 200
    shapes.validate("get_fields", response.json())
    missing = http.get(url(sandbox, "settings/fields"), timeout=10)
    assert missing.status_code == 400
    shapes.validate("get_fields", missing.json())


def test_writes_reads_search_delete_deleted(shapes, http, sandbox) -> None:
    rows = [{"Last_Name": f"Kılıç {i}", "Email": f"k{i}@example.com", "Crmhub_Id": f"o-{i}"} for i in range(5)]
    created = upsert(http, sandbox, rows)
    assert created.status_code == 201
    shapes.validate("upsert_records", created.json())
    updated = upsert(http, sandbox, [{**rows[0], "Mailing_City": "Bursa"}])
    assert updated.status_code == 200 and updated.json()["data"][0]["duplicate_field"] == "Crmhub_Id"
    shapes.validate("upsert_records", updated.json())
    mixed = upsert(http, sandbox, [{"Last_Name": "Tamam", "Crmhub_Id": "o-9"}, {"First_Name": "Eksik"},
                                   {"Last_Name": "y" * 81}, {"Last_Name": "Z", "Shoe_Size": 42}])
    assert mixed.status_code == 207
    assert [r["code"] for r in mixed.json()["data"]] == ["SUCCESS", "MANDATORY_NOT_FOUND", "INVALID_DATA",
                                                          "INVALID_DATA"]
    shapes.validate("upsert_records", mixed.json())
    all_failed = upsert(http, sandbox, [{"First_Name": "Eksik"}])
    assert all_failed.status_code == 400
    shapes.validate("upsert_records", all_failed.json())
    plain = http.post(url(sandbox, "Contacts"), json={"data": [{"Last_Name": "Yeni"}]}, timeout=10)
    assert plain.status_code == 201
    shapes.validate("create_records", plain.json())
    new_id = plain.json()["data"][0]["details"]["id"]
    put = http.put(url(sandbox, "Contacts"), json={"data": [{"id": new_id, "Last_Name": "Eski"}, {"id": "1"}]},
                   timeout=10)
    assert put.status_code == 207
    shapes.validate("update_records", put.json())

    page = http.get(url(sandbox, "Contacts"), params={"fields": "Last_Name,Email,Modified_Time", "per_page": 2,
                                                      "sort_by": "Modified_Time", "sort_order": "asc"}, timeout=10)
    assert page.status_code == 200 and page.json()["info"]["more_records"] is True
    shapes.validate("get_records", page.json())
    token = page.json()["info"]["next_page_token"]
    follow = http.get(url(sandbox, "Contacts"), params={"page_token": token}, timeout=10)
    shapes.validate("get_records", follow.json())
    found = http.get(url(sandbox, "Contacts/search"), params={"criteria": "(Crmhub_Id:equals:o-1)"}, timeout=10)
    assert [r["Crmhub_Id"] for r in found.json()["data"]] == ["o-1"]
    shapes.validate("search_records", found.json())

    gone = http.delete(url(sandbox, "Contacts"), params={"ids": f"{new_id},42"}, timeout=10)
    assert gone.status_code == 207
    shapes.validate("delete_records", gone.json())
    deleted = http.get(url(sandbox, "Contacts/deleted"), params={"type": "all"}, timeout=10)
    assert [d["id"] for d in deleted.json()["data"]] == [new_id]
    shapes.validate("deleted_records", deleted.json())


@pytest.mark.parametrize(("params", "code"), [
    ({}, "REQUIRED_PARAM_MISSING"),
    ({"fields": "Last_Name", "per_page": 201}, "INVALID_DATA"),
    ({"fields": "Last_Name", "page": 11}, "DISCRETE_PAGINATION_LIMIT_EXCEEDED"),
    ({"fields": "Last_Name", "sort_by": "Email"}, "INVALID_DATA"),
    ({"fields": "No_Such_Field"}, "INVALID_DATA"),
    ({"page_token": "forged"}, "INVALID_DATA"),
])
def test_bad_reads_answer_zoho_errors(shapes, http, sandbox, params, code) -> None:
    response = http.get(url(sandbox, "Contacts"), params=params, timeout=10)
    assert response.status_code == 400
    assert response.json()["code"] == code
    shapes.validate("api_exception", response.json())


def test_not_modified_no_content_and_auth_errors(shapes, http, sandbox) -> None:
    assert http.get(url(sandbox, "Contacts"), params={"fields": "Last_Name"}, timeout=10).status_code == 204
    upsert(http, sandbox, [{"Last_Name": "A", "Crmhub_Id": "nm-1"}])
    later = {"If-Modified-Since": "2999-01-01T00:00:00+00:00"}
    response = http.get(url(sandbox, "Contacts"), params={"fields": "Last_Name"}, headers=later, timeout=10)
    assert response.status_code == 304 and not response.content
    for header, code in ((None, "AUTHENTICATION_FAILURE"), ("Zoho-oauthtoken 1000.nope", "INVALID_TOKEN")):
        headers = {"Authorization": header} if header else {}
        bare = requests.get(url(sandbox, "Contacts"), params={"fields": "Last_Name"}, headers=headers, timeout=10)
        assert bare.status_code == 401 and bare.json()["code"] == code
        shapes.validate("get_records", bare.json())
    assert http.get(url(sandbox, "Nope"), params={"fields": "Last_Name"}, timeout=10).json()["code"] == "INVALID_MODULE"
    too_many = upsert(http, sandbox, [{"Last_Name": str(i)} for i in range(101)])
    assert too_many.status_code == 400 and too_many.json()["code"] == "LIMIT_EXCEEDED"
    shapes.validate("upsert_records", too_many.json())


@pytest.mark.parametrize("sandbox_settings", [{"credit_budget": 3}])
def test_credit_budget_answers_429(shapes, http, sandbox) -> None:
    for _ in range(3):
        assert http.get(url(sandbox, "Contacts"), params={"fields": "Last_Name"}, timeout=10).status_code == 204
    response = http.get(url(sandbox, "Contacts"), params={"fields": "Last_Name"}, timeout=10)
    assert response.status_code == 429
    assert response.json()["code"] == "TOO_MANY_REQUESTS" and "credit" in response.json()["details"]["reason"]
    shapes.validate("api_exception", response.json())


def test_token_endpoint_issues_expiring_tokens(sandbox) -> None:
    cred = sandbox.credentials
    form = {"grant_type": "refresh_token", "client_id": cred.client_id, "client_secret": cred.client_secret,
            "refresh_token": cred.refresh_token}
    answer = requests.post(sandbox.url + "/oauth/v2/token", data=form, timeout=10).json()
    assert answer["expires_in"] == 3600 and answer["token_type"] == "Bearer"
    ok = requests.get(url(sandbox, "Contacts"), params={"fields": "Last_Name"}, timeout=10,
                      headers={"Authorization": f"Zoho-oauthtoken {answer['access_token']}"})
    assert ok.status_code == 204
    wrong = requests.post(sandbox.url + "/oauth/v2/token", data={**form, "refresh_token": "1000.x"}, timeout=10)
    assert wrong.status_code == 200 and wrong.json() == {"error": "invalid_code"}
