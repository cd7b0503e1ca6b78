"""Salesforce's error shapes, as the sandbox returns them.

REST errors are a JSON list of ``{"message", "errorCode"}`` (plus ``fields`` for record errors);
record-level results carry ``{"statusCode", "message", "fields"}`` inside ``errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordError:
    """One problem with one record, as a save result lists it."""

    code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_result_error(self) -> dict[str, Any]:
        """The ``errors[]`` entry of a save result."""
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields)}

    def as_rest_error(self) -> dict[str, Any]:
        """The body entry of a failed single-record REST call."""
        return {"message": self.message, "errorCode": self.code, "fields": list(self.fields)}

    def as_bulk_error(self) -> str:
        """The ``sf__Error`` cell of a Bulk API 2.0 failed-results row."""
        return f"{self.code}:{self.message}:{','.join(self.fields)} --"


@dataclass(slots=True)
class ApiFault(Exception):
    """Stop handling the request and answer with this status and Salesforce error body."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    def payload(self) -> Any:
        """The JSON body of the response."""
        if self.body is not None:
            return self.body
        return [{"message": self.message, "errorCode": self.code}]


def not_found() -> ApiFault:
    return ApiFault(404, "NOT_FOUND", "The requested resource does not exist")


def malformed(message: str) -> ApiFault:
    return ApiFault(400, "MALFORMED_QUERY", message)


def json_parser_error(message: str) -> ApiFault:
    return ApiFault(400, "JSON_PARSER_ERROR", message)


def invalid_field(message: str) -> ApiFault:
    return ApiFault(400, "INVALID_FIELD", message)
