"""Batch writes: upsert by ``idProperty``, update by record id, 100 inputs per call, one result per request.

Routing of each request:

* the identity map knows the HubSpot id (``target_id``) → ``batch/update`` by id (an e-mail change cannot fork
  the contact); if HubSpot no longer has that id the request falls back to an upsert;
* a contact with an e-mail (and ``contact_id_property: email``) → ``batch/upsert`` with ``idProperty=email``;
* anything else → ``batch/upsert`` with ``idProperty=<key_property>`` and the hub id as ``id``.

Every write also sets ``key_property`` to the hub id, a unique property, so a second record can never take the
same hub id. Every input carries an ``objectWriteTraceId`` (its position in the call), which switches HubSpot to
multi-status answers: a 207 lists the inputs that failed and the rest are written. Two requests for the same
record in one batch go in consecutive calls, since HubSpot refuses duplicate ids in one batch.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmhub_hubspot.associations import CompanyLinks
from crmhub_hubspot.client import HubSpotClient, HubSpotRequestError
from crmhub_hubspot.known import KnownValues
from crmhub_hubspot.schema import COMPANY_KEY, PropertyInfo, check_writable, value_problem
from hub.records import WriteOutcome, WriteRequest, WriteResult

BATCH_LIMIT = 100


@dataclass(slots=True)
class _Input:
    """One request on its way: where it goes, its HubSpot properties and the company to associate."""

    request: WriteRequest
    index: int  # position in the batch: results are matched by position, keys may repeat
    route: str  # "update" or the idProperty of an upsert
    id: str
    properties: dict[str, str]
    company_key: str | None = None


@dataclass(slots=True)
class _Outcome:
    results: dict[int, WriteResult] = field(default_factory=dict)
    retry_as_upsert: list[_Input] = field(default_factory=list)


def property_value(value: Any) -> str:
    """A Python value as the string HubSpot stores (``None`` clears the property)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        stamp: str = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        return stamp + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


