"""Requests and responses as the sandbox's resources see them, independent of the HTTP server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from crmhub_salesforce.sandbox.errors import ApiFault, json_parser_error

JSON_TYPE = "application/json;charset=UTF-8"
CSV_TYPE = "text/csv"


@dataclass(slots=True)
class Request:
    """One HTTP request: method, path (no query), query parameters, headers (lower-case names), body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    version: str = ""
    """The API version in the path (``59.0``), once routed."""

    @classmethod
    def parse(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        path, _, raw_query = target.partition("?")
        return cls(method, path, parse_qs(raw_query, keep_blank_values=True),
                   {k.lower(): v for k, v in headers.items()}, body)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The JSON body; malformed JSON is refused as Salesforce's parser does."""
        if not self.body:
            raise json_parser_error("The request body is empty")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise json_parser_error(f"Unexpected character: was expecting a JSON value at [line:1, column:"
                                    f"{getattr(exc, 'colno', 1)}]") from None

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise json_parser_error("Cannot deserialize instance of object from START_ARRAY value [line:1, "
                                    "column:1]")
        return body

    def require_content_type(self, prefix: str) -> None:
        content_type = self.headers.get("content-type", "")
        if not content_type.lower().startswith(prefix):
            raise ApiFault(415, "UNSUPPORTED_MEDIA_TYPE",
                           f"Content type '{content_type or 'none'}' is not supported here; expected {prefix}")


@dataclass(slots=True)
class Response:
    """What to send back: a status, a JSON-able body or raw bytes, extra headers."""

    status: int
    body: Any = None
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    """Close the connection without sending anything (fault injection after commit)."""

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def fault_response(fault: ApiFault) -> Response:
    return Response(fault.status, fault.payload(), headers=dict(fault.headers))
