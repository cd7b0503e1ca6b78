"""``/crm/v3/objects/{objectType}``: list, get, create, update, archive, the batch endpoints, merge, gdpr-delete.

Batch writes validate every input. When every input carries a distinct ``objectWriteTraceId`` the answer is
multi-status: valid inputs are written and HTTP 207 lists the failed ones in ``errors``, each with its trace id in
``context``. Without trace ids one invalid input fails the whole batch with 400 and nothing is written, as
HubSpot does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from crmhub_hubspot.sandbox import errors as E
from crmhub_hubspot.sandbox.schema import DEFAULT_RETURNED
from crmhub_hubspot.sandbox.store import Store, StoredObject, iso_ms
from crmhub_hubspot.sandbox.validation import check_properties

MAX_BATCH = 100
MAX_LIST_PAGE = 100
SINGULAR = {"contacts": "CONTACT", "companies": "COMPANY"}
Problem = tuple[int, dict[str, Any]]  # an HTTP status and HubSpot's error body for one input


@dataclass(slots=True)
class Answer:
    """What a handler answers: status, JSON body (``None``: empty), and whether it changed the portal."""

    status: int
    body: dict[str, Any] | None = None
    committed: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def render(obj: StoredObject, object_type: str, wanted: list[str] | None, *, new: bool | None = None,
           trace_id: str | None = None) -> dict[str, Any]:
    """An object as the API returns it: requested properties (null when unset) plus the defaults."""
    names = list(DEFAULT_RETURNED[object_type]) + [n for n in (wanted or []) if n not in DEFAULT_RETURNED[object_type]]
    out: dict[str, Any] = {
        "id": obj.id,
        "properties": {n: obj.properties.get(n) for n in names},
        "createdAt": iso_ms(obj.created_ms),
        "updatedAt": iso_ms(obj.updated_ms),
        "archived": obj.archived,
    }
    if obj.archived and obj.archived_ms is not None:
        out["archivedAt"] = iso_ms(obj.archived_ms)
    if new is not None:
        out["new"] = new
    if trace_id is not None:
        out["objectWriteTraceId"] = trace_id
    return out


def wanted_properties(query: dict[str, list[str]]) -> list[str]:
    names: list[str] = []
    for chunk in query.get("properties", []):
        names.extend(n for n in chunk.split(",") if n)
    return names


def _inputs(body: dict[str, Any]) -> list[dict[str, Any]]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise E.http_error(400, "VALIDATION_ERROR", "Invalid input JSON: 'inputs' must be a non-empty list")
    if len(inputs) > MAX_BATCH:
        raise E.http_error(400, "VALIDATION_ERROR", f"Batch input size {len(inputs)} exceeds the limit of {MAX_BATCH}")
    if not all(isinstance(i, dict) for i in inputs):
        raise E.http_error(400, "VALIDATION_ERROR", "Invalid input JSON: every input must be an object")
    return inputs


def _trace_ids(inputs: list[dict[str, Any]]) -> list[str] | None:
    """The inputs' trace ids when multi-status is on (every input has one, all distinct)."""
    ids = [i.get("objectWriteTraceId") for i in inputs]
    if all(isinstance(t, str) and t for t in ids) and len(set(ids)) == len(ids):
        return [str(t) for t in ids]
    return None


