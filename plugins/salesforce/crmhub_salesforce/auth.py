"""Obtaining a Salesforce session: a given token, or an OAuth 2.0 grant from the token endpoint.

simple-salesforce's own logins are hard-wired to salesforce.com hosts and SOAP, so the connector asks
``{login_url}/services/oauth2/token`` itself (JWT bearer, client credentials, username-password)
through the same ``requests.Session`` (same TLS trust), then hands simple-salesforce the
``instance_url`` and ``session_id``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.netpolicy import check_resolved, url_problem
from hub.errors import AuthError, ConfigError, RetriableError, register_secret

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME = 180  # seconds; Salesforce wants exp within a few minutes


@dataclass(frozen=True, slots=True)
class Grant:
    """A session: the access token and the instance it is valid on."""

    access_token: str
    instance_url: str


class TokenSource:
    """Where sessions come from for one connection."""

    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self.flow = config.flow or "token"

    @property
    def refreshable(self) -> bool:
        """A given token cannot be renewed; an OAuth grant can be asked for again."""
        return self.flow != "token"

    def obtain(self, session: requests.Session) -> Grant:
        """A fresh session (for ``token``: the configured one)."""
        config = self.config
        if self.flow == "token":
            assert config.token is not None
            assert config.url is not None
            token = config.token.get_secret_value()
            register_secret(token)
            return Grant(token, config.url.rstrip("/"))
        check_resolved(config.login_url, sandbox=config.sandbox)
        answer = self._post(session, self._form())
        token = str(answer.get("access_token") or "")
        instance = str(config.url or answer.get("instance_url") or "").rstrip("/")
        if not token or not instance:
            raise AuthError("the Salesforce token endpoint answered without access_token or instance_url")
        register_secret(token)
        problem = url_problem("instance_url", instance, sandbox=config.sandbox)
        if problem:
            raise AuthError(f"the token endpoint returned an unacceptable instance: {problem}")
        return Grant(token, instance)

    def _form(self) -> dict[str, str]:
        config = self.config
        client_id = config.client_id or ""
        if self.flow == "jwt":
            return {"grant_type": JWT_GRANT, "assertion": self._assertion(client_id)}
        form = {"grant_type": self.flow, "client_id": client_id, "client_secret": _secret(config.client_secret)}
        if self.flow == "password":
            # Salesforce expects the security token appended to the password.
            form["username"] = config.username or ""
            form["password"] = _secret(config.password) + _secret(config.security_token)
        return form

    def _assertion(self, client_id: str) -> str:
        import jwt

        config = self.config
        if config.private_key is not None:
            key = config.private_key.get_secret_value()
        else:
            assert config.private_key_file is not None
            try:
                key = config.private_key_file.read_text()
            except OSError as exc:
                raise ConfigError(f"private_key_file: cannot read {config.private_key_file}: {exc.strerror}") from None
        claims = {"iss": client_id, "sub": config.username, "aud": config.jwt_audience or config.login_url,
                  "exp": int(time.time()) + JWT_LIFETIME}
        try:
            return jwt.encode(claims, key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError):
            raise ConfigError("private_key: not a usable RSA private key (PEM)") from None

    def _post(self, session: requests.Session, form: dict[str, str]) -> dict[str, Any]:
        url = self.config.login_url.rstrip("/") + "/services/oauth2/token"
        try:
            response = session.post(url, data=form, timeout=self.config.timeout,
                                    headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise RetriableError(f"Salesforce token endpoint unreachable ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise RetriableError(f"Salesforce token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200:
            error = body.get("error", f"HTTP {response.status_code}") if isinstance(body, dict) else "error"
            description = body.get("error_description", "") if isinstance(body, dict) else ""
            raise AuthError(f"Salesforce refused the {self.flow} grant: {error}: {description}".rstrip(": "))
        if not isinstance(body, dict):
            raise AuthError("the Salesforce token endpoint answered with an unexpected body")
        return body


def _secret(value: Any) -> str:
    if value is None:
        return ""
    secret: str = value.get_secret_value()
    register_secret(secret)
    return secret
