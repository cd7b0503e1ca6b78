"""sObject Collections (``composite/sobjects``): create, update, upsert and delete up to 200 records.

Results come back in request order, one per record; with ``allOrNone`` a single failure rolls the
whole request back and every other record reports ``ALL_OR_NONE_OPERATION_ROLLED_BACK``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crmhub_salesforce.sandbox import ids, records
from crmhub_salesforce.sandbox.catalog import OBJECTS, ObjectDef, object_def
from crmhub_salesforce.sandbox.errors import ApiFault, RecordError
from crmhub_salesforce.sandbox.records import SaveResult
from crmhub_salesforce.sandbox.rest import render, sobject
from crmhub_salesforce.sandbox.wire import Request, Response

if TYPE_CHECKING:
    from crmhub_salesforce.sandbox.app import Org

MAX_RECORDS = 200
_ROLLED_BACK = RecordError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                           "Record rolled back because not all records were valid and the request was using "
                           "AllOrNone header")


class _RollBack(Exception):
    """Raised inside the transaction to undo an allOrNone request that had a failure."""


def _too_many() -> ApiFault:
    return ApiFault(400, "EXCEEDED_ID_LIMIT",
                    f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call")


def _body(req: Request) -> tuple[bool, list[dict[str, Any]]]:
    body = req.json_object()
    all_or_none = body.get("allOrNone", False)
    rows = body.get("records")
    if not isinstance(all_or_none, bool) or not isinstance(rows, list) or \
            not all(isinstance(r, dict) for r in rows):
        raise ApiFault(400, "JSON_PARSER_ERROR", "Expected a body with a records array and a boolean allOrNone")
    if len(rows) > MAX_RECORDS:
        raise _too_many()
    return all_or_none, rows


def _type_of(row: dict[str, Any], expected: ObjectDef | None) -> ObjectDef:
    attributes = row.get("attributes")
    type_name = attributes.get("type") if isinstance(attributes, dict) else None
    if not type_name:
        raise ApiFault(400, "INVALID_TYPE", "The attributes map of each record must contain a value for type")
    obj = object_def(str(type_name))
    if obj is None or (expected is not None and obj is not expected):
        raise ApiFault(400, "INVALID_TYPE", f"sObject type '{type_name}' is not allowed in this request")
    return obj


def _run(org: Org, all_or_none: bool, work: list[Any]) -> list[SaveResult]:
    """Apply ``work`` (callables returning SaveResult) in one transaction, honouring allOrNone."""
    results: list[SaveResult] = []
    try:
        with org.store.transaction():
            for job in work:
                results.append(job())
            if all_or_none and any(not r.success for r in results):
                raise _RollBack
    except _RollBack:
        return [r if not r.success else SaveResult(errors=[_ROLLED_BACK]) for r in results]
    return results


def upsert(org: Org, req: Request, type_name: str, field_name: str) -> Response:
    """``PATCH composite/sobjects/X/Field``: upsert by an external id."""
    obj = sobject(type_name)
    key = records.resolve_key(obj, field_name)
    all_or_none, rows = _body(req)
    prepared = []
    for row in rows:
        _type_of(row, obj)
        if "Id" in row or "id" in row:
            raise ApiFault(400, "INVALID_FIELD", "Only external ids are supported in an upsert; don't set Id")
        prepared.append(records.values_from_json(obj, row))
    dupes = records.duplicate_keys([v.get(key.name) for v in prepared])

    def job(values: dict[str, Any]) -> Any:
        def run() -> SaveResult:
            value = values.get(key.name)
            if value is not None and str(value).lower() in dupes:
                return SaveResult(errors=[records.duplicate_error(key, value)])
            rest = {k: v for k, v in values.items() if k != key.name}
            return records.upsert(org.store, obj, key, value, rest)
        return run

    results = _run(org, all_or_none, [job(v) for v in prepared])
    return Response(200, [r.as_json(with_created=True) for r in results])


def create_or_update(org: Org, req: Request) -> Response:
    """``POST composite/sobjects`` (create) and ``PATCH composite/sobjects`` (update by Id)."""
    all_or_none, rows = _body(req)
    creating = req.method == "POST"
    work: list[Callable[[], SaveResult]] = []
    for row in rows:
        obj = _type_of(row, None)
        record_id = row.get("id", row.get("Id"))
        values = records.values_from_json(obj, {k: v for k, v in row.items() if k not in ("id", "Id")})
        if creating:
            if record_id:
                raise ApiFault(400, "INVALID_FIELD", "Can't specify an id for a create call")
            work.append(functools.partial(records.create, org.store, obj, values))
        elif not record_id or not ids.is_valid(str(record_id)):
            work.append(functools.partial(SaveResult, errors=[RecordError("MISSING_ARGUMENT", "Id not specified in "
                                                                                          "an update call")]))
        else:
            work.append(functools.partial(records.update, org.store, obj, ids.to18(str(record_id)), values))
    results = _run(org, all_or_none, work)
    return Response(200, [r.as_json(with_created=False) for r in results])


def delete(org: Org, req: Request) -> Response:
    """``DELETE composite/sobjects?ids=…&allOrNone=``."""
    raw = req.param("ids") or ""
    wanted = [i for i in raw.split(",") if i]
    if not wanted:
        raise ApiFault(400, "MISSING_ARGUMENT", "ids parameter is required")
    if len(wanted) > MAX_RECORDS:
        raise _too_many()
    all_or_none = (req.param("allOrNone") or "false").lower() == "true"

    def job(raw_id: str) -> Any:
        def run() -> SaveResult:
            if not ids.is_valid(raw_id):
                return SaveResult(errors=[RecordError("MALFORMED_ID", f"malformed id {raw_id}")])
            rid = ids.to18(raw_id)
            for obj in (o for o in _objects() if rid.startswith(o.key_prefix)):
                if org.store.get(obj, rid) is not None:
                    org.store.soft_delete(obj, rid)
                    return SaveResult(id=rid)
            return SaveResult(errors=[RecordError("ENTITY_IS_DELETED", "entity is deleted")])
        return run

    results = _run(org, all_or_none, [job(i) for i in wanted])
    return Response(200, [{**r.as_json(with_created=False), "id": r.id or None} for r in results])


def retrieve(org: Org, req: Request, type_name: str) -> Response:
    """``GET composite/sobjects/X?ids=…&fields=…``: records in the order asked, ``null`` for missing ones."""
    obj = sobject(type_name)
    wanted = [i for i in (req.param("ids") or "").split(",") if i]
    names = [n.strip() for n in (req.param("fields") or "").split(",") if n.strip()]
    if not wanted or not names:
        raise ApiFault(400, "MISSING_ARGUMENT", "ids and fields parameters are required")
    if len(wanted) > 2000:
        raise _too_many()
    fields = []
    for name in names:
        fdef = obj.get(name)
        if fdef is None:
            raise ApiFault(400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}")
        fields.append(fdef)
    out = []
    with org.store.transaction():
        for raw_id in wanted:
            row = org.store.get(obj, ids.to18(raw_id)) if ids.is_valid(raw_id) else None
            out.append(render(req.version, obj, row, fields) if row else None)
    return Response(200, out)


def _objects() -> list[ObjectDef]:
    return list(OBJECTS.values())