class Writer:
    """Writes one stream's batches and maps HubSpot's answers back to the requests."""

    def __init__(self, client: HubSpotClient, key_property: str, contact_id_property: str,
                 schema: Callable[[str], dict[str, PropertyInfo]], links: CompanyLinks,
                 known: KnownValues) -> None:
        self.client = client
        self.known = known
        self.key_property = key_property
        self.contact_id_property = contact_id_property
        self.schema = schema
        self.links = links

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        properties = self.schema(stream)
        check_writable(stream, {name for request in batch for name in request.fields}, properties)
        results: dict[int, WriteResult] = {}
        inputs: list[_Input] = []
        emails: dict[str, str] = {}
        for index, request in enumerate(batch):
            prepared = self._prepare(stream, index, request, properties)
            if isinstance(prepared, WriteResult):
                results[index] = prepared
            elif (same := self.known.unchanged(stream, request.key, _values(prepared))) is not None:
                results[index] = WriteResult(request.key, WriteOutcome.UNCHANGED, same.target_id)
            elif prepared.route == "email" and emails.setdefault(prepared.id.lower(), request.key) != request.key:
                # HubSpot would merge both into one contact and the later hub id would overwrite the first.
                results[index] = _failed(prepared, "DUPLICATE_EMAIL",
                                               f"same e-mail as record {emails[prepared.id.lower()]} in this batch: "
                                               "one person under two hub ids needs a merge", retriable=False)
            else:
                inputs.append(prepared)
        retry: list[_Input] = []
        for call in _calls(inputs):
            outcome = self._send(stream, call)
            results.update(outcome.results)
            retry.extend(outcome.retry_as_upsert)
        for call in _calls([self._as_upsert(stream, i) for i in retry]):
            results.update(self._send(stream, call).results)
        self._associate(stream, inputs, results)
        for item in inputs:
            result = results[item.index]
            if result.outcome in (WriteOutcome.CREATED, WriteOutcome.UPDATED):
                values = _values(item)
                if item.company_key and self.links.pending.get(str(result.target_id)) == item.company_key:
                    values.pop(COMPANY_KEY)  # not associated yet: a rewrite must try again
                self.known.remember(stream, item.request.key, values, result.target_id)
            else:
                self.known.forget(stream, item.request.key)
        return [results[index] for index in range(len(batch))]

    # Preparation ------------------------------------------------------------------------------------
    def _prepare(self, stream: str, index: int, request: WriteRequest,
                 properties: dict[str, PropertyInfo]) -> _Input | WriteResult:
        values: dict[str, str] = {}
        company_key: str | None = None
        for name, raw in request.fields.items():
            if stream == "contacts" and name == COMPANY_KEY:
                company_key = property_value(raw) or None
                continue
            problem = value_problem(properties[name], raw)
            if problem is not None:
                return WriteResult(request.key, WriteOutcome.FAILED, request.target_id, "INVALID_OPTION",
                                   f"{name}: {problem}")
            values[name] = property_value(raw)
        values[self.key_property] = request.key
        item = _Input(request, index, "update", request.target_id or "", values, company_key)
        if request.target_id:
            return item
        return self._as_upsert(stream, item)

    def _as_upsert(self, stream: str, item: _Input) -> _Input:
        email = item.properties.get("email", "").strip()
        if stream == "contacts" and self.contact_id_property == "email" and email:
            item.route, item.id = "email", email
        elif stream == "contacts" and self.contact_id_property not in ("email", self.key_property) \
                and item.properties.get(self.contact_id_property):
            item.route, item.id = self.contact_id_property, item.properties[self.contact_id_property]
        else:
            item.route, item.id = self.key_property, item.request.key
        return item

    # Sending ----------------------------------------------------------------------------------------
    def _send(self, stream: str, call: list[_Input]) -> _Outcome:
        _, batch_api, _ = self.client.objects[stream]
        update = call[0].route == "update"
        body_inputs = []
        for trace, item in enumerate(call):
            entry: dict[str, Any] = {"id": item.id, "properties": item.properties, "objectWriteTraceId": str(trace)}
            if not update:
                entry["idProperty"] = item.route
            body_inputs.append(entry)
        outcome = _Outcome()
        try:
            answer = self.client.call(batch_api, "update" if update else "upsert", {"inputs": body_inputs})
        except HubSpotRequestError as err:
            code, message = _error_code(err.body)
            for item in call:
                outcome.results[item.index] = _failed(item, code, message, retriable=False)
            return outcome
        by_trace = {str(i): item for i, item in enumerate(call)}
        by_id = {_norm(item.route, item.id): item for item in call}
        for result in answer.body.get("results", []):
            found = by_trace.get(str(result.get("objectWriteTraceId"))) or self._match(result, by_id, update)
            if found is None:
                continue
            item = found
            created = bool(result.get("new")) and not update
            outcome.results[item.index] = WriteResult(
                item.request.key, WriteOutcome.CREATED if created else WriteOutcome.UPDATED, str(result["id"]))
        for error in answer.body.get("errors", []):
            traces = (error.get("context") or {}).get("objectWriteTraceId") or []
            code, message = _error_code(error)
            for trace in traces:
                traced = by_trace.get(str(trace))
                if traced is None:
                    continue
                item = traced
                if update and error.get("category") == "OBJECT_NOT_FOUND":
                    outcome.retry_as_upsert.append(item)  # the identity map is stale: HubSpot lost that id
                else:
                    outcome.results[item.index] = _failed(item, code, message, retriable=False)
        for item in call:
            if item.index not in outcome.results and item not in outcome.retry_as_upsert:
                outcome.results[item.index] = _failed(
                    item, "NO_RESULT", "HubSpot answered without a result for this record", retriable=True)
        return outcome

    def _match(self, result: dict[str, Any], by_id: dict[tuple[str, str], _Input], update: bool) -> _Input | None:
        """Fallback when HubSpot does not echo the trace id: match on the id or the idProperty value."""
        if update:
            return by_id.get(("update", str(result.get("id"))))
        props = result.get("properties") or {}
        for (route, key), item in by_id.items():
            if _norm(route, str(props.get(route, ""))) == (route, key):
                return item
        return None

    def _associate(self, stream: str, inputs: list[_Input], results: dict[int, WriteResult]) -> None:
        ok = (WriteOutcome.CREATED, WriteOutcome.UPDATED)
        if stream == "companies":
            self.links.companies_written({
                item.request.key: str(results[item.index].target_id)
                for item in inputs if results[item.index].outcome in ok})
            return
        pairs = [(str(results[i.index].target_id), i.company_key) for i in inputs
                 if i.company_key and results[i.index].outcome in ok]
        if pairs:
            self.links.link([(contact, key) for contact, key in pairs if key])


def _values(item: _Input) -> dict[str, str]:
    """The values a write sets, as HubSpot would hold them (the company key included)."""
    values = dict(item.properties)
    if item.company_key:
        values[COMPANY_KEY] = item.company_key
    return values


def _calls(inputs: list[_Input]) -> list[list[_Input]]:
    """Group by route, at most 100 per call, never the same record twice in one call."""
    calls: list[list[_Input]] = []
    by_route: dict[str, list[list[_Input]]] = {}
    seen: dict[str, list[set[tuple[str, str]]]] = {}
    for item in inputs:
        groups = by_route.setdefault(item.route, [])
        marks = seen.setdefault(item.route, [])
        key = _norm(item.route, item.id)
        for group, used in zip(groups, marks, strict=True):
            if len(group) < BATCH_LIMIT and key not in used:
                group.append(item)
                used.add(key)
                break
        else:
            groups.append([item])
            marks.append({key})
    for groups in by_route.values():
        calls.extend(groups)
    return calls


def _norm(route: str, value: str) -> tuple[str, str]:
    return route, value.strip().lower() if route == "email" else value


def _error_code(error: dict[str, Any]) -> tuple[str, str]:
    """HubSpot's most specific error code, and a message that names properties but never their values."""
    details = error.get("errors") or []
    category = str(error.get("category") or "ERROR")
    if details:
        codes = sorted({str(d.get("code") or category) for d in details})
        names = sorted({str(d.get("in")) for d in details if d.get("in")})
        where = f" on {', '.join(names)}" if names else ""
        return codes[0], f"HubSpot refused the record ({category}: {', '.join(codes)}{where})"
    return category, f"HubSpot refused the record ({category})"


def _failed(item: _Input, code: str, message: str, *, retriable: bool) -> WriteResult:
    return WriteResult(item.request.key, WriteOutcome.FAILED, item.request.target_id, code, message, retriable)
