"""REST API resources: describe, records, upsert by external id, getDeleted, query and queryAll."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crmhub_salesforce.sandbox import records
from crmhub_salesforce.sandbox.catalog import OBJECTS, FieldDef, ObjectDef, object_def
from crmhub_salesforce.sandbox.errors import ApiFault, not_found
from crmhub_salesforce.sandbox.soql import compile_soql
from crmhub_salesforce.sandbox.values import BadValue, format_datetime, parse_datetime
from crmhub_salesforce.sandbox.wire import Request, Response

if TYPE_CHECKING:
    from crmhub_salesforce.sandbox.app import Org

CURSOR_IDLE_SECONDS = 15 * 60
DELETED_HORIZON = dt.timedelta(days=15)


def sobject(name: str) -> ObjectDef:
    obj = object_def(name)
    if obj is None:
        raise not_found()
    return obj


def render(version: str, obj: ObjectDef, row: dict[str, Any], fields: list[FieldDef] | None = None) -> dict[str, Any]:
    """A record as the REST API returns it: ``attributes`` first, then the fields."""
    out: dict[str, Any] = {"attributes": {"type": obj.name,
                                          "url": f"/services/data/v{version}/sobjects/{obj.name}/{row['Id']}"}}
    for fdef in fields or obj.fields:
        value = row[fdef.name]
        if value is not None and fdef.type in _CONVERT:
            value = _CONVERT[fdef.type](value)
        out[fdef.name] = value
    return out


_CONVERT: dict[str, Any] = {"boolean": bool, "int": int, "double": float, "currency": float, "percent": float}


# Describe -------------------------------------------------------------------------------------------
def global_describe(org: Org, req: Request) -> Response:
    return Response(200, {"encoding": "UTF-8", "maxBatchSize": 200,
                          "sobjects": [o.summary(req.version) for o in OBJECTS.values()]})


def describe(org: Org, req: Request, type_name: str) -> Response:
    return Response(200, sobject(type_name).describe(req.version))


def limits(org: Org, req: Request) -> Response:
    used = org.calls_today()
    limit = org.settings.daily_api_limit
    return Response(200, {"DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
                          "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000}})


# Records --------------------------------------------------------------------------------------------
def create(org: Org, req: Request, type_name: str) -> Response:
    obj = sobject(type_name)
    values = records.values_from_json(obj, req.json_object())
    with org.store.transaction():
        result = records.create(org.store, obj, values)
    if not result.success:
        return Response(400, [e.as_rest_error() for e in result.errors])
    return Response(201, result.as_json(with_created=False))


def record(org: Org, req: Request, type_name: str, record_id: str) -> Response:
    obj = sobject(type_name)
    with org.store.transaction():
        row = org.store.get(obj, record_id)
        if row is None:
            raise not_found()
        if req.method == "GET":
            return Response(200, render(req.version, obj, row, _field_list(obj, req)))
        if req.method == "DELETE":
            org.store.soft_delete(obj, record_id)
            return Response(204)
        values = records.values_from_json(obj, req.json_object())
        result = records.update(org.store, obj, record_id, values)
    if not result.success:
        return Response(400, [e.as_rest_error() for e in result.errors])
    return Response(204)


def by_external_id(org: Org, req: Request, type_name: str, field_name: str, value: str) -> Response:
    """``sobjects/X/Field/value``: GET, PATCH (upsert) or DELETE by an external id."""
    obj = sobject(type_name)
    key = records.resolve_key(obj, field_name)
    with org.store.transaction():
        matches = org.store.ids_by_external(obj, key, value)
        if req.method != "PATCH":
            if not matches:
                raise not_found()
            if len(matches) > 1:
                return _multiple(req, obj, matches)
            if req.method == "DELETE":
                org.store.soft_delete(obj, matches[0])
                return Response(204)
            row = org.store.get(obj, matches[0])
            assert row is not None
            return Response(200, render(req.version, obj, row, _field_list(obj, req)))
        body = req.json_object()
        values = records.values_from_json(obj, body)
        if key.name in values and str(values.pop(key.name)).lower() != value.lower():
            raise ApiFault(400, "INVALID_FIELD", f"{key.name} specified more than once")
        result = records.upsert(org.store, obj, key, value, values)
    if result.matches:
        return _multiple(req, obj, result.matches)
    if not result.success:
        return Response(400, [e.as_rest_error() for e in result.errors])
    new_style = float(req.version) >= 46.0  # 200/201 with a body since 46.0; 204 on update before
    if not result.created and not new_style:
        return Response(204)
    return Response(201 if result.created else 200, result.as_json(with_created=True))


def _multiple(req: Request, obj: ObjectDef, matches: list[str]) -> Response:
    return Response(300, [f"/services/data/v{req.version}/sobjects/{obj.name}/{m}" for m in matches])


def _field_list(obj: ObjectDef, req: Request) -> list[FieldDef] | None:
    wanted = req.param("fields")
    if not wanted:
        return None
    out = []
    for name in wanted.split(","):
        fdef = obj.get(name.strip())
        if fdef is None:
            raise ApiFault(400, "INVALID_FIELD", f"No such column '{name.strip()}' on sobject of type {obj.name}")
        out.append(fdef)
    return out


def deleted(org: Org, req: Request, type_name: str) -> Response:
    """``sobjects/X/deleted/?start=&end=``: the delete log between two instants (minute precision)."""
    obj = sobject(type_name)
    raw_start, raw_end = req.param("start"), req.param("end")
    if not raw_start or not raw_end:
        raise ApiFault(400, "MISSING_ARGUMENT", "Both start and end parameters are required")
    try:
        start, end = parse_datetime(raw_start), parse_datetime(raw_end)
    except BadValue:
        raise ApiFault(400, "INVALID_PARAMETER_VALUE", "start and end must be ISO 8601 dateTime values") from None
    now = dt.datetime.now(dt.UTC)
    if end - start <= dt.timedelta(minutes=1):
        raise ApiFault(400, "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate by more "
                                                        "than one minute")
    start = start.astimezone(dt.UTC).replace(second=0, microsecond=0)
    end = min(end.astimezone(dt.UTC), now).replace(second=0, microsecond=0)
    earliest = (now - DELETED_HORIZON).replace(second=0, microsecond=0)
    if start < earliest:
        raise ApiFault(400, "INVALID_REPLICATION_DATE", "startDate is before earliestDateAvailable: "
                                                        f"{format_datetime(earliest)}")
    rows = org.store.deleted_between(obj, format_datetime(start), format_datetime(end))
    return Response(200, {"deletedRecords": [{"id": rid, "deletedDate": when} for rid, when in rows],
                          "earliestDateAvailable": format_datetime(earliest),
                          "latestDateCovered": format_datetime(end)})


# Query ----------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Cursor:
    """An open query: the snapshot of rows taken when it ran, as Salesforce's query locator keeps it."""

    obj: ObjectDef
    fields: list[FieldDef]
    rows: list[dict[str, Any]]
    batch: int
    include_deleted: bool
    touched: float


