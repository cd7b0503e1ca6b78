"""Insert, update, upsert and delete, processed record by record as Zoho does.

One call is one transaction in the store; each record gets its own result (``SUCCESS`` or an error
body) in request order. HTTP status: 201 when every record was inserted, 200 when all succeeded
otherwise, 207 when some failed, 400 when all failed.
"""

from __future__ import annotations

from typing import Any

from crmhub_zoho.sandbox import errors
from crmhub_zoho.sandbox.records import MAX_IDS, MAX_WRITE, RecordsApi, Response, iso
from crmhub_zoho.sandbox.schema import USER, ModuleDef
from crmhub_zoho.sandbox.store import StoredRecord
from crmhub_zoho.sandbox.validation import clean_record


def keyed_fields(module: ModuleDef) -> tuple[str, ...]:
    """Fields the store indexes: unique ones and the system duplicate-check fields."""
    return tuple(f.api_name for f in module.fields if f.unique or f.api_name in module.system_duplicate_fields)


def _check_fields(module: ModuleDef, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return tuple(f.api_name for f in module.fields if f.unique) + module.system_duplicate_fields
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise errors.ZohoError(400, "INVALID_DATA", "invalid data", {
            "expected_data_type": "jsonarray", "api_name": "duplicate_check_fields",
            "json_path": "$.duplicate_check_fields"})
    for name in raw:
        f = module.by_name.get(name)
        if f is None or not (f.unique or name in module.system_duplicate_fields):
            raise errors.ZohoError(400, "INVALID_DATA", "invalid data",
                                   {"api_name": name, "json_path": "$.duplicate_check_fields"})
    return tuple(raw)


def write_batch(api: RecordsApi, name: str, body: Any, operation: str) -> tuple[Response, int]:
    """Apply a ``create``/``update``/``upsert`` body; returns the response and how many records it held."""
    module = api.module(name)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise errors.invalid_body()
    data = body["data"]
    if not data:
        raise errors.ZohoError(400, "INVALID_DATA", "invalid data",
                               {"expected_data_type": "jsonarray", "api_name": "data", "json_path": "$.data"})
    if len(data) > MAX_WRITE:
        raise errors.too_many_records(MAX_WRITE)
    checks = _check_fields(module, body.get("duplicate_check_fields")) if operation == "upsert" else ()
    keyed = keyed_fields(module)
    results: list[dict[str, Any]] = []
    with api.store.transaction():
        for index, raw in enumerate(data):
            if not isinstance(raw, dict):
                results.append(errors.record_invalid("data", index, expected_data_type="jsonobject"))
                continue
            results.append(_write_one(api, module, raw, index, operation, checks, keyed))
    ok = [r for r in results if r["status"] == "success"]
    if len(ok) == len(results):
        status = 201 if all(r["action"] == "insert" for r in ok) else 200
    else:
        status = 207 if ok else 400
    return (status, {"data": results}), len(data)


def _write_one(api: RecordsApi, module: ModuleDef, raw: dict[str, Any], index: int, operation: str,
               checks: tuple[str, ...], keyed: tuple[str, ...]) -> dict[str, Any]:
    store = api.store
    existing: StoredRecord | None = None
    matched_on: str | None = None
    if operation == "update":
        rid = raw.get("id")
        if rid in (None, ""):
            return errors.record_mandatory("id", index)
        existing = store.get(module.api_name, int(rid)) if str(rid).isdigit() else None
        if existing is None:
            return errors.record_id_invalid(str(rid))
    elif operation == "upsert":
        for name in checks:
            value = raw.get(name)
            if value in (None, ""):
                continue
            found = store.find_by_key(module.api_name, name, value)
            if found is not None:
                existing, matched_on = store.get(module.api_name, found), name
                break
    values, problem = clean_record(module, raw, index, creating=existing is None)
    if problem is not None or values is None:
        return problem or errors.record_invalid("data", index)
    target = existing.id if existing else None
    for f in module.fields:
        if f.unique and values.get(f.api_name) not in (None, ""):
            holder = store.find_by_key(module.api_name, f.api_name, values[f.api_name])
            if holder is not None and holder != target:
                return errors.record_duplicate(f.api_name, index, {"api_name": module.api_name, "id": module.module_id},
                                               str(holder), dict(USER))
    if existing is None:
        saved = store.insert(module.api_name, values, keyed)
        action, message = "insert", "record added"
    else:
        saved = store.update(module.api_name, existing, values, keyed)
        action, message = "update", "record updated"
    user = {"name": USER["name"], "id": USER["id"]}
    result: dict[str, Any] = {
        "code": "SUCCESS", "action": action, "message": message, "status": "success",
        "details": {"Modified_Time": iso(saved.modified), "Modified_By": user, "Created_Time": iso(saved.created),
                    "id": str(saved.id), "Created_By": user},
    }
    if matched_on:
        result["duplicate_field"] = matched_on
    return result


def delete_records(api: RecordsApi, name: str, query: dict[str, str]) -> tuple[Response, int]:
    """``DELETE /crm/v8/{module}?ids=…``: each record goes to the recycle bin and the deleted-records log."""
    module = api.module(name)
    raw = query.get("ids")
    if not raw:
        raise errors.param_missing("ids")
    ids = [p for p in raw.split(",") if p]
    if len(ids) > MAX_IDS:
        raise errors.too_many_records(MAX_IDS)
    results: list[dict[str, Any]] = []
    with api.store.transaction():
        for rid in ids:
            record = api.store.get(module.api_name, int(rid)) if rid.isdigit() else None
            if record is None:
                results.append(errors.record_id_invalid(rid))
                continue
            api.store.delete(module.api_name, record, str(record.data.get(module.display_field) or rid))
            results.append({"code": "SUCCESS", "details": {"id": rid}, "message": "record deleted",
                            "status": "success"})
    ok = sum(r["status"] == "success" for r in results)
    status = 200 if ok == len(results) else (207 if ok else 400)
    return (status, {"data": results}), len(ids)
