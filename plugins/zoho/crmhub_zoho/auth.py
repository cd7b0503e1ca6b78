"""OAuth for Zoho's SDK: its token store kept in crmhub's encrypted key-value store, not in a loose file.

The SDK asks its ``TokenStore`` for a token before every call and saves one after each refresh. Here
that store is the connection's ``ConnectorContext.kv`` (encrypted in the state store); outside a run
(no ``kv``) tokens live in memory only. Every token value is registered with :func:`register_secret`.
"""

from __future__ import annotations

import json
from typing import Any

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken  # type: ignore[import-untyped]
from zohocrmsdk.src.com.zoho.api.authenticator.store.token_store import TokenStore  # type: ignore[import-untyped]
from zohocrmsdk.src.com.zoho.crm.api.user_signature import UserSignature  # type: ignore[import-untyped]

from crmhub_zoho.config import ZohoConfig
from hub.errors import register_secret

KV_KEY = "zoho.oauth"
_FIELDS = ("access_token", "refresh_token", "expires_in", "api_domain")


class KvTokenStore(TokenStore):  # type: ignore[misc]
    """The SDK's token store over a ``get/set/delete`` key-value object (or a dict in memory)."""

    def __init__(self, kv: Any) -> None:
        self._kv = kv
        self._memory: dict[str, str] = {}
        self._last: str | None = None

    def _get(self) -> dict[str, Any] | None:
        raw = self._kv.get(KV_KEY) if self._kv is not None else self._memory.get(KV_KEY)
        return json.loads(raw) if raw else None

    def _set(self, value: dict[str, Any]) -> None:
        raw = json.dumps(value, sort_keys=True)
        if raw == self._last:
            return  # the SDK saves on every call with a bare access token; write only what changed
        self._last = raw
        if self._kv is not None:
            self._kv.set(KV_KEY, raw)
        else:
            self._memory[KV_KEY] = raw

    def find_token(self, token: Any) -> Any:
        stored = self._get()
        if stored is None or not isinstance(token, OAuthToken):
            return None
        if token.get_refresh_token() and stored.get("refresh_token") not in (None, token.get_refresh_token()):
            return None  # a different grant: do not mix its access token in
        if token.get_access_token() is None and stored.get("access_token"):
            register_secret(stored["access_token"])
            token.set_access_token(stored["access_token"])
            token.set_expires_in(stored.get("expires_in"))
        return token

    def find_token_by_id(self, id: Any) -> Any:
        return None

    def save_token(self, token: Any) -> None:
        if isinstance(token, OAuthToken):
            register_secret(token.get_access_token())
            self._set({name: getattr(token, f"get_{name}")() for name in _FIELDS})

    def delete_token(self, id: Any) -> None:
        self.delete_tokens()

    def get_tokens(self) -> list[Any]:
        return []

    def delete_tokens(self) -> None:
        self._last = None
        if self._kv is not None:
            self._kv.delete(KV_KEY)
        else:
            self._memory.pop(KV_KEY, None)

    def forget_access_token(self) -> None:
        """Drop the stored access token so that the next call refreshes it."""
        stored = self._get()
        if stored:
            stored["access_token"] = None
            stored["expires_in"] = None
            self._last = None
            self._set(stored)


def make_token(config: ZohoConfig, connection: str) -> OAuthToken:
    """The SDK token for ``config``: a refresh-token grant, or a ready access token."""
    if config.refresh_token is not None and config.client_id is not None and config.client_secret is not None:
        for secret in (config.client_secret, config.refresh_token):
            register_secret(secret.get_secret_value())
        return OAuthToken(
            client_id=config.client_id.get_secret_value(),
            client_secret=config.client_secret.get_secret_value(),
            refresh_token=config.refresh_token.get_secret_value(),
            # a stable name keys the SDK's field-metadata cache file; find_user=False skips a users call
            user_signature=UserSignature(f"crmhub-{connection}"),
            find_user=False,
        )
    assert config.token is not None  # ZohoConfig guarantees one way to authenticate
    register_secret(config.token.get_secret_value())
    return OAuthToken(access_token=config.token.get_secret_value(), find_user=False)


def reset_access_token(token: OAuthToken) -> None:
    """Forget the in-memory access token so the SDK refreshes it on its next call."""
    token.set_access_token(None)
    token.set_expires_in(None)
