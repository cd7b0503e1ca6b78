"""Search, merge and GDPR deletion: the endpoints that act on objects beyond plain reads and writes."""

from __future__ import annotations

import bisect
import json
import time
from typing import Any

from crmhub_hubspot.sandbox import errors as E
from crmhub_hubspot.sandbox.objects import Answer, render
from crmhub_hubspot.sandbox.search import compile_query, page_bounds, sort_key
from crmhub_hubspot.sandbox.store import Store, StoredObject


class Lifecycle:
    """Search (with a per-query result cache), merge and gdpr-delete for one sandbox portal."""

    def __init__(self, store: Store, search_lag_ms: int = 0) -> None:
        self.store = store
        self.search_lag_ms = search_lag_ms
        self._cache: dict[str, tuple[int, list[StoredObject]]] = {}

    def search(self, object_type: str, body: dict[str, Any]) -> Answer:
        offset, limit = page_bounds(body)
        portal = self.store.portal(object_type)
        definitions = portal.properties
        query, after_id = _split_keyset(body)
        key = object_type + json.dumps({k: v for k, v in query.items() if k not in ("after", "limit")},
                                       sort_keys=True)
        with self.store.lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == self.store.version and not self.search_lag_ms:
                matches = cached[1]
            else:
                predicate, sort_name, descending = compile_query(query, definitions)
                horizon = int(time.time() * 1000) - self.search_lag_ms
                matches = [o for o in portal.records.values()
                           if not o.archived and o.updated_ms <= horizon and predicate(o)]
                matches.sort(key=sort_key(sort_name, definitions), reverse=descending)
                if len(self._cache) > 32:
                    self._cache.clear()
                self._cache[key] = (self.store.version, matches)
            if after_id is not None:
                # Sorted by id: the "hs_object_id > n" filter is a cut, not a scan (keyset paging stays cheap).
                matches = matches[bisect.bisect_right(matches, after_id, key=lambda o: int(o.id)):]
            wanted = body.get("properties") or []
            page = matches[offset:offset + limit]
            results = [render(o, object_type, wanted) for o in page]
        answer: dict[str, Any] = {"total": len(matches), "results": results}
        if offset + limit < len(matches):
            answer["paging"] = {"next": {"after": str(offset + limit)}}
        return Answer(200, answer)

    def merge(self, object_type: str, body: dict[str, Any]) -> Answer:
        primary_id, merged_id = str(body.get("primaryObjectId", "")), str(body.get("objectIdToMerge", ""))
        if not primary_id or not merged_id:
            raise E.http_error(400, "VALIDATION_ERROR", "primaryObjectId and objectIdToMerge are required")
        if primary_id == merged_id:
            raise E.http_error(400, "VALIDATION_ERROR", "Cannot merge an object with itself")
        with self.store.lock:
            primary = self.store.find(object_type, "hs_object_id", primary_id)
            merged = self.store.find(object_type, "hs_object_id", merged_id)
            if primary is None or merged is None:
                raise E.http_error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            # The primary keeps its values; the merged object's values fill the primary's empty properties.
            fill = {k: v for k, v in merged.properties.items()
                    if not primary.properties.get(k) and not self._read_only(object_type, k)}
            for name in self.store.portal(object_type).unique_names():
                fill.pop(name, None)
            if object_type == "contacts":
                for company_id in self.store.companies_of(merged.id):
                    self.store.associate(primary.id, company_id)
            else:
                for contact_id in self.store.contacts_of(merged.id):
                    self.store.associate(contact_id, primary.id)
            self.store.archive(object_type, merged)
            self.store.update(object_type, primary, fill)
            return Answer(200, render(primary, object_type, list(fill)), committed=True)

    def gdpr_delete(self, body: dict[str, Any]) -> Answer:
        object_id = str(body.get("objectId", ""))
        id_property = body.get("idProperty") or "hs_object_id"
        if not object_id:
            raise E.http_error(400, "VALIDATION_ERROR", "objectId is required")
        with self.store.lock:
            obj = self.store.find("contacts", id_property, object_id)
            if obj is None:
                raise E.http_error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            self.store.purge("contacts", obj)
        return Answer(204, committed=True)

    def _read_only(self, object_type: str, name: str) -> bool:
        definition = self.store.portal(object_type).properties.get(name)
        return definition is None or bool(definition["modificationMetadata"]["readOnlyValue"])


def _split_keyset(body: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Take an ``hs_object_id GT n`` filter out of a one-group query sorted by id ascending."""
    groups = body.get("filterGroups") or []
    sorts = body.get("sorts") or []
    ascending_by_id = len(sorts) == 1 and (sorts[0] == "hs_object_id" or (
        isinstance(sorts[0], dict) and sorts[0].get("propertyName") == "hs_object_id"
        and sorts[0].get("direction", "ASCENDING") == "ASCENDING"))
    if len(groups) != 1 or not ascending_by_id or not isinstance(groups[0], dict):
        return body, None
    filters = groups[0].get("filters") or []
    cuts = [f for f in filters if isinstance(f, dict) and f.get("propertyName") == "hs_object_id"
            and f.get("operator") == "GT" and str(f.get("value", "")).isdigit()]
    if len(cuts) != 1 or len(filters) == 1:
        return body, None
    query = dict(body)
    query["filterGroups"] = [{**groups[0], "filters": [f for f in filters if f is not cuts[0]]}]
    return query, int(cuts[0]["value"])
