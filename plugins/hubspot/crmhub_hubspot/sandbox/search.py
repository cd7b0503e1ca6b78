"""The CRM search endpoint: ``filterGroups`` (OR of ANDs), one sort, ``after`` offsets, the 10,000-result cap.

Limits as HubSpot documents them: at most 5 filter groups, 6 filters per group and 18 in all; one sort;
at most 200 results per page; paging past the 10,000th result answers 400. Archived records are never
returned. ``search_lag_ms`` makes a change visible to search only after a delay, like HubSpot's index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crmhub_hubspot.sandbox.errors import HttpError, http_error
from crmhub_hubspot.sandbox.store import StoredObject, parse_time

MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 6, 18
MAX_PAGE, RESULT_CAP = 200, 10_000
OPERATORS = frozenset({
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
    "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
})
NUMERIC_TYPES = frozenset({"number", "datetime", "date"})

Predicate = Callable[[StoredObject], bool]


def _bad(message: str) -> HttpError:
    return http_error(400, "VALIDATION_ERROR", message)


def _comparable(kind: str, value: str) -> Any:
    if kind in ("datetime", "date"):
        parsed = parse_time(value)
        if parsed is None:
            raise _bad(f"Invalid filter value {value!r} for a {kind} property")
        return parsed
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise _bad(f"Invalid filter value {value!r} for a number property") from None
    return value.lower()


def compile_filter(raw: dict[str, Any], definitions: dict[str, dict[str, Any]]) -> Predicate:
    """One filter as a predicate over stored objects."""
    name, operator = raw.get("propertyName"), raw.get("operator")
    if not isinstance(name, str) or name not in definitions:
        raise _bad(f"There was a problem with the request. Unknown property: {name}")
    if operator not in OPERATORS:
        raise _bad(f"There was a problem with the request. Unknown operator: {operator}")
    kind = definitions[name]["type"]
    if operator == "HAS_PROPERTY":
        return lambda o: bool(o.properties.get(name))
    if operator == "NOT_HAS_PROPERTY":
        return lambda o: not o.properties.get(name)
    if operator in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise _bad(f"Filter {operator} on {name} needs a non-empty 'values' list")
        wanted = {_comparable(kind, str(v)) for v in values}
        inside = operator == "IN"
        return lambda o: (_value_of(o, name, kind) in wanted) == inside
    if "value" not in raw:
        raise _bad(f"Filter {operator} on {name} needs a 'value'")
    target = _comparable(kind, str(raw["value"]))
    if operator == "BETWEEN":
        if "highValue" not in raw:
            raise _bad(f"Filter BETWEEN on {name} needs a 'highValue'")
        high = _comparable(kind, str(raw["highValue"]))
        return lambda o: _in_range(_value_of(o, name, kind), target, high)
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(raw["value"]).lower().strip("*")
        contains = operator == "CONTAINS_TOKEN"
        return lambda o: (token in o.properties.get(name, "").lower()) == contains
    compare = _COMPARISONS[operator]
    return lambda o: compare(_value_of(o, name, kind), target)


def _in_range(value: Any, low: Any, high: Any) -> bool:
    return value is not None and low <= value <= high


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda v, t: v == t,
    "NEQ": lambda v, t: v != t,
    "LT": lambda v, t: v is not None and v < t,
    "LTE": lambda v, t: v is not None and v <= t,
    "GT": lambda v, t: v is not None and v > t,
    "GTE": lambda v, t: v is not None and v >= t,
}


_FAST: dict[str, Callable[[StoredObject], Any]] = {
    # The properties every incremental query filters and sorts on, read without parsing strings.
    "lastmodifieddate": lambda o: o.updated_ms,
    "hs_lastmodifieddate": lambda o: o.updated_ms,
    "createdate": lambda o: o.created_ms,
    "hs_object_id": lambda o: float(o.id),
}


def _value_of(obj: StoredObject, name: str, kind: str) -> Any:
    fast = _FAST.get(name)
    if fast is not None:
        return fast(obj)
    raw = obj.properties.get(name)
    if raw is None or raw == "":
        return None
    if kind in ("datetime", "date"):
        return parse_time(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return None
    return raw.lower()


def compile_query(body: dict[str, Any], definitions: dict[str, dict[str, Any]]) -> tuple[Predicate, str | None, bool]:
    """Validate a search body; returns (predicate, sort property, descending)."""
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise _bad(f"Too many filter groups: at most {MAX_GROUPS} are allowed")
    compiled: list[list[Predicate]] = []
    total = 0
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or not filters:
            raise _bad("Each filter group needs a non-empty 'filters' list")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise _bad(f"Too many filters in a group: at most {MAX_FILTERS_PER_GROUP} are allowed")
        total += len(filters)
        compiled.append([compile_filter(f, definitions) for f in filters])
    if total > MAX_FILTERS:
        raise _bad(f"Too many filters: at most {MAX_FILTERS} are allowed in all groups")
    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        raise _bad("Only one sort is allowed per search")
    sort_name: str | None = None
    descending = False
    if sorts:
        sort = sorts[0]
        if isinstance(sort, str):
            descending, sort_name = sort.startswith("-"), sort.lstrip("-")
        elif isinstance(sort, dict):
            sort_name = sort.get("propertyName")
            descending = sort.get("direction", "ASCENDING") == "DESCENDING"
        if sort_name not in definitions:
            raise _bad(f"Unknown sort property: {sort_name}")

    def predicate(obj: StoredObject) -> bool:
        return not compiled or any(all(f(obj) for f in group) for group in compiled)

    return predicate, sort_name, descending


def sort_key(name: str | None, definitions: dict[str, dict[str, Any]]) -> Callable[[StoredObject], Any]:
    """HubSpot orders by the sort property, ties (and the unsorted case) by record id."""
    if name is None:
        return lambda o: (0, int(o.id))
    kind = definitions[name]["type"]

    def key(obj: StoredObject) -> Any:
        value = _value_of(obj, name, kind)
        missing = value is None
        return (missing, value if not missing else 0, int(obj.id))

    return key


def page_bounds(body: dict[str, Any]) -> tuple[int, int]:
    """``(offset, limit)`` from ``after``/``limit``, refusing what HubSpot refuses."""
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise _bad(f"limit must be between 1 and {MAX_PAGE}")
    after = body.get("after") or "0"
    try:
        offset = int(str(after))
    except ValueError:
        raise _bad(f"Invalid 'after' value: {after}") from None
    if offset >= RESULT_CAP:
        raise _bad(f"The search request exceeds the maximum of {RESULT_CAP} results. "
                   "Narrow the search with filters.")
    return offset, limit
