"""The hubspot-api-client SDK, set up once per connection, and one ``call`` through which every request goes.

``call`` takes the account limiter's slot, sends the current access token, and turns what comes back into
either ``(status, headers, json)`` or a :mod:`hub.errors` exception classified by what the engine should do.
The SDK's own urllib3 retries are switched off (``Retry(total=0)``, no ``Retry-After`` sleeping), so retries
belong to the engine. Responses are read raw (``_preload_content=False``) and parsed with :mod:`json`: the
SDK still builds every URL, header and body, but skips its slow per-field model building on hot paths.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from crmhub_hubspot.auth import OAuthTokens, PrivateAppToken, TokenSource, refresh_failure
from crmhub_hubspot.config import HubSpotConfig
from crmhub_hubspot.limits import AccountLimiter, limiter_for
from hub.errors import AuthError, FatalError, QuotaExhaustedError, RetriableError

log = logging.getLogger("crmhub.hubspot")


@dataclass(frozen=True, slots=True)
class Response:
    """A 2xx answer: status, headers, parsed JSON body (``{}`` when empty)."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class HubSpotRequestError(Exception):
    """A 4xx answer the caller interprets (400 validation, 404, 409): status and HubSpot's error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        super().__init__(f"HubSpot answered {status} {body.get('category', '')}")


class HubSpotClient:
    """SDK sub-APIs for contacts, companies, properties, associations, communication preferences and OAuth."""

    def __init__(self, config: HubSpotConfig, kv: Any = None) -> None:
        import urllib3
        from hubspot import HubSpot  # type: ignore[import-untyped]

        self.config = config
        retry = urllib3.util.Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0,
                                   respect_retry_after_header=False, raise_on_status=False,
                                   raise_on_redirect=False)
        options: dict[str, Any] = {"host": config.url.rstrip("/"), "retry": retry}
        if config.ca_file:
            options["ssl_ca_cert"] = config.ca_file
        # The real token is set per call (it may be refreshed); the SDK needs a placeholder to build.
        self._sdk = HubSpot(access_token="unset", **options)  # noqa: S106 - placeholder, not a secret
        crm = self._sdk.crm
        self.objects = {
            "contacts": (crm.contacts.basic_api, crm.contacts.batch_api, crm.contacts.search_api),
            "companies": (crm.companies.basic_api, crm.companies.batch_api, crm.companies.search_api),
        }
        self.properties_api = crm.properties.core_api
        self.associations_batch = crm.associations.v4.batch_api
        self.associations_basic = crm.associations.v4.basic_api
        preferences = self._sdk.communication_preferences
        self.preferences_definitions = preferences.definition_api
        self.preferences_status = preferences.status_api
        self._apis = [api for trio in self.objects.values() for api in trio]
        self._apis += [self.properties_api, self.associations_batch, self.associations_basic,
                       self.preferences_definitions, self.preferences_status]
        self._api_exceptions = _api_exception_types()
        self.tokens: TokenSource = self._token_source(kv)
        per_10s, search_per_s, daily = config.limits()
        self.limiter: AccountLimiter = limiter_for(self._account_key(), per_10s, search_per_s,
                                                   daily, config.daily_reserve)
        self._sent_token: str | None = None

    def _account_key(self) -> str:
        if self.config.account_id:
            return f"{self.config.url}#{self.config.account_id}"
        secret = self.config.token or self.config.oauth_refresh_token
        assert secret is not None
        return f"{self.config.url}#{hashlib.sha256(secret.get_secret_value().encode()).hexdigest()[:16]}"

    def _token_source(self, kv: Any) -> TokenSource:
        config = self.config
        if config.token is not None:
            return PrivateAppToken(config.token.get_secret_value())
        oauth_api = self._sdk.oauth.tokens_api

        def refresh() -> tuple[str, float]:
            assert config.oauth_client_secret is not None
            assert config.oauth_refresh_token is not None
            try:
                raw = oauth_api.create(grant_type="refresh_token", client_id=config.oauth_client_id,
                                       client_secret=config.oauth_client_secret.get_secret_value(),
                                       refresh_token=config.oauth_refresh_token.get_secret_value(),
                                       _preload_content=False, _request_timeout=config.timeout_s)
            except self._api_exceptions as exc:
                raise refresh_failure(int(getattr(exc, "status", 0) or 0), _json(getattr(exc, "body", b""))) from None
            except Exception as exc:
                if _is_transport_error(exc):
                    raise RetriableError("HubSpot OAuth token endpoint unreachable", retry_after=5.0) from None
                raise
            body = _json(raw.data)
            return str(body["access_token"]), float(body.get("expires_in", 1800))

        assert config.oauth_refresh_token is not None
        fingerprint = hashlib.sha256(config.oauth_refresh_token.get_secret_value().encode()).hexdigest()[:16]
        return OAuthTokens(refresh, store=kv, fingerprint=fingerprint)

    # The one way out ---------------------------------------------------------------------------------
    def call(self, api: Any, method: str, *args: Any, search: bool = False, **kwargs: Any) -> Response:
        """Send ``api.method(*args, **kwargs)`` through the limiter; 2xx → :class:`Response`.

        Raises :class:`HubSpotRequestError` for 400/404/409 (the caller decides), and hub errors otherwise.
        """
        token = self.tokens.current()
        if token != self._sent_token:
            for sdk_api in self._apis:
                sdk_api.api_client.configuration.access_token = token
            self._sent_token = token
        slot = self.limiter.acquire(search=search)
        try:
            raw = getattr(api, method)(*args, _preload_content=False, _request_timeout=self.config.timeout_s,
                                       **kwargs)
            body = raw.data  # read the whole answer before the slot's window time starts
        except self._api_exceptions as exc:
            self.limiter.release(slot)
            raise self._classify(exc, token) from None
        except Exception as exc:
            self.limiter.release(slot)
            if _is_tls_error(exc):
                raise FatalError(f"HubSpot TLS verification failed ({self.config.url}): set ca_file to the CA "
                                 "that signed the server's certificate") from None
            if _is_transport_error(exc):
                raise RetriableError(f"HubSpot unreachable during {method}: {type(exc).__name__}",
                                     retry_after=1.0) from None
            raise
        self.limiter.release(slot)
        headers = dict(raw.headers.items())
        self.limiter.observe(headers)
        return Response(raw.status, headers, _json(body))

    def _classify(self, exc: Any, token: str) -> Exception:
        status = int(getattr(exc, "status", 0) or 0)
        headers = dict(getattr(exc, "headers", None) or {})
        body = _json(getattr(exc, "body", b""))
        if headers:
            self.limiter.observe(headers)
        category = str(body.get("category") or body.get("policyName") or "")
        if status == 429:
            policy = str(body.get("policyName", ""))
            wait = _float(headers.get("Retry-After")) or (1.0 if policy == "SECONDLY" else 10.0)
            if policy == "DAILY":
                return QuotaExhaustedError("HubSpot daily API limit reached; resume after it resets",
                                           resume_after=wait)
            self.limiter.hold(wait)
            log.warning("HubSpot rate limit %s hit; every request holds %.1fs", policy or "?", wait)
            return RetriableError(f"HubSpot rate limit reached ({policy or 'unknown policy'})", retry_after=wait)
        if status == 401:
            self.tokens.invalidate(token)
            if self.tokens.oauth:
                return RetriableError("HubSpot OAuth access token expired; refreshed for the retry", retry_after=0.0)
            return AuthError(f"HubSpot rejected the private-app token ({category or 'unauthorized'})")
        if status == 403:
            return AuthError(f"HubSpot denied access ({category or 'forbidden'}): check the app's scopes")
        if status == 414:
            return FatalError("HubSpot refused a request URL as too long (414); lower max_url_length")
        if status in (400, 404, 409, 422):
            return HubSpotRequestError(status, body)
        if status == 0:
            return FatalError(f"HubSpot TLS/connection setup failed: {getattr(exc, 'reason', '')}")
        return RetriableError(f"HubSpot server error {status} {category}".strip(), retry_after=2.0)


def _api_exception_types() -> tuple[type[Exception], ...]:
    """Every sub-package of the SDK has its own ApiException class; catch them all."""
    # The SDK ships no type information.
    import hubspot.communication_preferences as preferences  # type: ignore[import-untyped]
    import hubspot.crm.associations.v4 as associations  # type: ignore[import-untyped]
    import hubspot.crm.companies as companies  # type: ignore[import-untyped]
    import hubspot.crm.contacts as contacts  # type: ignore[import-untyped]
    import hubspot.crm.properties as properties  # type: ignore[import-untyped]
    import hubspot.oauth as oauth  # type: ignore[import-untyped]

    return tuple(m.ApiException for m in (contacts, companies, properties, associations, oauth, preferences))


def _is_tls_error(exc: Exception) -> bool:
    import urllib3

    reason = getattr(exc, "reason", None)
    return isinstance(exc, urllib3.exceptions.SSLError) or isinstance(reason, urllib3.exceptions.SSLError)


def _is_transport_error(exc: Exception) -> bool:
    import urllib3

    return isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError)


def _json(data: bytes | str | None) -> dict[str, Any]:
    if not data:
        return {}
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return {"message": "unparseable response body"}
    return parsed if isinstance(parsed, dict) else {"results": parsed}


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None

