"""The HubSpot connection's settings, validated once when the configuration is loaded."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

from hub.connectors.api import ConnectorConfig

Tier = Literal["free", "starter", "pro", "professional", "enterprise", "unlimited"]

# Requests per rolling ten seconds and per day by HubSpot subscription tier (private apps).
TIER_LIMITS: dict[str, tuple[int | None, int | None]] = {
    "free": (100, 250_000),
    "starter": (100, 250_000),
    "pro": (190, 625_000),
    "professional": (190, 625_000),
    "enterprise": (190, 1_000_000),
    "unlimited": (None, None),
}


class HubSpotConfig(ConnectorConfig):
    """How to reach one HubSpot account (portal) and how hard to drive it.

    Authentication is either a private-app ``token`` or OAuth (``oauth_client_id``, ``oauth_client_secret``,
    ``oauth_refresh_token``), whose 30-minute access tokens are refreshed ahead of expiry.
    """

    url: str = Field("https://api.hubapi.com", description="API base URL; a sandbox prints its own")
    token: SecretStr | None = Field(None, description="private-app access token (pat-…)")
    oauth_client_id: str | None = None
    oauth_client_secret: SecretStr | None = None
    oauth_refresh_token: SecretStr | None = None
    ca_file: str | None = Field(None, description="PEM bundle to trust instead of the system's (sandbox CA)")
    allow_insecure_sandbox: bool = Field(
        False, description="accept http:// and loopback/private hosts; only for a local sandbox")
    account_id: str | None = Field(
        None, description="portal id; connections with the same id share one rate limiter (default: per token)")
    tier: Tier = Field("starter", description="subscription tier: sets the request limits below")
    requests_per_10s: int | None = Field(None, ge=1, description="override the tier's ten-second limit")
    search_per_second: int | None = Field(
        None, ge=1, description="search requests per second (HubSpot: 5; none for the unlimited tier)")
    daily_limit: int | None = Field(None, ge=1, description="override the tier's daily limit")
    daily_reserve: int = Field(1000, ge=0, description="stop (resumably) when this few daily calls remain")
    key_property: str = Field("crmhub_id", description="unique property holding the hub id on every object")
    contact_id_property: str = Field("email", description="idProperty used to upsert contacts")
    create_key_property: bool = Field(True, description="create key_property when the portal lacks it")
    properties: dict[str, list[str]] = Field(
        default_factory=dict, description="per stream, the properties to read (default: all)")
    overlap_s: float = Field(60.0, ge=0, description="re-read this much before the cursor (search index lag)")
    skip_lookups_when_empty: bool = Field(
        True, description="first loads: no lookup requests while the portal held none of crmhub's records")
    page_size: int = Field(100, ge=1, le=100, description="records per list page (HubSpot's maximum: 100)")
    max_url_length: int = Field(6000, ge=512, description="longest GET URL sent; wider property lists move to POST")
    subscription_statuses: bool = Field(True, description="read and write contacts' e-mail subscription status "
                                                          "(Communication Preferences API v3)")
    consent_subscription: str | None = Field(None, description="subscription type (id or name) followed for "
                                                               "e-mail consent; default: the first Marketing type")
    timeout_s: float = Field(30.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> HubSpotConfig:
        oauth = (self.oauth_client_id, self.oauth_client_secret, self.oauth_refresh_token)
        if self.token is None and not all(oauth):
            raise ValueError("set either token (private app) or oauth_client_id, oauth_client_secret and "
                             "oauth_refresh_token")
        if self.token is not None and any(oauth):
            raise ValueError("set token or the oauth_* keys, not both")
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"url must be an https:// URL, got {self.url!r}")
        if not self.allow_insecure_sandbox:
            if parts.scheme != "https":
                raise ValueError("url must use https (set allow_insecure_sandbox: true for a local sandbox)")
            if _is_internal(parts.hostname):
                raise ValueError("url points to a loopback or private address "
                                 "(set allow_insecure_sandbox: true for a local sandbox)")
        return self

    @property
    def oauth(self) -> bool:
        return self.token is None

    def limits(self) -> tuple[int | None, int | None, int | None]:
        """(requests per ten seconds, search requests per second, requests per day) after overrides."""
        per_10s, daily = TIER_LIMITS[self.tier]
        search = self.search_per_second or (None if self.tier == "unlimited" else 5)
        return self.requests_per_10s or per_10s, search, self.daily_limit or daily


def _is_internal(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified
