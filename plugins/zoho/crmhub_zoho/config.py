"""Configuration of a Zoho connection: where (data centre or sandbox url), who (OAuth), and limits.

Two ways to authenticate:

* OAuth refresh token (production): ``client_id``, ``client_secret`` and ``refresh_token`` (each a
  ``${env:NAME}`` reference). Access tokens are obtained from the data centre's accounts server and
  kept, encrypted, in crmhub's state store.
* A ready access token (``token``): what ``crmhub sandbox zoho`` prints, or a Zoho self-client token.

``url`` overrides the API domain. Real Zoho is HTTPS only; ``http://`` and loopback or private
addresses are refused unless ``allow_insecure_sandbox: true`` *and* the host is loopback.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from hub.connectors.api import ConnectorConfig

DataCentre = Literal["us", "eu", "in", "au", "jp", "ca", "sa", "cn"]
Edition = Literal["free", "standard", "professional", "enterprise", "ultimate"]

# API domain and accounts (token) server of each data centre, as Zoho's SDK and multi-DC docs list them.
DATA_CENTRES: dict[str, tuple[str, str]] = {
    "us": ("https://www.zohoapis.com", "https://accounts.zoho.com"),
    "eu": ("https://www.zohoapis.eu", "https://accounts.zoho.eu"),
    "in": ("https://www.zohoapis.in", "https://accounts.zoho.in"),
    "au": ("https://www.zohoapis.com.au", "https://accounts.zoho.com.au"),
    "jp": ("https://www.zohoapis.jp", "https://accounts.zoho.jp"),
    "ca": ("https://www.zohoapis.ca", "https://accounts.zohocloud.ca"),
    "sa": ("https://www.zohoapis.sa", "https://accounts.zoho.sa"),
    "cn": ("https://www.zohoapis.com.cn", "https://accounts.zoho.com.cn"),
}
ENVIRONMENT_PREFIX = {"production": "www", "sandbox": "sandbox", "developer": "developer"}
EDITION_CREDITS = {"free": 5000, "standard": 50000, "professional": 50000, "enterprise": 50000, "ultimate": 50000}
EDITION_CONCURRENCY = {"free": 5, "standard": 10, "professional": 15, "enterprise": 20, "ultimate": 25}


class ZohoConfig(ConnectorConfig):
    """Settings of one Zoho CRM connection."""

    url: str | None = Field(None, description="API domain; default: the data centre's (www.zohoapis.<tld>)")
    token: SecretStr | None = Field(None, description="a ready access token (sandbox or self client)")
    ca_file: Path | None = Field(None, description="CA bundle that signed the server's certificate")
    data_centre: DataCentre = "us"
    environment: Literal["production", "sandbox", "developer"] = "production"
    accounts_url: str | None = Field(None, description="token endpoint override (default: the data centre's)")
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    allow_insecure_sandbox: bool = Field(False, description="allow http:// to a loopback sandbox")
    modules: list[str] = Field(default_factory=lambda: ["Contacts", "Accounts", "Leads"])
    key_field: str = Field("Crmhub_Id", description="unique field holding the hub id (upsert duplicate check)")
    page_size: int = Field(200, ge=1, le=200)
    write_batch: int = Field(100, ge=1, le=100)
    overlap_seconds: int = Field(300, ge=0, description="re-read window behind the cursor for late commits")
    detect_unchanged: bool = Field(True, description="look records up before writing to report unchanged ones")
    edition: Edition | None = None
    credit_budget: int | None = Field(None, ge=1, description="API credits this connection may spend per 24 h")
    credit_window_seconds: float = Field(86400.0, gt=0)
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(60.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> ZohoConfig:
        refresh = (self.client_id, self.client_secret, self.refresh_token)
        if self.token is None and not all(refresh):
            raise ValueError("give either token, or client_id, client_secret and refresh_token")
        if any(refresh) and not all(refresh):
            raise ValueError("client_id, client_secret and refresh_token go together")
        for name in ("url", "accounts_url"):
            value = getattr(self, name)
            if value is not None:
                _check_url(name, value, self.allow_insecure_sandbox)
        return self

    @property
    def api_domain(self) -> str:
        if self.url:
            return self.url.rstrip("/")
        domain, _ = DATA_CENTRES[self.data_centre]
        return domain.replace("://www.", f"://{ENVIRONMENT_PREFIX[self.environment]}.")

    @property
    def token_url(self) -> str:
        if self.accounts_url:
            return self.accounts_url.rstrip("/") + ("" if self.accounts_url.endswith("/token") else "/oauth/v2/token")
        if self.url:
            return self.api_domain + "/oauth/v2/token"
        return DATA_CENTRES[self.data_centre][1] + "/oauth/v2/token"

    @property
    def daily_credits(self) -> int | None:
        if self.credit_budget is not None:
            return self.credit_budget
        return None


def _check_url(name: str, value: str, allow_insecure: bool) -> None:
    parts = urllib.parse.urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"{name} must be an http(s) URL")
    local = _is_local(host)
    if allow_insecure:
        if not local:
            raise ValueError(f"{name}: allow_insecure_sandbox only allows a loopback host, not {host}")
        return
    if parts.scheme != "https":
        raise ValueError(f"{name} must use https (set allow_insecure_sandbox: true for a local sandbox)")
    if local or _is_private(host):
        raise ValueError(f"{name}: {host} is a loopback or private address (set allow_insecure_sandbox for a sandbox)")


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_link_local or address.is_reserved
