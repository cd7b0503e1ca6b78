"""Zoho's error bodies, as the v8 API sends them: ``{"code", "details", "message", "status": "error"}``.

Codes and messages follow Zoho's v8 documentation of status codes, per-record results and
pagination (``TOO_MANY_REQUESTS``, ``DISCRETE_PAGINATION_LIMIT_EXCEEDED``, ``EXPIRED_VALUE``…).
"""

from __future__ import annotations

from typing import Any


class ZohoError(Exception):
    """An error response: HTTP status plus Zoho's JSON body. Raised by handlers, rendered by the server."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.body = error_body(code, message, details)
        self.headers = headers or {}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "details": details or {}, "message": message, "status": "error"}


def authentication_failure() -> ZohoError:
    return ZohoError(401, "AUTHENTICATION_FAILURE", "Authentication failed")


def invalid_token() -> ZohoError:
    return ZohoError(401, "INVALID_TOKEN", "invalid oauth token")


def invalid_url() -> ZohoError:
    return ZohoError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")


def invalid_method() -> ZohoError:
    return ZohoError(405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")


def invalid_module(name: str) -> ZohoError:
    return ZohoError(400, "INVALID_MODULE", "The module name given seems to be invalid", {"api_name": name})


def param_missing(param: str) -> ZohoError:
    return ZohoError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"param_name": param})


def invalid_param(param: str, **extra: Any) -> ZohoError:
    return ZohoError(400, "INVALID_DATA", "invalid data", {"param_name": param, **extra})


def invalid_body() -> ZohoError:
    return ZohoError(400, "INVALID_DATA", "body", {"expected_data_type": "jsonobject", "api_name": "data",
                                                    "json_path": "$"})


def too_many_records(limit: int) -> ZohoError:
    return ZohoError(400, "LIMIT_EXCEEDED", "Record count exceeded", {"limit": limit})


def discrete_pagination_limit(limit: int) -> ZohoError:
    return ZohoError(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                     "You can only get the first 2000 records without using page_token param.", {"limit": limit})


def page_token_expired() -> ZohoError:
    return ZohoError(400, "EXPIRED_VALUE", "The value provided has expired.", {"param_name": "page_token"})


def too_many_requests(reason: str, retry_after: int | None = None) -> ZohoError:
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return ZohoError(429, "TOO_MANY_REQUESTS", "too many requests", {"reason": reason}, headers)


def internal_error() -> ZohoError:
    return ZohoError(500, "INTERNAL_ERROR", "Internal server error occurred.")


# Per-record results ---------------------------------------------------------------------------------
def record_invalid(api_name: str, index: int, **extra: Any) -> dict[str, Any]:
    return error_body("INVALID_DATA", "invalid data",
                      {"api_name": api_name, "json_path": f"$.data[{index}].{api_name}", **extra})


def record_mandatory(api_name: str, index: int) -> dict[str, Any]:
    return error_body("MANDATORY_NOT_FOUND", "required field not found",
                      {"api_name": api_name, "json_path": f"$.data[{index}].{api_name}"})


def record_duplicate(api_name: str, index: int, module: dict[str, str], existing_id: str,
                     owner: dict[str, str]) -> dict[str, Any]:
    return error_body("DUPLICATE_DATA", "duplicate data", {
        "api_name": api_name, "json_path": f"$.data[{index}].{api_name}",
        "duplicate_record": {"id": existing_id, "module": module, "Owner": owner},
    })


def record_id_invalid(record_id: str) -> dict[str, Any]:
    return error_body("INVALID_DATA", "the id given seems to be invalid", {"id": record_id})
