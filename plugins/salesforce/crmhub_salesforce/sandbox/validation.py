"""Record validation with Salesforce's status codes and messages.

Type problems in a JSON body fail the whole request (``JSON_PARSER_ERROR``, as Salesforce's
deserializer does); the checks here are per record and end up in that record's save result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crmhub_salesforce.sandbox.catalog import FieldDef, ObjectDef
from crmhub_salesforce.sandbox.errors import RecordError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def read_only_error(names: list[str]) -> RecordError:
    joined = ", ".join(names)
    return RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {joined}. Please check the security settings of this field and verify "
        "that it is read/write for your profile or permission set.",
        tuple(names),
    )


def check_record(obj: ObjectDef, values: Mapping[str, Any], *, creating: bool) -> list[RecordError]:
    """Problems Salesforce would report for saving ``values`` (stored forms, canonical field names)."""
    errors: list[RecordError] = []
    locked = [name for name in values if not _writable(obj.get(name), creating)]
    if locked:
        return [read_only_error(locked)]
    for name, value in values.items():
        fdef = obj.get(name)
        if fdef is None or value is None:
            continue
        problem = _check_value(fdef, obj.labels[fdef.name], value)
        if problem:
            errors.append(problem)
    if creating:
        missing = [f.name for f in obj.required if values.get(f.name) is None]
    else:
        missing = [name for name, value in values.items() if value is None and _not_nillable(obj.get(name))]
    if missing:
        errors.append(RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                                  tuple(missing)))
    return errors


def _writable(fdef: FieldDef | None, creating: bool) -> bool:
    if fdef is None:
        return False
    return fdef.createable if creating else fdef.updateable


def _not_nillable(fdef: FieldDef | None) -> bool:
    return fdef is not None and not fdef.nillable and fdef.type != "boolean" and fdef.updateable


def _check_value(fdef: FieldDef, label: str, value: Any) -> RecordError | None:
    if fdef.type in ("string", "textarea", "phone", "url") and len(value) <= fdef.length:
        return None  # the common case, answered without the checks below
    if isinstance(value, str) and fdef.length and len(value) > fdef.length:
        return RecordError("STRING_TOO_LONG",
                           f"{label}: data value too large: {value} (max length={fdef.length})", (fdef.name,))
    if fdef.type == "picklist" and fdef.restricted_picklist and value not in fdef.picklist:
        return RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                           f"{label}: bad value for restricted picklist field: {value}", (fdef.name,))
    if fdef.type == "email" and not _EMAIL.match(str(value)):
        return RecordError("INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {value}", (fdef.name,))
    return None


def apply_defaults(obj: ObjectDef, values: dict[str, Any]) -> None:
    """Fill fields Salesforce defaults on create (booleans false, picklist defaults)."""
    for name, default in obj.defaults.items():
        if values.get(name) is None:
            values[name] = default
