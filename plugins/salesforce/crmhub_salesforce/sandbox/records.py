"""Saving records as Salesforce does: create, update, upsert by external id, delete.

Shared by the REST resources (single record, sObject Collections) and Bulk API 2.0 ingest, so all
three report the same status codes for the same problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crmhub_salesforce.sandbox import ids
from crmhub_salesforce.sandbox.catalog import FieldDef, ObjectDef, object_def
from crmhub_salesforce.sandbox.errors import ApiFault, RecordError, invalid_field, json_parser_error
from crmhub_salesforce.sandbox.store import Store
from crmhub_salesforce.sandbox.validation import apply_defaults, check_record
from crmhub_salesforce.sandbox.values import BadValue, from_json, json_type_name


@dataclass(slots=True)
class SaveResult:
    """The outcome of saving one record: ``UpsertResult`` / ``SaveResult`` in Salesforce's terms."""

    id: str | None = None
    created: bool = False
    errors: list[RecordError] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)
    """Ids of every record an external id matched, when it matched more than one."""

    @property
    def success(self) -> bool:
        return not self.errors

    def as_json(self, *, with_created: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id if self.success else None, "success": self.success,
                                "errors": [e.as_result_error() for e in self.errors]}
        if with_created:
            body["created"] = self.created if self.success else False
        return body


def values_from_json(obj: ObjectDef, body: Mapping[str, Any]) -> dict[str, Any]:
    """Stored values from a JSON record; unknown fields and JSON type mismatches fail the request."""
    values: dict[str, Any] = {}
    for name, raw in body.items():
        if name == "attributes":
            continue
        fdef = obj.get(name)
        if fdef is None:
            raise invalid_field(f"No such column '{name}' on sobject of type {obj.name}")
        try:
            values[fdef.name] = from_json(fdef, raw)
        except BadValue:
            token = "VALUE_STRING" if isinstance(raw, str) else ("VALUE_TRUE" if raw is True else "VALUE_NUMBER")
            raise json_parser_error(
                f"Cannot deserialize instance of {json_type_name(fdef)} from {token} value {raw} or request may be "
                "missing a required field at [line:1, column:1]") from None
    return values


def _booleans_not_null(obj: ObjectDef, values: dict[str, Any]) -> None:
    for name in obj.booleans.intersection(values):
        if values[name] is None:
            values[name] = 0  # a checkbox cannot be null: Salesforce stores false


def reference_errors(store: Store, obj: ObjectDef, values: Mapping[str, Any]) -> list[RecordError]:
    """Lookups that point at no live record of the object they refer to, as Salesforce reports them."""
    errors: list[RecordError] = []
    for name, value in values.items():
        fdef = obj.get(name)
        targets = [t for t in (object_def(n) for n in fdef.reference_to) if t is not None] if fdef else []
        if fdef is None or value is None or not targets:
            continue
        label = obj.labels[fdef.name]
        if not ids.is_valid(str(value)):
            errors.append(RecordError("MALFORMED_ID", f"{label}: id value of incorrect type: {value}", (fdef.name,)))
            continue
        rid = ids.to18(str(value))
        target = next((t for t in targets if rid.startswith(t.key_prefix)), None)
        if target is None:
            errors.append(RecordError("FIELD_INTEGRITY_EXCEPTION", f"{label}: id value of incorrect type: {value}",
                                      (fdef.name,)))
        elif store.get(target, rid) is None:
            errors.append(RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (fdef.name,)))
    return errors


def create(store: Store, obj: ObjectDef, values: dict[str, Any]) -> SaveResult:
    """Insert a record after Salesforce's checks."""
    values = dict(values)
    _booleans_not_null(obj, values)
    errors = check_record(obj, values, creating=True) or reference_errors(store, obj, values)
    if errors:
        return SaveResult(errors=errors)
    apply_defaults(obj, values)
    return SaveResult(id=store.insert(obj, values), created=True)


def update(store: Store, obj: ObjectDef, record_id: str, values: dict[str, Any]) -> SaveResult:
    """Update a live record after Salesforce's checks."""
    if store.get(obj, record_id) is None:
        return SaveResult(errors=[RecordError("ENTITY_IS_DELETED", "entity is deleted")])
    values = dict(values)
    _booleans_not_null(obj, values)
    errors = check_record(obj, values, creating=False) or reference_errors(store, obj, values)
    if errors:
        return SaveResult(errors=errors)
    store.update(obj, record_id, values)
    return SaveResult(id=record_id)


def upsert(store: Store, obj: ObjectDef, key: FieldDef, key_value: Any, values: dict[str, Any]) -> SaveResult:
    """Create or update by an external id: one match updates, none creates, several is an error."""
    if key_value is None or key_value == "":
        return SaveResult(errors=[RecordError("MISSING_ARGUMENT", f"{key.name} not specified", (key.name,))])
    matches = store.ids_by_external(obj, key, str(key_value))
    if len(matches) > 1:
        return SaveResult(matches=matches, errors=[RecordError(
            "DUPLICATE_EXTERNAL_ID",
            f"{key.describe()['label']}: more than one record found for external id field: [{', '.join(matches)}]",
            (key.name,))])
    values = {**values, key.name: key_value}
    if matches:
        return update(store, obj, matches[0], values)
    return create(store, obj, values)


def resolve_key(obj: ObjectDef, name: str) -> FieldDef:
    """The external-id field named in an upsert URL; anything else is refused as Salesforce does."""
    fdef = obj.get(name)
    if fdef is None:
        raise ApiFault(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {name}")
    if not (fdef.external_id or fdef.name == "Id"):
        raise ApiFault(400, "INVALID_FIELD", f"Field {fdef.name} is not an external id field or the Id field")
    return fdef


def duplicate_keys(keys: list[Any]) -> set[str]:
    """External-id values that occur more than once in one request (compared case-insensitively)."""
    seen: set[str] = set()
    dupes: set[str] = set()
    for value in keys:
        if value is None or value == "":
            continue
        norm = str(value).lower()
        (dupes if norm in seen else seen).add(norm)
    return dupes


def duplicate_error(key: FieldDef, value: Any) -> RecordError:
    return RecordError("DUPLICATE_VALUE", f"Duplicate external id specified: {value}", (key.name,))
