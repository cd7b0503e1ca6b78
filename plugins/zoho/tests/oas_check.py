"""Validate sandbox responses against the schemas derived from Zoho's v8 OpenAPI files.

Two readings of Zoho's schemas are needed, and both are stricter than a plain reading, not looser:

* ``oneOf`` is checked as ``anyOf``: Zoho's alternatives (a records wrapper or an ``API_Exception``)
  declare no required properties, so every body matches both and a literal ``oneOf`` rejects all of them.
  The branch a body must match is then pinned by :func:`validate` (errors against the exception schema).
* Objects that list ``properties`` without saying otherwise refuse undeclared keys, so a misspelt key
  in a sandbox body fails (``Record`` declares ``additionalProperties: true`` and keeps it).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

SCHEMAS = Path(__file__).parent / "oas" / "zoho_crm_v8_responses.json"


def _tighten(node: Any) -> Any:
    if isinstance(node, list):
        return [_tighten(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _tighten(v) for k, v in node.items()}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@cache
def schema(operation: str) -> dict[str, Any]:
    data = json.loads(SCHEMAS.read_text(encoding="utf-8"))
    return _tighten(data["operations"][operation]["schema"])  # type: ignore[no-any-return]


def problems(operation: str, body: Any) -> list[str]:
    """Every way ``body`` breaks the schema of ``operation`` (empty when it conforms)."""
    validator = OAS30Validator(schema(operation))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def validate(operation: str, body: Any) -> None:
    """Assert that ``body`` conforms; error bodies also conform to Zoho's generic ``API_Exception``."""
    found = problems(operation, body)
    if isinstance(body, dict) and body.get("status") == "error":
        found += problems("api_exception", body)
    assert not found, f"{operation}: " + "; ".join(found[:10])