def _batch_size(org: Org, req: Request) -> int:
    size = org.settings.query_batch_size
    for option in req.headers.get("sforce-query-options", "").split(","):
        name, _, value = option.partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            size = min(size, max(200, int(value)))
    return max(1, min(size, 2000))


def query(org: Org, req: Request, include_deleted: bool) -> Response:
    soql = req.param("q")
    if soql is None:
        raise ApiFault(400, "MALFORMED_QUERY", "A query string (q) is required")
    compiled = compile_soql(soql)
    with org.store.transaction():
        rows = org.store.select(compiled, include_deleted=include_deleted)
    if compiled.count_only:
        return Response(200, {"totalSize": len(rows), "done": True, "records": []})
    now = time.monotonic()
    for stale in [k for k, c in list(org.cursors.items()) if now - c.touched > CURSOR_IDLE_SECONDS]:
        org.cursors.pop(stale, None)  # abandoned cursors expire, as Salesforce's do
    cursor = Cursor(compiled.obj, compiled.fields, rows, _batch_size(org, req), include_deleted, now)
    return _page(org, req, cursor, secrets.token_hex(7), 0)


def query_more(org: Org, req: Request, locator: str, include_deleted: bool) -> Response:
    cursor_id, _, offset = locator.rpartition("-")
    cursor_id = cursor_id.removeprefix("01g")
    cursor = org.cursors.get(cursor_id)
    now = time.monotonic()
    if cursor is None or not offset.isdigit() or cursor.include_deleted != include_deleted or \
            now - cursor.touched > CURSOR_IDLE_SECONDS:
        raise ApiFault(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    cursor.touched = now
    return _page(org, req, cursor, cursor_id, int(offset))


def _page(org: Org, req: Request, cursor: Cursor, cursor_id: str, offset: int) -> Response:
    chunk = cursor.rows[offset:offset + cursor.batch]
    done = offset + len(chunk) >= len(cursor.rows)
    body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": done,
                            "records": [render(req.version, cursor.obj, row, cursor.fields) for row in chunk]}
    if done:
        org.cursors.pop(cursor_id, None)
    else:
        org.cursors[cursor_id] = cursor
        kind = "queryAll" if cursor.include_deleted else "query"
        body["nextRecordsUrl"] = f"/services/data/v{req.version}/{kind}/01g{cursor_id}-{offset + len(chunk)}"
    return Response(200, body)
