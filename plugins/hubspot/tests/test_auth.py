"""Private-app tokens, OAuth refresh ahead of expiry (one at a time), expiry mid-run, and secrets kept out."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from crmhub_hubspot.auth import OAuthTokens
from crmhub_hubspot.config import HubSpotConfig
from crmhub_hubspot.connector import HubSpotConnector
from pydantic import ValidationError

from hub.connectors.api import ConnectorContext
from hub.errors import AuthError, RetriableError
from hub.records import WriteOutcome, WriteRequest

if TYPE_CHECKING:
    from conftest import ConnectorFactory, SandboxFactory





def test_oauth_tokens_refresh_ahead_of_expiry() -> None:
    now = [0.0]
    issued: list[str] = []

    def refresh() -> tuple[str, float]:
        issued.append(f"token-{len(issued)}")
        return issued[-1], 1800.0

    tokens = OAuthTokens(refresh, clock=lambda: now[0])
    assert tokens.current() == "token-0"
    now[0] = 1499.0  # five minutes before expiry is still early enough
    assert tokens.current() == "token-0"
    now[0] = 1501.0
    assert tokens.current() == "token-1"
    tokens.invalidate("token-0")  # a stale 401 does not throw away the new token
    assert tokens.current() == "token-1"
    tokens.invalidate("token-1")
    assert tokens.current() == "token-2"


def test_one_refresh_at_a_time_under_concurrency() -> None:
    calls = []
    gate = threading.Event()

    def refresh() -> tuple[str, float]:
        calls.append(1)
        gate.wait(1)
        return "shared-token", 1800.0

    tokens = OAuthTokens(refresh)
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(tokens.current())) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    gate.set()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert seen == ["shared-token"] * 8


def test_oauth_connection_writes_and_expiry_mid_run_is_retriable(make_sandbox: SandboxFactory,
                                                                 make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(token_lifetime_s=3600)
    connector = make_connector(sandbox, oauth=True)
    assert connector.write("contacts", [WriteRequest("o1", {"email": "o1@example.com"})])[0].outcome \
        == WriteOutcome.CREATED
    for token in list(sandbox.tokens._tokens.values()):
        if token.expires_at is not None:
            token.expires_at = 0.0  # HubSpot expired it early (clock skew, revocation)
    with pytest.raises(RetriableError, match="expired"):
        connector.write("contacts", [WriteRequest("o2", {"email": "o2@example.com"})])
    result = connector.write("contacts", [WriteRequest("o2", {"email": "o2@example.com"})])[0]  # engine retry
    assert result.outcome == WriteOutcome.CREATED
    assert sandbox.tokens.refreshes == 2


def test_short_lived_tokens_are_refreshed_before_they_expire(make_sandbox: SandboxFactory,
                                                             make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(token_lifetime_s=1)
    connector = make_connector(sandbox, oauth=True)
    for i in range(6):
        result = connector.write("contacts", [WriteRequest(f"s{i}", {"email": f"s{i}@example.com"})])[0]
        assert result.outcome == WriteOutcome.CREATED  # never a 401: refreshed ahead of expiry
        time.sleep(0.3)
    assert sandbox.tokens.refreshes >= 2


def test_bad_refresh_token_is_an_auth_error(make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, oauth=True, oauth_refresh_token="na1-revoked")
    with pytest.raises(AuthError, match="BAD_REFRESH_TOKEN"):
        connector.discover()


def test_revoked_private_app_token_is_an_auth_error(make_sandbox: SandboxFactory,
                                                   make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, token="pat-na1-revoked")
    with pytest.raises(AuthError):
        connector.discover()
    assert not connector.check().ok


def test_tokens_never_reach_repr_errors_or_logs(make_sandbox: SandboxFactory, make_connector: ConnectorFactory,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = make_sandbox(token_lifetime_s=3600)
    connector = make_connector(sandbox, oauth=True)
    connector.write("contacts", [WriteRequest("t1", {"email": "t1@example.com"})])
    access = next(t for t, i in sandbox.tokens._tokens.items() if i.expires_at is not None)
    sandbox.tokens._tokens[access].expires_at = 0.0
    with pytest.raises(RetriableError) as caught:
        connector.write("contacts", [WriteRequest("t2", {"email": "t2@example.com"})])
    blob = "\n".join([repr(connector), repr(connector.config), str(caught.value), repr(caught.value),
                      *(r.getMessage() for r in caplog.records)])
    for secret in (access, sandbox.oauth_refresh_token, sandbox.oauth_client_secret):
        assert secret not in blob


def test_config_refuses_plain_http_and_internal_hosts_without_the_sandbox_opt_in() -> None:
    with pytest.raises(ValidationError, match="https"):
        HubSpotConfig(url="http://api.hubapi.com", token="pat-x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="loopback or private"):
        HubSpotConfig(url="https://127.0.0.1:8443", token="pat-x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not both"):
        HubSpotConfig(token="pat-x", oauth_client_id="c", oauth_client_secret="s",  # type: ignore[arg-type]
                      oauth_refresh_token="r")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="either token"):
        HubSpotConfig()
    assert HubSpotConfig(url="http://127.0.0.1:1", token="t", allow_insecure_sandbox=True)  # type: ignore[arg-type]


class MemoryKV:
    """Stands in for the connection's encrypted key-value store."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def test_an_access_token_outlives_the_run_in_the_connection_store(make_sandbox: SandboxFactory,
                                                                 make_connector: ConnectorFactory,
                                                                 tmp_path: Path) -> None:
    sandbox = make_sandbox(token_lifetime_s=1800)
    kv = MemoryKV()
    config = HubSpotConfig(url=sandbox.url, allow_insecure_sandbox=True, tier="unlimited",  # type: ignore[arg-type]
                           oauth_client_id=sandbox.oauth_client_id, oauth_client_secret=sandbox.oauth_client_secret,
                           oauth_refresh_token=sandbox.oauth_refresh_token)
    for _ in range(2):
        run = HubSpotConnector(config, ConnectorContext("hubspot", tmp_path, kv=kv))
        with run:
            run.discover()
    assert sandbox.tokens.refreshes == 1
    assert sandbox.oauth_refresh_token not in json.dumps(kv.data)
