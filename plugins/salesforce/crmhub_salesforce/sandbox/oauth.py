"""``POST /services/oauth2/token``: the JWT bearer, client-credentials and username-password flows.

Answers and errors follow Salesforce's OAuth endpoint: ``{access_token, instance_url, id, token_type,
issued_at, signature}`` on success, HTTP 400 ``{"error", "error_description"}`` otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import jwt

from crmhub_salesforce.sandbox.wire import Request, Response

if TYPE_CHECKING:
    from crmhub_salesforce.sandbox.app import Org

ORG_ID = "00D5g00000ABCDEFGH"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


class Sessions:
    """Session ids the sandbox issued, with when; they expire after the configured lifetime."""

    def __init__(self) -> None:
        self._issued: dict[str, float] = {}
        self._lock = threading.Lock()
        self.granted = 0
        """Sessions handed out by the token endpoint (not counting ones tests ask for directly)."""

    def issue(self) -> str:
        token = f"{ORG_ID[:15]}!{secrets.token_urlsafe(48)}"
        with self._lock:
            self._issued[token] = time.monotonic()
        return token

    def valid(self, token: str, lifetime: float | None) -> bool:
        with self._lock:
            issued = self._issued.get(token)
        if issued is None:
            return False
        return lifetime is None or time.monotonic() - issued < lifetime

    def expire_all(self) -> None:
        """Test helper: every session issued so far becomes invalid, as after a logout or timeout."""
        with self._lock:
            self._issued.clear()


def _error(code: str, description: str, status: int = 400) -> Response:
    return Response(status, {"error": code, "error_description": description})


def token(org: Org, req: Request) -> Response:
    """Issue a session for a valid grant."""
    if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _error("invalid_request", "must use application/x-www-form-urlencoded")
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    basic = req.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        form.setdefault("client_id", client_id)
        form.setdefault("client_secret", client_secret)
    grant = form.get("grant_type")
    settings = org.settings
    if grant == JWT_GRANT:
        problem = _check_assertion(org, form.get("assertion", ""))
        if problem:
            return _error("invalid_grant", problem)
    elif grant in ("client_credentials", "password"):
        if form.get("client_id") != settings.client_id:
            return _error("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(form.get("client_secret", ""), settings.client_secret):
            return _error("invalid_client", "invalid client credentials")
        if grant == "password":
            expected = settings.password + settings.security_token
            if form.get("username") != settings.username or \
                    not hmac.compare_digest(form.get("password", ""), expected):
                return _error("invalid_grant", "authentication failure")
    else:
        return _error("unsupported_grant_type", "grant type not supported")
    return Response(200, _grant(org))


def _check_assertion(org: Org, assertion: str) -> str | None:
    key = org.settings.jwt_public_key
    if not key:
        return "invalid assertion"
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion, key, algorithms=["RS256"], audience=[*JWT_AUDIENCES, org.base_url],
            options={"require": ["iss", "sub", "aud", "exp"]})
    except jwt.ExpiredSignatureError:
        return "expired authorization code"
    except jwt.PyJWTError:
        return "invalid assertion"
    if claims["iss"] != org.settings.client_id:
        return "invalid client identifier"  # Salesforce: client_id in iss must be the connected app's
    if claims["sub"] != org.settings.username:
        return "user hasn't approved this consumer"
    if claims["exp"] - time.time() > 300:
        return "invalid assertion"  # Salesforce accepts an exp at most a few minutes ahead
    return None


def _grant(org: Org) -> dict[str, Any]:
    access = org.sessions.issue()
    org.sessions.granted += 1
    issued_at = str(int(time.time() * 1000))
    identity = f"{org.base_url}/id/{ORG_ID}/0055g00000SbXAPAA3"
    signature = base64.b64encode(hmac.new(org.settings.client_secret.encode(), (identity + issued_at).encode(),
                                          hashlib.sha256).digest()).decode()
    return {"access_token": access, "instance_url": org.base_url, "id": identity, "token_type": "Bearer",
            "issued_at": issued_at, "signature": signature, "scope": "api"}
