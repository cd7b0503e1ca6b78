"""Per-record checks of an insert/update/upsert body, by field type, as strict as Zoho's.

Returns Zoho's per-record error body for the first problem found, or ``None``. Read-only system
fields (``Modified_Time``, ``Created_By``, ``Data_Processing_Basis``…) are dropped, as Zoho ignores them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from crmhub_zoho.sandbox import errors
from crmhub_zoho.sandbox.schema import CONSENT_KEYS, PROCESSING_BASES, USER, FieldDef, ModuleDef

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def clean_record(module: ModuleDef, raw: dict[str, Any], index: int,
                 creating: bool) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``(values to store, None)`` or ``(None, error body)`` for one element of ``data``."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "id" or name.startswith("$"):
            continue
        f = module.by_name.get(name)
        if f is None:
            return None, errors.record_invalid(name, index)
        if f.read_only:
            continue
        problem = _check(f, value, index)
        if problem:
            return None, problem
        values[name] = _normalise(f, value)
    if creating:
        for f in module.fields:
            if f.mandatory and values.get(f.api_name) in (None, ""):
                return None, errors.record_mandatory(f.api_name, index)
    else:
        for f in module.fields:
            if f.mandatory and f.api_name in values and values[f.api_name] in (None, ""):
                return None, errors.record_mandatory(f.api_name, index)
    return values, None


def _check(f: FieldDef, value: Any, index: int) -> dict[str, Any] | None:
    if value is None:
        return None
    kind = f.data_type
    if kind in ("text", "textarea", "email", "phone", "website", "picklist"):
        if not isinstance(value, str):
            return errors.record_invalid(f.api_name, index, expected_data_type="string")
        if len(value) > f.length:
            return errors.record_invalid(f.api_name, index, maximum_length=str(f.length))
        if kind == "email" and value and not _EMAIL.match(value):
            return errors.record_invalid(f.api_name, index)
        if kind == "picklist" and value and value not in f.picklist:
            return errors.record_invalid(f.api_name, index)
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else errors.record_invalid(f.api_name, index,
                                                                          expected_data_type="boolean")
    if kind in ("currency", "double"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else errors.record_invalid(f.api_name, index, expected_data_type="double")
    if kind == "date":
        return None if _valid_date(value) else errors.record_invalid(f.api_name, index, expected_data_type="date")
    if kind == "ownerlookup":
        ok = isinstance(value, dict) and value.get("id") == USER["id"]
        return None if ok else errors.record_invalid(f.api_name, index, expected_data_type="jsonobject")
    if kind == "consent_lookup":
        return _check_consent(f, value, index)
    return errors.record_invalid(f.api_name, index)


def _valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_consent(f: FieldDef, value: Any, index: int) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return errors.record_invalid(f.api_name, index, expected_data_type="jsonobject")
    for key, item in value.items():
        kind = CONSENT_KEYS.get(key)
        if key == "id":
            continue
        path = f"{f.api_name}.{key}"
        if kind is None:
            return errors.record_invalid(path, index)
        if item is None:
            continue
        if kind == "boolean" and not isinstance(item, bool):
            return errors.record_invalid(path, index, expected_data_type="boolean")
        if kind == "date" and not _valid_date(item):
            return errors.record_invalid(path, index, expected_data_type="date")
        if kind in ("text", "picklist") and not isinstance(item, str):
            return errors.record_invalid(path, index, expected_data_type="string")
        if kind == "picklist" and item not in PROCESSING_BASES:
            return errors.record_invalid(path, index)
    if "Data_Processing_Basis" not in value:
        return errors.record_mandatory(f"{f.api_name}.Data_Processing_Basis", index)
    return None


def _normalise(f: FieldDef, value: Any) -> Any:
    if f.data_type == "consent_lookup" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "id"}
    if f.data_type == "ownerlookup" and isinstance(value, dict):
        return {"id": value["id"]}
    return value