class Objects:
    """Handlers for one sandbox portal."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # Reads ------------------------------------------------------------------------------------------
    def list_page(self, object_type: str, query: dict[str, list[str]]) -> Answer:
        limit = _int_param(query, "limit", 10)
        if not 1 <= limit <= MAX_LIST_PAGE:
            raise E.http_error(400, "VALIDATION_ERROR", f"limit must be between 1 and {MAX_LIST_PAGE}")
        after = _int_param(query, "after", 0)
        archived = query.get("archived", ["false"])[0].lower() == "true"
        wanted = wanted_properties(query)
        with self.store.lock:
            records = self.store.portal(object_type).records
            ids = sorted(int(i) for i, o in records.items() if o.archived == archived and int(i) >= after)
            page = ids[:limit]
            results = [render(records[str(i)], object_type, wanted) for i in page]
            if "associations" in query and object_type == "contacts":
                for item in results:
                    companies = self.store.companies_of(item["id"])
                    if companies:
                        item["associations"] = {"companies": {"results": [
                            {"id": c, "type": "contact_to_company_unlabeled"} for c in companies]}}
        body: dict[str, Any] = {"results": results}
        if len(ids) > limit:
            nxt = str(ids[limit])
            body["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
        return Answer(200, body)

    def get(self, object_type: str, object_id: str, query: dict[str, list[str]]) -> Answer:
        id_property = query.get("idProperty", ["hs_object_id"])[0]
        archived = query.get("archived", ["false"])[0].lower() == "true"
        with self.store.lock:
            if id_property == "hs_object_id":
                obj = self.store.portal(object_type).records.get(object_id)
            else:
                obj = self.store.find(object_type, id_property, object_id)
            if obj is None or obj.archived != archived:
                raise E.http_error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            return Answer(200, render(obj, object_type, wanted_properties(query)))

    def batch_read(self, object_type: str, body: dict[str, Any]) -> Answer:
        inputs = _inputs(body)
        id_property = body.get("idProperty") or "hs_object_id"
        self._require_unique(object_type, id_property)
        wanted = body.get("properties") or []
        started = now_iso()
        results, missing = [], []
        with self.store.lock:
            for item in inputs:
                key = str(item.get("id", ""))
                obj = self.store.find(object_type, id_property, key)
                if obj is None:
                    missing.append(key)
                else:
                    results.append(render(obj, object_type, wanted))
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                                  "completedAt": now_iso()}
        if not missing:
            return Answer(200, answer)
        answer["numErrors"] = 1
        answer["errors"] = [E.standard_error(
            "OBJECT_NOT_FOUND",
            f"Could not get some {SINGULAR[object_type]} objects, they may be deleted or not exist. "
            "Check that ids are valid.", context={"ids": missing})]
        return Answer(207, answer)

    # Writes -----------------------------------------------------------------------------------------
    def create(self, object_type: str, body: dict[str, Any]) -> Answer:
        with self.store.lock:
            obj, problem = self._write_one(object_type, None, body.get("properties") or {})
            if problem is not None:
                raise E.HttpError(problem[0], problem[1])
            assert obj is not None
            return Answer(201, render(obj, object_type, list(body.get("properties") or {})), committed=True)

    def update(self, object_type: str, object_id: str, query: dict[str, list[str]], body: dict[str, Any]) -> Answer:
        id_property = query.get("idProperty", ["hs_object_id"])[0]
        with self.store.lock:
            obj = self.store.find(object_type, id_property, object_id)
            if obj is None:
                raise E.http_error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            obj, problem = self._write_one(object_type, obj, body.get("properties") or {})
            if problem is not None:
                raise E.HttpError(problem[0], problem[1])
            assert obj is not None
            return Answer(200, render(obj, object_type, list(body.get("properties") or {})), committed=True)

    def archive(self, object_type: str, object_id: str) -> Answer:
        with self.store.lock:
            obj = self.store.find(object_type, "hs_object_id", object_id)
            if obj is not None:
                self.store.archive(object_type, obj)
        return Answer(204, committed=True)

    def batch_archive(self, object_type: str, body: dict[str, Any]) -> Answer:
        inputs = _inputs(body)
        with self.store.lock:
            for item in inputs:
                obj = self.store.find(object_type, "hs_object_id", str(item.get("id", "")))
                if obj is not None:
                    self.store.archive(object_type, obj)
        return Answer(204, committed=True)

    def batch_write(self, object_type: str, body: dict[str, Any], mode: str) -> Answer:
        """``mode``: ``create``, ``update`` (by record id or ``idProperty``) or ``upsert`` (by ``idProperty``)."""
        inputs = _inputs(body)
        traces = _trace_ids(inputs)
        started = now_iso()
        with self.store.lock:
            targets = self._resolve_targets(object_type, inputs, mode)
            planned: list[tuple[int, dict[str, Any] | None]] = []
            failures: list[tuple[int, Problem]] = []
            for index, item in enumerate(inputs):
                problem = self._precheck(object_type, item, targets[index], mode)
                if problem is not None:
                    failures.append((index, problem))
                else:
                    planned.append((index, targets[index]))
            if failures and traces is None:
                raise E.HttpError(*failures[0][1])
            results: list[dict[str, Any]] = []
            for index, target in planned:
                item = inputs[index]
                props = dict(item.get("properties") or {})
                existing = self._target_object(object_type, target)
                if existing is None and mode == "upsert":
                    props.setdefault(str(item["idProperty"]), item["id"])
                obj, problem = self._write_one(object_type, existing, props)
                if problem is not None:
                    failures.append((index, problem))
                    continue
                assert obj is not None
                results.append(render(obj, object_type, list(props),
                                      new=(existing is None) if mode == "upsert" else None,
                                      trace_id=traces[index] if traces else None))
        if failures and traces is None:
            raise E.HttpError(*failures[0][1])
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                                  "completedAt": now_iso()}
        if not failures:
            return Answer(201 if mode == "create" else 200, answer, committed=bool(results))
        answer["numErrors"] = len(failures)
        answer["errors"] = [self._as_batch_error(problem, traces[index] if traces else None)
                            for index, problem in sorted(failures)]
        return Answer(207, answer, committed=bool(results))

    # Helpers ----------------------------------------------------------------------------------------
    def _require_unique(self, object_type: str, id_property: str) -> None:
        if id_property == "hs_object_id":
            return
        portal = self.store.portal(object_type)
        if id_property not in portal.unique_names():
            type_id = "0-1" if object_type == "contacts" else "0-2"
            raise E.http_error(400, "VALIDATION_ERROR",
                               f"Unable to perform update/upsert by non-unique {type_id} property {id_property}")

    def _resolve_targets(self, object_type: str, inputs: list[dict[str, Any]],
                         mode: str) -> list[dict[str, Any] | None]:
        """For update/upsert: which existing object each input addresses (or None for a new one)."""
        if mode == "create":
            return [None] * len(inputs)
        seen: set[tuple[str, str]] = set()
        targets: list[dict[str, Any] | None] = []
        for item in inputs:
            id_property = item.get("idProperty") or ("hs_object_id" if mode == "update" else None)
            if mode == "upsert" and not id_property:
                raise E.http_error(400, "VALIDATION_ERROR", "idProperty is required for upsert")
            assert isinstance(id_property, str)
            self._require_unique(object_type, id_property)
            key = str(item.get("id", "")).strip()
            if not key:
                raise E.http_error(400, "VALIDATION_ERROR", "Every input needs a non-empty 'id'")
            norm = (id_property, key.lower() if id_property == "email" else key)
            if norm in seen:
                raise E.http_error(400, "VALIDATION_ERROR", f"Duplicate IDs found in batch input: {key}")
            seen.add(norm)
            obj = self.store.find(object_type, id_property, key)
            targets.append({"id_property": id_property, "key": key, "obj": obj.id if obj else None})
        return targets

    def _target_object(self, object_type: str, target: dict[str, Any] | None) -> StoredObject | None:
        if target is None or target["obj"] is None:
            return None
        return self.store.portal(object_type).records[target["obj"]]

    def _precheck(self, object_type: str, item: dict[str, Any], target: dict[str, Any] | None,
                  mode: str) -> Problem | None:
        props = item.get("properties")
        if not isinstance(props, dict):
            return 400, E.error_body("VALIDATION_ERROR", "Invalid input JSON: 'properties' must be an object")
        if mode == "update" and (target is None or target["obj"] is None):
            return 404, E.error_body("OBJECT_NOT_FOUND", f"Could not find {SINGULAR[object_type]} with the given id")
        definitions = self.store.portal(object_type).properties
        _, problems = check_properties(definitions, props)
        if problems:
            body = E.validation_error(problems).body
            return 400, body
        return None

    def _write_one(self, object_type: str, existing: StoredObject | None,
                   properties: dict[str, Any]) -> tuple[StoredObject | None, Problem | None]:
        definitions = self.store.portal(object_type).properties
        clean, problems = check_properties(definitions, properties)
        if problems:
            return None, (400, E.validation_error(problems).body)
        conflict = self._unique_conflict(object_type, existing, clean)
        if conflict is not None:
            return None, conflict
        if object_type == "contacts" and existing is None:
            email = clean.get("email", "").strip().lower()
            if email and email in self.store.blocked_emails:
                return None, (400, E.error_body(
                    "VALIDATION_ERROR", "This email address was permanently deleted under GDPR and is blocked.",
                    errors=[{"message": "email is on the GDPR blocklist", "code": "EMAIL_BLOCKLISTED",
                             "in": "email"}]))
        if existing is None:
            return self.store.create(object_type, clean), None
        self.store.update(object_type, existing, clean)
        return existing, None

    def _unique_conflict(self, object_type: str, existing: StoredObject | None,
                         clean: dict[str, str]) -> Problem | None:
        portal = self.store.portal(object_type)
        for name in portal.unique_names():
            value = clean.get(name)
            if not value:
                continue
            owner = self.store.owner_of(object_type, name, value)
            if owner is not None and (existing is None or owner != existing.id):
                label = SINGULAR[object_type].lower()
                return 409, E.error_body(
                    "CONFLICT", f"A {label} with the same {name} already exists. Existing ID: {owner}",
                    errors=[{"message": f"{name} must be unique", "code": "DUPLICATE_UNIQUE_VALUE", "in": name}])
        return None

    @staticmethod
    def _as_batch_error(problem: Problem, trace_id: str | None) -> dict[str, Any]:
        _status, body = problem
        return E.standard_error(body.get("category", "VALIDATION_ERROR"), body.get("message", ""),
                                trace_id=trace_id, details=body.get("errors"))


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    raw = query.get(name, [str(default)])[0]
    try:
        return int(raw)
    except ValueError:
        raise E.http_error(400, "VALIDATION_ERROR", f"Invalid value for {name}: {raw}") from None
