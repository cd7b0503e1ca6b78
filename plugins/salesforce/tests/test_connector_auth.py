"""Configuration, the OAuth flows against the sandbox's token endpoint, check and discover, registration."""

from __future__ import annotations

from typing import Any

import pytest
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.connector import SalesforceConnector
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.sandbox.settings import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_PASSWORD,
    SANDBOX_SECURITY_TOKEN,
    SANDBOX_USERNAME,
)
from pydantic import ValidationError

from hub.errors import AuthError, scrub
from hub.model.fields import FieldType


def _rsa_pair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@pytest.mark.parametrize(("settings", "message"), [
    ({"url": "http://acme.my.salesforce.com", "token": "t"}, "must be an https:// URL"),
    ({"url": "https://127.0.0.1:8443", "token": "t"}, "set sandbox: true"),
    ({"url": "https://10.1.2.3", "token": "t"}, "set sandbox: true"),
    ({"url": "https://acme.my.salesforce.com/services", "token": "t"}, "bare origin"),
    ({}, "auth: give token"),
    ({"auth": "password", "client_id": "c"}, "client_secret: required for auth password"),
    ({"auth": "jwt", "client_id": "c", "username": "u"}, "private_key or private_key_file"),
    ({"url": "https://acme.my.salesforce.com", "token": "t", "api_version": "40.0"}, "at least 46.0"),
    ({"url": "https://acme.my.salesforce.com", "token": "t", "key_field": "Id; DROP"}, "not a Salesforce API name"),
])
def test_config_problems_are_reported(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SalesforceConfig(**settings)


def test_flow_is_inferred_from_the_credentials() -> None:
    assert SalesforceConfig(url="https://a.my.salesforce.com", token="t").flow == "token"
    assert SalesforceConfig(client_id="c", client_secret="s").flow == "client_credentials"
    assert SalesforceConfig(client_id="c", client_secret="s", username="u", password="p").flow == "password"
    assert SalesforceConfig(client_id="c", username="u", private_key="k").flow == "jwt"
    assert SalesforceConfig(url="https://127.0.0.1:1", token="t", sandbox=True).sandbox


def test_client_credentials_flow_gets_a_session(sandbox: SalesforceSandbox, make_connector: Any) -> None:
    connector = make_connector(sandbox, oauth=True)
    assert connector.check().ok


def test_password_flow_appends_the_security_token(sandbox: SalesforceSandbox, make_connector: Any) -> None:
    connector = make_connector(sandbox, auth="password", username=SANDBOX_USERNAME, password=SANDBOX_PASSWORD,
                               security_token=SANDBOX_SECURITY_TOKEN, login_url=sandbox.url,
                               client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET, url=None, token=None)
    assert connector.check().ok


def test_jwt_bearer_flow_signs_an_assertion(make_sandbox: Any, make_connector: Any) -> None:
    private, public = _rsa_pair()
    sandbox = make_sandbox(jwt_public_key=public)
    connector = make_connector(sandbox, auth="jwt", client_id=SANDBOX_CLIENT_ID, username=SANDBOX_USERNAME,
                               private_key=private, login_url=sandbox.url, url=None, token=None)
    assert connector.check().ok

    other_private, _ = _rsa_pair()
    wrong = make_connector(sandbox, auth="jwt", client_id=SANDBOX_CLIENT_ID, username=SANDBOX_USERNAME,
                           private_key=other_private, login_url=sandbox.url, url=None, token=None)
    result = wrong.check()
    assert not result.ok
    assert "invalid_grant" in result.problems[0]


def test_a_refused_grant_is_an_auth_error_without_the_secret(sandbox: SalesforceSandbox,
                                                             make_connector: Any) -> None:
    connector = make_connector(sandbox, oauth=True, client_secret="wrong-secret-value")

    with pytest.raises(AuthError, match="invalid_client") as exc:
        connector.discover()
    assert "wrong-secret-value" not in str(exc.value)
    assert "wrong-secret-value" not in scrub("client_secret=wrong-secret-value")


def test_discover_describes_streams_with_keys_and_cursor(sandbox: SalesforceSandbox, make_connector: Any) -> None:
    streams = {s.name: s for s in make_connector(sandbox).discover()}

    assert set(streams) == {"Contact", "Account", "Lead"}
    contact = streams["Contact"]
    assert (contact.primary_key, contact.cursor_field, contact.key_field) == ("Id", "SystemModstamp", "Crmhub_Id__c")
    assert contact.fields["LastName"].required
    assert contact.fields["LastName"].max_length == 80
    assert contact.fields["LeadSource"].type is FieldType.ENUM
    assert "Web" in contact.fields["LeadSource"].choices
    assert contact.fields["Birthdate"].type is FieldType.DATE
    assert contact.fields["SystemModstamp"].read_only


def test_check_reports_a_missing_key_field(sandbox: SalesforceSandbox, make_connector: Any) -> None:
    result = make_connector(sandbox, key_fields={"Account": "Website"}).check()

    assert not result.ok
    assert result.problems == ["Account: Account.Website is not an external-id field in Salesforce; create it (Text, "
                               "External ID, Unique) or set key_field"]
    assert result.details["api_usage"].endswith("/10000000")


def test_plugin_registers_connector_and_sandbox() -> None:
    from crmhub_salesforce import plugin

    from hub.connectors.api import ConnectorRegistry
    from hub.sandbox import SandboxRegistry

    connectors, sandboxes = ConnectorRegistry(), SandboxRegistry()
    plugin.hub_register_connectors(connectors)
    plugin.hub_register_sandboxes(sandboxes)

    assert connectors.get("salesforce") is SalesforceConnector
    assert sandboxes.names() == ["salesforce"]
    assert SalesforceConnector.default_mapping == "salesforce"


class _Kv:
    """The engine's per-connection key-value store, in memory."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value


def test_an_oauth_session_is_kept_for_the_next_run_and_renewed_when_it_expires(sandbox: SalesforceSandbox,
                                                                             tmp_path: Any) -> None:
    from crmhub_salesforce.testkit import connector_config

    from hub.connectors.api import ConnectorContext
    from hub.records import WriteRequest

    kv = _Kv()

    def run() -> None:
        with SalesforceConnector(connector_config(sandbox, oauth=True), ConnectorContext("sf", tmp_path, kv=kv)) as c:
            assert c.write("Contact", [WriteRequest("kv-1", {"LastName": "Kalıcı"})])[0].outcome.value != "failed"

    run()
    run()
    assert sandbox.org.sessions.granted == 1  # the second run reused the kept session
    sandbox.org.sessions.expire_all()
    run()
    assert sandbox.org.sessions.granted == 2
    assert SANDBOX_CLIENT_SECRET not in str(kv.values)
