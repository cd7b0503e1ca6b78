"""Finding records by hub id: by Zoho id when the identity map knows it, else by search on the key field.

``GET /crm/v8/{module}?ids=…`` fetches up to 100 known records in one call; unknown ones are searched
ten at a time (Zoho's limit of conditions per criteria) with ``(Key:equals:…)or(…)``. Zoho's search
index can lag just-created records by a moment: such a record is then written again (an upsert by
key, so never a duplicate) and reported as updated rather than unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmhub_zoho import operations as ops
from crmhub_zoho.client import ZohoClient
from crmhub_zoho.fields import flatten_record

SEARCH_CONDITIONS = 10
IDS_PER_CALL = 100


def criteria_value(value: str) -> str:
    """Escape a value for a search criteria condition."""
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace(",", "\\,")


def lookup_by_keys(client: ZohoClient, module: str, key_field: str, names: list[str], keys: Sequence[str],
                   target_ids: dict[str, str | None]) -> dict[str, dict[str, Any]]:
    """``{key: flat record}`` for the keys Zoho holds."""
    wanted = set(keys)
    found: dict[str, dict[str, Any]] = {}
    known = [target_ids[k] for k in keys if target_ids.get(k)]
    fields = list(dict.fromkeys([*names, key_field]))
    for start in range(0, len(known), IDS_PER_CALL):
        page = ops.records_page(client, module, fields, per_page=IDS_PER_CALL,
                                ids=[str(i) for i in known[start:start + IDS_PER_CALL]], sort_by="id")
        for raw in page.records:
            key = raw.get(key_field)
            if key in wanted:
                found[str(key)] = flatten_record(raw)
    rest = [k for k in keys if k not in found]
    for start in range(0, len(rest), SEARCH_CONDITIONS):
        chunk = rest[start:start + SEARCH_CONDITIONS]
        criteria = "or".join(f"({key_field}:equals:{criteria_value(k)})" for k in chunk)
        if len(chunk) > 1:
            criteria = f"({criteria})"
        page = ops.search(client, module, criteria, per_page=200)
        for raw in page.records:
            key = raw.get(key_field)
            if key in wanted:
                found[str(key)] = flatten_record(raw)
    return found
