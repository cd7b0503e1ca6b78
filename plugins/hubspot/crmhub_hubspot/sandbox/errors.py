"""HubSpot's error bodies, built the way the CRM v3 API returns them.

A whole request that fails answers ``{"status": "error", "message", "correlationId", "category", …}``.
A property that fails validation is described as HubSpot does it: the message embeds a JSON list of
``{"isValid": false, "message", "error", "name"}`` and ``errors`` repeats each with ``code`` and ``in``.
Inside a 207 multi-status batch answer each failed input is a ``StandardError`` carrying its
``objectWriteTraceId`` in ``context`` so the client can tell which input it was.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any


def correlation_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class PropertyProblem:
    """One invalid property value of one input: HubSpot's error code (``INVALID_EMAIL``) and message."""

    name: str
    error: str
    message: str


@dataclass(slots=True)
class HttpError(Exception):
    """An error answer: an HTTP status, a body and extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_body(category: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": correlation_id(), "category": category, **extra}


def http_error(status: int, category: str, message: str, **extra: Any) -> HttpError:
    return HttpError(status, error_body(category, message, **extra))


def validation_message(problems: list[PropertyProblem]) -> str:
    listed = [{"isValid": False, "message": p.message, "error": p.error, "name": p.name} for p in problems]
    return "Property values were not valid: " + json.dumps(listed, separators=(",", ":"))


def property_error_details(problems: list[PropertyProblem]) -> list[dict[str, Any]]:
    return [
        {"message": p.message, "code": p.error, "in": p.name, "context": {"propertyName": [p.name]}}
        for p in problems
    ]


def validation_error(problems: list[PropertyProblem]) -> HttpError:
    """The 400 a single-object write (or a batch without multi-status) answers for invalid properties."""
    return http_error(400, "VALIDATION_ERROR", validation_message(problems), errors=property_error_details(problems))


def standard_error(category: str, message: str, *, trace_id: str | None = None,
                   details: list[dict[str, Any]] | None = None, status: str = "error",
                   context: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """One entry of a batch answer's ``errors`` list (the SDK's ``StandardError`` model)."""
    ctx = dict(context or {})
    if trace_id is not None:
        ctx["objectWriteTraceId"] = [trace_id]
    return {
        "status": status,
        "category": category,
        "message": message,
        "errors": details or [],
        "context": ctx,
        "links": {},
    }


def rate_limit_body(policy: str) -> dict[str, Any]:
    """The 429 body; ``policy`` is ``TEN_SECONDLY_ROLLING``, ``SECONDLY`` or ``DAILY``."""
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "groupName": "api-calls",
    }


def unauthorized(message: str, category: str = "INVALID_AUTHENTICATION") -> HttpError:
    return http_error(401, category, message)


MISSING_AUTH = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
    "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
