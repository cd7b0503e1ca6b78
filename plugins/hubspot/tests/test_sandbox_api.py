"""The sandbox answers the way HubSpot does: shapes the SDK's own models accept, errors and limits HubSpot's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import urllib3
from crmhub_hubspot.sandbox import HubSpotSandbox
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicDefaultAssociationMultiPost
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicGdprDeleteInput,
    PublicMergeInput,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.contacts.models import BatchResponseSimplePublicUpsertObjectWithErrors

if TYPE_CHECKING:
    from conftest import SandboxFactory





def sdk(sandbox: HubSpotSandbox, token: str | None = None) -> HubSpot:
    return HubSpot(access_token=token or sandbox.token, host=sandbox.url, retry=urllib3.util.Retry(total=0))


def upsert(client: HubSpot, *items: tuple[str, dict[str, str]], trace: bool = False) -> object:
    inputs = [SimplePublicObjectBatchInputUpsert(id_property="email", id=email, properties=props,
                                                 object_write_trace_id=str(i) if trace else None)
              for i, (email, props) in enumerate(items)]
    return client.crm.contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs))


def error_body(exc: ApiException) -> dict[str, object]:
    body = json.loads(exc.body)
    assert isinstance(body, dict)
    return body


def test_batch_upsert_creates_then_updates_with_typed_models(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    first = upsert(client, ("ayse@example.com.tr", {"firstname": "Ayşe"}))
    second = upsert(client, ("AYSE@example.com.tr", {"lastname": "Yılmaz"}))
    assert first.results[0].new is True
    assert second.results[0].new is False
    assert second.results[0].id == first.results[0].id
    page = client.crm.contacts.basic_api.get_page(limit=10, properties=["firstname", "lastname"])
    assert [(r.properties["firstname"], r.properties["lastname"]) for r in page.results] == [("Ayşe", "Yılmaz")]


def test_invalid_input_fails_the_whole_batch_without_trace_ids(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    with pytest.raises(ApiException) as caught:
        upsert(client, ("ok@example.com", {}), ("bad@example.com", {"lifecyclestage": "vip"}))
    body = error_body(caught.value)
    assert caught.value.status == 400
    assert body["category"] == "VALIDATION_ERROR"
    assert str(body["message"]).startswith("Property values were not valid: ")
    assert json.loads(str(body["message"]).split(": ", 1)[1])[0]["error"] == "INVALID_OPTION"
    assert client.crm.contacts.basic_api.get_page().results == []


def test_trace_ids_switch_on_multi_status(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    answer = upsert(client, ("ok@example.com", {}), ("bad@example.com", {"nosuchproperty": "x"}),
                    ("worse@example.com", {"createdate": "2020-01-01"}), trace=True)
    assert isinstance(answer, BatchResponseSimplePublicUpsertObjectWithErrors)
    assert [r.object_write_trace_id for r in answer.results] == ["0"]
    codes = {e.context["objectWriteTraceId"][0]: e.errors[0].code for e in answer.errors}
    assert codes == {"1": "PROPERTY_DOESNT_EXIST", "2": "READ_ONLY_VALUE"}


@pytest.mark.parametrize(
    ("properties", "code"),
    [({"email": "not-an-email"}, "INVALID_EMAIL"), ({"hs_language": " tr"}, "LEADING_TRAILING_WHITESPACE")],
)
def test_property_validation_codes(sandbox: HubSpotSandbox, properties: dict[str, str], code: str) -> None:
    client = sdk(sandbox)
    with pytest.raises(ApiException) as caught:
        client.crm.contacts.basic_api.create({"properties": properties})
    assert error_body(caught.value)["errors"][0]["code"] == code  # type: ignore[index]


def test_upsert_refuses_non_unique_id_property_and_duplicate_ids(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    inputs = [{"idProperty": "firstname", "id": "x", "properties": {}}]
    with pytest.raises(ApiException, match="non-unique"):
        client.crm.contacts.batch_api.upsert({"inputs": inputs})
    with pytest.raises(ApiException, match="Duplicate IDs"):
        upsert(client, ("a@example.com", {}), ("A@example.com", {}))
    with pytest.raises(ApiException, match="exceeds the limit of 100"):
        upsert(client, *[(f"p{i}@example.com", {}) for i in range(101)])


def test_unique_property_conflict_in_multi_status(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    client.crm.properties.core_api.create("contacts", {"name": "ext_id", "label": "Ext", "type": "string",
                                                       "fieldType": "text", "groupName": "contactinformation",
                                                       "hasUniqueValue": True})
    upsert(client, ("one@example.com", {"ext_id": "E1"}))
    answer = upsert(client, ("two@example.com", {"ext_id": "E1"}), trace=True)
    assert answer.results == []
    assert answer.errors[0].category == "CONFLICT"


def test_search_pages_sorts_and_caps_at_ten_thousand(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    upsert(client, *[(f"s{i}@example.com", {"firstname": f"N{i:02d}"}) for i in range(30)])
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(property_name="firstname", operator="GTE", value="N10")])],
        sorts=[{"propertyName": "firstname", "direction": "DESCENDING"}], properties=["firstname"], limit=15)
    page = client.crm.contacts.search_api.do_search(request)
    assert page.total == 20
    assert page.results[0].properties["firstname"] == "N29"
    assert page.paging.next.after == "15"
    with pytest.raises(ApiException) as caught:
        client.crm.contacts.search_api.do_search({"limit": 10, "after": "10000"})
    assert caught.value.status == 400
    with pytest.raises(ApiException, match="limit must be between"):
        client.crm.contacts.search_api.do_search({"limit": 201})
    with pytest.raises(ApiException, match="Only one sort"):
        client.crm.contacts.search_api.do_search({"sorts": ["firstname", "lastname"]})


def test_batch_read_reports_missing_ids_as_multi_status(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    created = upsert(client, ("r@example.com", {}))
    answer = client.crm.contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": created.results[0].id}, {"id": "999999"}], properties=["email"], properties_with_history=[]))
    assert [r.properties["email"] for r in answer.results] == ["r@example.com"]
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context["ids"] == ["999999"]


def test_gdpr_delete_purges_and_blocks_the_email(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    created = upsert(client, ("gone@example.com", {}))
    client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id=created.results[0].id))
    assert client.crm.contacts.basic_api.get_page(archived=True).results == []
    with pytest.raises(ApiException, match="EMAIL_BLOCKLISTED"):
        upsert(client, ("gone@example.com", {}))


def test_merge_keeps_the_primary_and_archives_the_other(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    a, b = upsert(client, ("a@example.com", {"firstname": "A"}), ("b@example.com", {"jobtitle": "CFO"})).results
    merged = client.crm.contacts.basic_api.merge(PublicMergeInput(primary_object_id=a.id, object_id_to_merge=b.id))
    assert merged.id == a.id
    kept = client.crm.contacts.basic_api.get_by_id(a.id, properties=["jobtitle", "firstname"])
    assert kept.properties["jobtitle"] == "CFO" and kept.properties["firstname"] == "A"
    assert [r.id for r in client.crm.contacts.basic_api.get_page(archived=True).results] == [b.id]


def test_default_association_makes_the_first_company_primary(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    contact = upsert(client, ("c@example.com", {})).results[0]
    company = client.crm.companies.basic_api.create({"properties": {"name": "Acme A.Ş."}})
    answer = client.crm.associations.v4.batch_api.create_default(
        "contacts", "companies",
        BatchInputPublicDefaultAssociationMultiPost(inputs=[{"from": {"id": contact.id}, "to": {"id": company.id}}]))
    assert answer.results[0].association_spec.association_type_id == 279
    listed = client.crm.associations.v4.basic_api.get_page("contacts", contact.id, "companies")
    assert {t.type_id for t in listed.results[0].association_types} == {279, 1}
    again = client.crm.contacts.basic_api.get_by_id(contact.id, properties=["associatedcompanyid"])
    assert again.properties["associatedcompanyid"] == company.id


def test_properties_api_lists_types_options_and_unique_flags(sandbox: HubSpotSandbox) -> None:
    client = sdk(sandbox)
    props = {p.name: p for p in client.crm.properties.core_api.get_all("contacts").results}
    assert props["lifecyclestage"].type == "enumeration"
    assert "customer" in {o.value for o in props["lifecyclestage"].options}
    assert props["hs_object_id"].has_unique_value is True
    assert props["createdate"].modification_metadata.read_only_value is True


def test_authentication_errors(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(token_lifetime_s=1)
    with pytest.raises(ApiException) as caught:
        sdk(sandbox, token="pat-na1-wrong").crm.contacts.basic_api.get_page()
    assert caught.value.status == 401
    assert error_body(caught.value)["category"] == "INVALID_AUTHENTICATION"
    oauth = HubSpot(host=sandbox.url).oauth.tokens_api.create(
        grant_type="refresh_token", client_id=sandbox.oauth_client_id, client_secret=sandbox.oauth_client_secret,
        refresh_token=sandbox.oauth_refresh_token)
    assert oauth.expires_in == 1
    sdk(sandbox, token=oauth.access_token).crm.contacts.basic_api.get_page()
    sandbox.tokens._tokens[oauth.access_token].expires_at = 0.0  # expire it now, not in a second
    with pytest.raises(ApiException) as caught:
        sdk(sandbox, token=oauth.access_token).crm.contacts.basic_api.get_page()
    assert error_body(caught.value)["category"] == "EXPIRED_AUTHENTICATION"


def test_rate_limit_answers_429_with_hubspots_body_and_headers(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(requests_per_10s=3, daily_limit=1000)
    client = sdk(sandbox)
    _, _, headers = client.crm.contacts.basic_api.get_page_with_http_info()
    assert headers["X-HubSpot-RateLimit-Max"] == "3"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "2"
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "999"
    client.crm.contacts.basic_api.get_page()
    client.crm.contacts.basic_api.get_page()
    with pytest.raises(ApiException) as caught:
        client.crm.contacts.basic_api.get_page()
    body = error_body(caught.value)
    assert caught.value.status == 429
    assert (body["errorType"], body["policyName"]) == ("RATE_LIMIT", "TEN_SECONDLY_ROLLING")
    assert int(caught.value.headers["Retry-After"]) >= 1


def test_wide_get_is_refused_with_414(make_sandbox: SandboxFactory) -> None:
    sandbox = make_sandbox(wide_properties=400)
    names = [f"custom_wide_property_number_{i:04d}" for i in range(400)]
    with pytest.raises(ApiException) as caught:
        sdk(sandbox).crm.contacts.basic_api.get_page(properties=names)
    assert caught.value.status == 414
