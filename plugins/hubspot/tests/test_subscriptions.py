"""E-mail subscription statuses (Communication Preferences API v3) ↔ canonical consent, through the real SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import urllib3
from crmhub_hubspot.connector import HubSpotConnector
from crmhub_hubspot.sandbox import HubSpotSandbox
from hubspot import HubSpot  # type: ignore[import-untyped]
from hubspot.communication_preferences import ApiException  # type: ignore[import-untyped]
from typer.testing import CliRunner

from hub.cli.app import app
from hub.mapping import Mapping, load_mapping
from hub.plugins import PluginHost
from hub.records import Checkpoint, SourceRecord, WriteOutcome, WriteRequest
from hub.testing import run_migration, write_config

MAPPING = Path(__file__).resolve().parents[3] / "mappings" / "hubspot.yaml"
EMAIL = "ayse.yilmaz@example.com.tr"


@pytest.fixture(scope="module")
def contacts() -> Any:
    host = PluginHost.start(environ={"CRMHUB_BLOCK_PLUGINS": "zoho,salesforce"})
    mapping: Mapping = load_mapping(MAPPING, host.transforms)
    return mapping.stream("contacts")


def sdk(sandbox: HubSpotSandbox) -> Any:
    no_retries = urllib3.util.Retry(total=0, respect_retry_after_header=False, raise_on_status=False)
    return HubSpot(access_token=sandbox.token, host=sandbox.url, retry=no_retries).communication_preferences


def change(sandbox: HubSpotSandbox, method: str, email: str, subscription: str = "1001", **extra: Any) -> Any:
    return getattr(sdk(sandbox).status_api, method)({"emailAddress": email, "subscriptionId": subscription, **extra})


def refusal(call: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(ApiException) as refused:
        call()
    return int(refused.value.status), json.loads(refused.value.body)


def read_all(connector: HubSpotConnector) -> list[SourceRecord]:
    return [r for r in connector.read("contacts", None) if not isinstance(r, Checkpoint)]


def test_the_sandbox_speaks_the_sdks_models_and_refuses_what_hubspot_refuses(sandbox: HubSpotSandbox) -> None:
    api = sdk(sandbox)
    definitions = api.definition_api.get_page().subscription_definitions
    assert {d.purpose for d in definitions} >= {"Marketing"} and all(d.created_at for d in definitions)
    basis = {"legalBasis": "CONSENT_WITH_NOTICE", "legalBasisExplanation": "web form /kayit"}

    status, body = refusal(lambda: change(sandbox, "subscribe", EMAIL))
    assert (status, body["category"]) == (400, "VALIDATION_ERROR"), "a GDPR portal wants a basis to subscribe"
    subscribed = change(sandbox, "subscribe", EMAIL, **basis)
    assert (subscribed.status, subscribed.legal_basis) == ("SUBSCRIBED", "CONSENT_WITH_NOTICE")
    [held] = api.status_api.get_email_status(EMAIL).subscription_statuses
    assert (held.id, held.status, held.legal_basis_explanation) == ("1001", "SUBSCRIBED", "web form /kayit")

    change(sandbox, "unsubscribe", EMAIL)
    status, body = refusal(lambda: change(sandbox, "subscribe", EMAIL, **basis))
    assert (status, body["subCategory"]) == (400, "CONTACT_OPTED_OUT"), "v3 never resubscribes an opt-out"
    status, body = refusal(lambda: change(sandbox, "subscribe", EMAIL, subscription="999", **basis))
    assert (status, body["subCategory"]) == (400, "INVALID_SUBSCRIPTION_ID")
    status, _ = refusal(lambda: change(sandbox, "subscribe", EMAIL, legalBasis="BECAUSE", legalBasisExplanation="x"))
    assert status == 400


def test_a_gdpr_deleted_address_is_blocked_and_loses_its_statuses(sandbox: HubSpotSandbox,
                                                                   connector: HubSpotConnector) -> None:
    person = connector.write("contacts", [WriteRequest("p", {"email": EMAIL})])[0]
    change(sandbox, "subscribe", EMAIL, legalBasis="CONSENT_WITH_NOTICE", legalBasisExplanation="form")

    assert connector.erase("contacts", str(person.target_id)).outcome is WriteOutcome.DELETED

    assert sdk(sandbox).status_api.get_email_status(EMAIL).subscription_statuses == []
    status, body = refusal(lambda: change(sandbox, "subscribe", EMAIL, legalBasis="CONSENT_WITH_NOTICE",
                                          legalBasisExplanation="form"))
    assert (status, body["subCategory"]) == (400, "EMAIL_BLOCKLISTED")


def test_the_preferences_endpoints_share_the_accounts_rate_limit(make_sandbox: Any) -> None:
    sandbox = make_sandbox(requests_per_10s=3)
    for _ in range(3):
        sdk(sandbox).definition_api.get_page()
    status, body = refusal(lambda: sdk(sandbox).status_api.get_email_status(EMAIL))
    assert (status, body["errorType"]) == (429, "RATE_LIMIT")


def test_reading_maps_the_subscription_status_and_its_basis_with_one_request_per_address(
        sandbox: HubSpotSandbox, connector: HubSpotConnector, contacts: Any) -> None:
    connector.write("contacts", [WriteRequest("a", {"email": EMAIL, "lastname": "Yılmaz"}),
                                 WriteRequest("b", {"email": "mehmet@example.com.tr", "lastname": "Öztürk"}),
                                 WriteRequest("c", {"email": "kaya@example.com.tr"}),
                                 WriteRequest("d", {"lastname": "Adressiz"})])
    kaya = sandbox.store.find("contacts", "email", "kaya@example.com.tr")
    assert kaya is not None
    with sandbox.store.lock:  # the person clicked "unsubscribe from all" (hs_email_optout is read-only to apps)
        sandbox.store.update("contacts", kaya, {"hs_email_optout": "true"})
    change(sandbox, "subscribe", EMAIL, legalBasis="PERFORMANCE_OF_CONTRACT", legalBasisExplanation="order 4411")
    before = sandbox.counts["api"]

    records = {r.data.get("crmhub_id"): contacts.to_canonical(r.data)[0] for r in read_all(connector)}

    assert sandbox.counts["api"] - before == 1 + 1 + 3, "a list page, the definitions once, a status per address"
    ayse = records["a"]
    assert (ayse["consent.email"], ayse["consent.legal_basis"], ayse["consent.source"]) == (
        "granted", "contract", "order 4411")
    assert records["b"].get("consent.email") is None, "no status in the type: unknown, nothing invented"
    assert records["c"]["consent.email"] == "denied", "unsubscribed from all e-mail"
    assert records["d"].get("consent.email") is None
    before = sandbox.counts["api"]
    looked = connector.lookup("contacts", ["a"])
    assert looked["a"]["subscription.status"] == "SUBSCRIBED"
    assert sandbox.counts["api"] - before == 1, "the lookup reuses the statuses just read"


def test_writing_subscribes_with_the_basis_given_and_a_rerun_sends_nothing(
        sandbox: HubSpotSandbox, connector: HubSpotConnector, contacts: Any) -> None:
    record = {"email": EMAIL, "last_name": "Yılmaz", "consent.email": "granted", "consent.legal_basis": "contract",
              "consent.source": "order 4411"}

    [result] = connector.write("contacts", [WriteRequest("a", contacts.from_canonical(record))])

    assert result.outcome is WriteOutcome.CREATED
    assert sandbox.store.subscriptions[EMAIL]["1001"]["status"] == "SUBSCRIBED"
    assert sandbox.store.subscriptions[EMAIL]["1001"]["legalBasis"] == "PERFORMANCE_OF_CONTRACT"
    assert sandbox.store.subscriptions[EMAIL]["1001"]["legalBasisExplanation"] == "order 4411"
    writes = sandbox.writes
    [again] = connector.write("contacts", [WriteRequest("a", contacts.from_canonical(record))])
    assert again.outcome is WriteOutcome.UNCHANGED and sandbox.writes == writes


def test_a_grant_without_a_stated_basis_is_subscribed_as_consent(sandbox: HubSpotSandbox,
                                                                 connector: HubSpotConnector, contacts: Any) -> None:
    connector.write("contacts", [WriteRequest("a", contacts.from_canonical({"email": EMAIL,
                                                                            "consent.email": "granted"}))])
    assert sandbox.store.subscriptions[EMAIL]["1001"]["legalBasis"] == "CONSENT_WITH_NOTICE"


def test_an_opted_out_person_stays_opted_out(sandbox: HubSpotSandbox, connector: HubSpotConnector,
                                             contacts: Any) -> None:
    connector.write("contacts", [WriteRequest("a", contacts.from_canonical({
        "email": EMAIL, "consent.email": "withdrawn", "consent.legal_basis": "consent"}))])
    assert sandbox.store.subscriptions[EMAIL]["1001"]["status"] == "NOT_SUBSCRIBED"

    [regrant] = connector.write("contacts", [WriteRequest("a", contacts.from_canonical({
        "email": EMAIL, "consent.email": "granted", "consent.legal_basis": "consent"}))])

    assert (regrant.outcome, regrant.code) == (WriteOutcome.FAILED, "CONTACT_OPTED_OUT")
    assert EMAIL not in (regrant.message or "")
    [record] = read_all(connector)
    assert contacts.to_canonical(record.data)[0]["consent.email"] == "denied"


def test_gdpr_erase_uses_gdpr_delete_and_hubspot_keeps_nothing(tmp_path: Path, sandbox: HubSpotSandbox,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")
    (tmp_path / "people.csv").write_text(
        "id,last_name,email,consent.email,consent.legal_basis,consent.source,consent.captured_at,"
        "consent.notice_version,consent.capture_method\n"
        f"1,Yılmaz,{EMAIL},granted,consent,web form /kayit,2025-03-01T10:00:00+03:00,v3,web form\n"
        "2,Öztürk,mehmet@example.com.tr,granted,consent,web form /kayit,2025-03-01T10:00:00+03:00,v3,web form\n",
        encoding="utf-8")
    config = write_config(tmp_path, {
        "people": {"connector": "csv", "path": "people.csv"},
        "hubspot": {"connector": "hubspot", "url": sandbox.url, "token": "${env:HUBSPOT_SANDBOX_TOKEN}",
                    "allow_insecure_sandbox": True, "tier": "unlimited", "classification": "marketing"},
    })
    first = run_migration(config, "people", "hubspot")
    assert first["created"] == 2, first
    assert set(sandbox.store.subscriptions) == {EMAIL, "mehmet@example.com.tr"}

    result = CliRunner().invoke(app, ["gdpr", "erase", EMAIL, "--config", str(config), "--json"])

    report = json.loads(result.stdout.strip().splitlines()[-1])
    systems = {s["connection"]: s for s in report["systems"]}
    assert (systems["hubspot"]["mechanism"], systems["hubspot"]["status"]) == ("erase", "acknowledged")
    emails = [o.properties.get("email") for o in sandbox.store.portal("contacts").records.values()]
    assert emails == ["mehmet@example.com.tr"], "gone for good, not archived"
    assert EMAIL in sandbox.store.blocked_emails and EMAIL not in sandbox.store.subscriptions
