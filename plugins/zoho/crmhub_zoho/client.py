"""Calls to Zoho CRM through its SDK, one connection at a time, with errors classified for the engine.

The SDK keeps its configuration in a process-global ``Initializer`` (a thread-local override is what
its ``switch_user`` uses) and caches field metadata in class-level state. A connection therefore
builds its own ``Initializer`` and installs it, with its HTTP session, only for the duration of each
call, under one process-wide lock: several Zoho connections (orgs, data centres) can run in one
process without seeing each other's tokens or metadata.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from crmhub_zoho import transport
from crmhub_zoho.auth import KvTokenStore, make_token, reset_access_token
from crmhub_zoho.config import ZohoConfig
from crmhub_zoho.credits import CreditMeter
from hub.errors import AuthError, CrmhubError, FatalError, QuotaExhaustedError, RetriableError, SchemaError, scrub

_SDK_LOCK = threading.RLock()


class ZohoApiError(CrmhubError):
    """A whole-request error from Zoho that is none of auth, limits or transient: a bug or a bad request."""


class ZohoClient:
    """One connection's SDK environment and the few operations the connector needs."""

    def __init__(self, config: ZohoConfig, connection: str, work_dir: Path, kv: Any) -> None:
        from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter  # type: ignore[import-untyped]
        from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer  # type: ignore[import-untyped]
        from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig  # type: ignore[import-untyped]
        from zohocrmsdk.src.com.zoho.crm.api.util.constants import Constants  # type: ignore[import-untyped]

        transport.install()
        self.config = config
        self.connection = connection
        self.session = transport.ScopedSession(config.connect_timeout, config.read_timeout, config.ca_file)
        self.store = KvTokenStore(kv)
        self.token = make_token(config, connection)
        self.credits = CreditMeter(config, kv)
        resources = work_dir / ".crmhub" / "zoho-sdk" / connection
        resources.mkdir(parents=True, exist_ok=True)
        with _SDK_LOCK:
            if not Initializer.json_details:
                details = os.path.join(os.path.dirname(_initializer_file()),
                                       "..", "..", "..", "..", Constants.JSON_DETAILS_FILE_PATH)
                with open(details, encoding="utf-8") as handle:
                    Initializer.json_details = json.load(handle)
        init = Initializer()
        init.environment = DataCenter.Environment(config.api_domain, config.token_url, config.api_domain)
        init.store = self.store
        init.sdk_config = SDKConfig(auto_refresh_fields=False, pick_list_validation=False,
                                    read_timeout=config.read_timeout, connect_timeout=config.connect_timeout,
                                    update_api_domain=False)
        init.resource_path = str(resources)
        init.request_proxy = None
        init.token = self.token
        self._initializer = init

    def close(self) -> None:
        self.session.close()

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Make this connection the SDK's current one for the calls inside."""
        from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer

        with _SDK_LOCK:
            previous = getattr(Initializer.LOCAL, "init", None)
            Initializer.LOCAL.init = self._initializer
            if Initializer.initializer is None:
                Initializer.initializer = self._initializer  # some SDK paths read the global directly
            active = transport.activate(self.session)
            try:
                yield
            finally:
                transport.deactivate(active)
                Initializer.LOCAL.init = previous

    # Calls ------------------------------------------------------------------------------------------
    def call(self, what: str, fn: Any, cost: int = 1) -> tuple[int, dict[str, Any] | None, Any]:
        """Run one SDK call; return ``(status, raw JSON body, SDK object)`` or raise a classified error."""
        from zohocrmsdk.src.com.zoho.crm.api.exception.sdk_exception import SDKException  # type: ignore[import-untyped]

        self.credits.spend(cost, what)
        with self.scope():
            try:
                response = fn()
            except SDKException as exc:
                raise self._sdk_error(what, exc) from None
            except requests.Timeout as exc:
                raise RetriableError(f"Zoho {what}: timed out", detail=str(exc)) from None
            except requests.ConnectionError as exc:
                raise RetriableError(f"Zoho {what}: connection failed", detail=scrub(str(exc))) from None
        if response is None:
            raise RetriableError(f"Zoho {what}: the SDK could not read the response")
        status = int(response.get_status_code())
        body = response.get_response_json() if status not in (204, 304) else None
        if status >= 400 and isinstance(body, dict) and body.get("status") == "error":
            raise self._api_error(what, status, body, response.get_headers())
        if status >= 500:
            raise RetriableError(f"Zoho {what}: HTTP {status}")
        if status not in (204, 304) and response.get_object() is None:
            raise FatalError(f"Zoho {what}: the SDK could not read Zoho's HTTP {status} response")
        return status, body if isinstance(body, dict) else None, response.get_object()

    def _sdk_error(self, what: str, exc: Any) -> CrmhubError:
        code = str(getattr(exc, "code", "") or "")
        cause = getattr(exc, "cause", None)
        if isinstance(cause, requests.Timeout | requests.ConnectionError):
            return RetriableError(f"Zoho {what}: {type(cause).__name__}", detail=scrub(str(cause)))
        details = getattr(exc, "details", None)
        if isinstance(details, dict) and "code" in details:
            # the SDK's own metadata calls wrap Zoho's answer: {"code": <HTTP status or Zoho code>, ...}
            inner, status = details.get("code"), 400
            if isinstance(inner, int):
                status, inner = inner, {401: "INVALID_TOKEN", 429: "TOO_MANY_REQUESTS"}.get(inner, "INTERNAL_ERROR"
                                                                                            if inner >= 500 else "")
            elif inner in ("INVALID_TOKEN", "AUTHENTICATION_FAILURE"):
                status = 401
            elif inner == "TOO_MANY_REQUESTS":
                status = 429
            body: dict[str, Any] = {"code": inner, "message": details.get("message"), "details": {},
                                    "status": "error"}
            if status >= 500 or inner:
                return self._api_error(what, status, body, None)
        text = scrub(f"{code} {getattr(exc, 'message', '') or ''} {details or ''}")
        if "TOKEN" in code.upper() or "invalid_code" in text or "invalid_client" in text:
            return AuthError(f"Zoho {what}: the OAuth grant was refused ({code or 'token error'})", detail=text)
        return FatalError(f"Zoho {what}: the SDK failed ({code or type(exc).__name__})", detail=text)

    def _api_error(self, what: str, status: int, body: dict[str, Any], headers: Any) -> CrmhubError:
        code = str(body.get("code"))
        found = body.get("details")
        details: dict[str, Any] = found if isinstance(found, dict) else {}
        message = f"Zoho {what}: {code} ({body.get('message')})"
        if status == 401 and code == "INVALID_TOKEN" and self.config.refresh_token is not None:
            reset_access_token(self.token)
            self.store.forget_access_token()
            return RetriableError(message + "; the access token will be refreshed", retry_after=0)
        if status in (401, 403) or code in ("AUTHENTICATION_FAILURE", "INVALID_TOKEN", "OAUTH_SCOPE_MISMATCH",
                                            "NO_PERMISSION"):
            return AuthError(message)
        if status == 429 or code == "TOO_MANY_REQUESTS":
            reason = str(details.get("reason", ""))
            if "credit" in reason.lower():
                return QuotaExhaustedError(message + f": {reason}", resume_after=self.config.credit_window_seconds)
            return RetriableError(message, retry_after=_retry_after(headers))
        if code == "INVALID_MODULE" or (code == "INVALID_DATA" and details.get("param_name") == "fields"):
            return SchemaError(message + f" {json.dumps(details, sort_keys=True)}")
        if code == "EXPIRED_VALUE":
            return RetriableError(message)
        if status >= 500 or code == "INTERNAL_ERROR":
            return RetriableError(message)
        return ZohoApiError(message, detail=json.dumps(details, sort_keys=True))


def _retry_after(headers: Any) -> float | None:
    try:
        value = dict(headers or {}).get("Retry-After")
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _initializer_file() -> str:
    from zohocrmsdk.src.com.zoho.crm.api import initializer  # type: ignore[import-untyped]

    return str(initializer.__file__)


def http_date(value: dt.datetime) -> dt.datetime:
    """A timezone-aware datetime for the SDK's ``If-Modified-Since`` header (it formats it itself)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
