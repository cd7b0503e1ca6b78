"""The Salesforce connection's configuration: where, how to authenticate, and how to read and write."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from crmhub_salesforce.netpolicy import url_problem
from hub.connectors.api import ConnectorConfig

AuthFlow = Literal["token", "jwt", "client_credentials", "password"]
DEFAULT_OBJECTS = ("Contact", "Account", "Lead")
_VERSION = re.compile(r"^\d{2}\.0$")
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class SalesforceConfig(ConnectorConfig):
    """Settings of one Salesforce connection. Secrets come from ``${env:NAME}`` references.

    With ``auth: token`` the connector uses ``url`` and ``token`` as they are (what
    ``crmhub sandbox salesforce`` prints, plus ``sandbox: true``). The OAuth flows obtain a session
    from ``login_url`` and refresh it when Salesforce answers ``INVALID_SESSION_ID``.
    """

    url: str | None = Field(None, description="instance URL, e.g. https://acme.my.salesforce.com")
    token: SecretStr | None = Field(None, description="a session id / access token obtained elsewhere")
    ca_file: Path | None = Field(None, description="CA bundle to trust instead of the system's (sandbox CA)")
    sandbox: bool = Field(False, description="allow loopback/private hosts: a local sandbox")
    auth: AuthFlow | None = Field(None, description="token, jwt, client_credentials or password (inferred)")
    login_url: str = "https://login.salesforce.com"
    client_id: str | None = Field(None, description="connected app consumer key (not a secret: it is the JWT iss)")
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = None
    private_key: SecretStr | None = Field(None, description="PEM private key for the JWT bearer flow")
    private_key_file: Path | None = None
    jwt_audience: str | None = Field(None, description="aud claim; defaults to login_url")
    api_version: str = "59.0"
    objects: tuple[str, ...] = DEFAULT_OBJECTS
    key_field: str = Field("Crmhub_Id__c", description="external-id field holding the hub id")
    key_fields: dict[str, str] = Field(default_factory=dict, description="per-object key field overrides")
    bulk_threshold: int = Field(10_000, ge=1, description="records in one write at or above which Bulk API 2.0 "
                                                          "is used")
    bulk_poll_interval: float = Field(2.0, gt=0)
    bulk_timeout: float = Field(3600.0, gt=0)
    query_batch_size: int = Field(2000, ge=200, le=2000)
    overlap_seconds: float = Field(300.0, ge=0, description="re-read window behind the cursor for late commits")
    overlap_max_ids: int = Field(5000, ge=0)
    read_deleted: bool = Field(True, description="incremental reads use queryAll and yield deletions")
    api_reserve_percent: float = Field(5.0, ge=0, lt=100, description="share of the daily API allowance left "
                                                                      "untouched")
    detect_unchanged: bool = True
    prevalidate: bool = Field(True, description="check values against describe before sending")
    consent_objects: bool = Field(True, description="read and write Contact consent through Individual and "
                                                    "ContactPointTypeConsent (Data Protection and Privacy enabled)")
    consent_purpose: str = Field("Marketing", min_length=1, max_length=255,
                                 description="DataUsePurpose (by Name) of the consent rows read and written")
    timeout: float = Field(120.0, gt=0)
    proxy: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SalesforceConfig:
        problems = []
        flow = self.flow
        if flow is None:
            problems.append("auth: give token, or credentials for jwt, client_credentials or password")
        need = {"token": ("url", "token"), "jwt": ("client_id", "username"),
                "client_credentials": ("client_id", "client_secret"),
                "password": ("client_id", "client_secret", "username", "password")}.get(flow or "", ())
        problems += [f"{name}: required for auth {flow}" for name in need if getattr(self, name) is None]
        if flow == "jwt" and self.private_key is None and self.private_key_file is None:
            problems.append("private_key or private_key_file: required for auth jwt")
        for name in ("url", "login_url"):
            value = getattr(self, name)
            problem = value and url_problem(name, value, sandbox=self.sandbox)
            if problem:
                problems.append(problem)
        if not _VERSION.match(self.api_version) or float(self.api_version) < 46:
            problems.append("api_version: a version such as 59.0, at least 46.0 (sObject Collections upsert)")
        for name in (*self.objects, self.key_field, *self.key_fields, *self.key_fields.values()):
            if not _API_NAME.match(name):
                problems.append(f"{name!r}: not a Salesforce API name")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def flow(self) -> AuthFlow | None:
        """The authentication flow, explicit or inferred from the credentials given."""
        if self.auth:
            return self.auth
        if self.token is not None:
            return "token"
        if self.private_key is not None or self.private_key_file is not None:
            return "jwt"
        if self.username and self.password is not None:
            return "password"
        if self.client_id is not None and self.client_secret is not None:
            return "client_credentials"
        return None

    def key_field_of(self, obj: str) -> str:
        """The external-id field that holds the hub id on ``obj``."""
        return self.key_fields.get(obj, self.key_field)
