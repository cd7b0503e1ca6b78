"""OAuth refresh, the token store, credit budgets, 429s, faults, timeouts, config safety, several orgs at once."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from crmhub_zoho.config import ZohoConfig
from crmhub_zoho.sandbox import start
from crmhub_zoho.testing import MemoryKV
from pydantic import SecretStr, ValidationError

from hub.errors import AuthError, QuotaExhaustedError, RetriableError
from hub.records import WriteOutcome, WriteRequest
from hub.sandbox import SandboxOptions

PEOPLE = [WriteRequest(f"a-{i}", {"Last_Name": f"Arslan {i}", "Email": f"a{i}@example.com"}) for i in range(5)]


def token_calls(sandbox) -> int:
    return sum(1 for method, path in sandbox.requests if path == "/oauth/v2/token")


@pytest.mark.parametrize("sandbox_settings", [{"token_lifetime": 1}])
def test_short_lived_tokens_are_refreshed_and_kept_encrypted_store_side(make_connector, sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    kv = MemoryKV()
    with make_connector(oauth=True, kv=kv) as connector:
        assert [r.outcome for r in connector.write("Contacts", PEOPLE)] == [WriteOutcome.CREATED] * 5
        time.sleep(1.1)
        assert len(connector.lookup("Contacts", [p.key for p in PEOPLE])) == 5
    assert token_calls(sandbox) >= 2
    stored = kv.values["zoho.oauth"]
    issued = list(sandbox.credentials.issued)
    assert any(token in stored for token in issued), "the SDK's token store is the connection's kv"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (*issued, sandbox.credentials.client_secret, sandbox.credentials.refresh_token):
        assert secret not in logged


def test_a_revoked_access_token_is_refreshed_on_the_next_attempt(make_connector, sandbox) -> None:
    with make_connector(oauth=True) as connector:
        connector.write("Contacts", PEOPLE[:1])
        sandbox.credentials.issued.clear()  # Zoho revoked or expired it early
        with pytest.raises(RetriableError) as caught:
            connector.write("Contacts", PEOPLE[1:2])
        assert caught.value.retry_after == 0
        assert connector.write("Contacts", PEOPLE[1:2])[0].outcome is WriteOutcome.CREATED


def test_a_refused_grant_is_an_auth_error(make_connector, sandbox) -> None:
    connector = make_connector(oauth=True, refresh_token=SecretStr("1000.revoked.grant"))
    with connector, pytest.raises(AuthError):
        connector.discover()
    result = make_connector(token=SecretStr("1000.bad.token")).check()
    assert not result.ok and "INVALID_TOKEN" in result.problems[0]


@pytest.mark.parametrize("sandbox_settings", [{"credit_budget": 4}])
def test_spent_zoho_credits_stop_the_run_cleanly(make_connector, sandbox) -> None:
    with make_connector(detect_unchanged=False) as connector:
        connector.write("Contacts", PEOPLE[:1])  # fields + upsert: 2 credits
        connector.write("Contacts", PEOPLE[1:2])
        with pytest.raises(QuotaExhaustedError):
            connector.write("Contacts", PEOPLE[2:3])
        sandbox.settings.credit_budget = None  # the window moved on
        assert connector.write("Contacts", PEOPLE[2:3])[0].outcome is WriteOutcome.CREATED
    assert sandbox.store.count("Contacts") == 3


def test_own_credit_budget_stops_before_zoho_is_asked(make_connector, sandbox) -> None:
    kv = MemoryKV()
    with make_connector(credit_budget=3, detect_unchanged=False, kv=kv) as connector:
        connector.write("Contacts", PEOPLE)  # fields (1) + one upsert of 5 records (1)
        connector.write("Contacts", PEOPLE[:1])  # 3 of 3
        sent = len(sandbox.requests)
        with pytest.raises(QuotaExhaustedError) as caught:
            connector.write("Contacts", PEOPLE[:1])
        assert caught.value.resume_after is not None and caught.value.resume_after > 0
    assert len(sandbox.requests) == sent, "nothing is sent once the budget is spent"
    with make_connector(credit_budget=3, detect_unchanged=False, kv=kv) as again, pytest.raises(QuotaExhaustedError):
        again.write("Contacts", PEOPLE[:1])  # the spending is remembered in the state store


@pytest.mark.parametrize("sandbox_settings", [{"concurrency": 0, "retry_after": 2}])
def test_concurrency_429_is_retriable_with_retry_after(make_connector) -> None:
    with make_connector() as connector, pytest.raises(RetriableError) as caught:
        connector.discover()
    assert caught.value.retry_after == 2


@pytest.mark.parametrize("sandbox_settings", [{"edition": "free"}])
def test_edition_sets_the_concurrency_cap(sandbox) -> None:
    assert sandbox.settings.concurrency == 5


def test_server_errors_and_dropped_answers_are_retriable_and_never_duplicate(make_connector, sandbox) -> None:
    with make_connector() as connector:
        connector.check()
        sandbox.settings.fail_prob = 1.0
        with pytest.raises(RetriableError):
            connector.write("Contacts", PEOPLE)
        sandbox.settings.fail_prob = 0.0
        sandbox.settings.drop_after_commit = 1.0
        with pytest.raises(RetriableError):
            connector.write("Contacts", PEOPLE)
        sandbox.settings.drop_after_commit = 0.0
        again = connector.write("Contacts", PEOPLE)
    assert {r.outcome for r in again} == {WriteOutcome.UNCHANGED}
    assert sandbox.store.count("Contacts") == 5


def test_every_request_has_a_timeout(make_connector, sandbox) -> None:
    with make_connector(read_timeout=0.3, detect_unchanged=False) as connector:
        connector.check()
        sandbox.settings.latency = 1.0
        with pytest.raises(RetriableError, match=r"timed out|Timeout"):
            connector.write("Contacts", PEOPLE[:1])  # a POST: the SDK itself sets no timeout on it
        with pytest.raises(RetriableError, match=r"timed out|Timeout"):
            connector.discover()


def test_config_refuses_unsafe_urls_and_half_credentials() -> None:
    token = SecretStr("1000.x")
    with pytest.raises(ValidationError, match="https"):
        ZohoConfig(url="http://127.0.0.1:9", token=token)
    with pytest.raises(ValidationError, match="loopback"):
        ZohoConfig(url="http://crm.example.com", token=token, allow_insecure_sandbox=True)
    with pytest.raises(ValidationError, match="private"):
        ZohoConfig(url="https://10.0.0.5", token=token)
    with pytest.raises(ValidationError, match="go together"):
        ZohoConfig(token=token, client_id=SecretStr("id"))
    with pytest.raises(ValidationError, match="either token"):
        ZohoConfig()
    eu = ZohoConfig(data_centre="eu", client_id=token, client_secret=token, refresh_token=token)
    assert eu.api_domain == "https://www.zohoapis.eu"
    assert eu.token_url == "https://accounts.zoho.eu/oauth/v2/token"
    assert ZohoConfig(data_centre="in", environment="sandbox", token=token).api_domain == "https://sandbox.zohoapis.in"
    assert "1000.x" not in repr(eu) and "1000.x" not in str(eu)


def test_two_orgs_in_one_process_stay_apart(make_connector, sandbox, tmp_path: Path) -> None:
    other = start(SandboxOptions())
    try:
        from crmhub_zoho.connector import ZohoConnector

        from hub.connectors.api import ConnectorContext

        second = ZohoConnector(ZohoConfig(url=other.url, token=SecretStr(other.token), allow_insecure_sandbox=True),
                               ConnectorContext("second", tmp_path / "second", kv=MemoryKV()))
        with make_connector() as first, second:
            for request in PEOPLE:
                first.write("Contacts", [request])
                second.write("Accounts", [WriteRequest(request.key, {"Account_Name": request.fields["Last_Name"]})])
        assert sandbox.store.count("Contacts") == 5 and sandbox.store.count("Accounts") == 0
        assert other.store.count("Accounts") == 5 and other.store.count("Contacts") == 0
    finally:
        other.stop()
