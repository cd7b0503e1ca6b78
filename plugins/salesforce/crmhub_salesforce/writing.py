"""Upserts by external id: checks, lookup of what exists, then sObject Collections or Bulk API 2.0.

Order of work for one ``write`` call:

1. every field name is checked against describe (a missing or read-only field: ``SchemaError``);
2. every value is converted and checked like Salesforce would (a bad one fails that record only);
3. the keys are looked up; records whose fields already hold the values are ``unchanged`` and are
   not sent, records that would be created without a required field fail here;
4. the rest go out in sObject Collections of 200 (one result per record), or as one Bulk API 2.0
   job when there are at least ``bulk_threshold`` of them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmhub_salesforce.client import SalesforceApi, safe_message
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.schema import ObjectSchema, SfField, ValueProblem, same_value
from crmhub_salesforce.soql import in_clauses
from hub.errors import FatalError, QuotaExhaustedError, RetriableError
from hub.records import WriteOutcome, WriteRequest, WriteResult

COLLECTION_SIZE = 200
RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE",
                             "ALL_OR_NONE_OPERATION_ROLLED_BACK", "UNPROCESSED", "NOT_REPORTED",
                             "REQUEST_LIMIT_EXCEEDED"})


@dataclass(slots=True)
class Pending:
    """A request that passed the checks: its key and the values to send, in Salesforce's JSON form."""

    request: WriteRequest
    payload: dict[str, Any]
    fields: dict[str, SfField]


def failed(key: str, code: str, message: str, *, retriable: bool = False, target_id: str | None = None) -> WriteResult:
    return WriteResult(key=key, outcome=WriteOutcome.FAILED, code=code, message=safe_message(message),
                       retriable=retriable or code in RETRIABLE_CODES, target_id=target_id)


def lookup_rows(api: SalesforceApi, schema: ObjectSchema, keys: Sequence[str],
                fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Current rows by lower-cased key (external ids match case-insensitively in Salesforce)."""
    found: dict[str, dict[str, Any]] = {}
    key = schema.key.name
    for soql in in_clauses(schema, key, sorted(set(keys)), ["Id", key, *fields]):
        answer = api.call(f"lookup of {schema.name}", functools.partial(_query_all, soql))
        for row in answer.get("records", []):
            if row.get(key) is not None:
                found[str(row[key]).lower()] = {k: v for k, v in row.items() if k != "attributes"}
    return found


def _query_all(soql: str, sf: Any) -> Any:
    return sf.query_all(soql)


def _patch(path: str, body: dict[str, Any], sf: Any) -> Any:
    return sf.restful(path, method="PATCH", json=body)


class Writer:
    """Writes batches of one object."""

    def __init__(self, api: SalesforceApi, config: SalesforceConfig, schema: ObjectSchema) -> None:
        self.api = api
        self.config = config
        self.schema = schema

    def write(self, batch: Sequence[WriteRequest],
              known: dict[str, dict[str, Any]] | None = None) -> list[WriteResult]:
        """Upsert ``batch``; ``known`` are current rows by lower-cased key from a lookup just made."""
        results: dict[int, WriteResult] = {}
        pending = self._prepare(batch, results)
        if pending and (self.config.detect_unchanged or self.config.prevalidate):
            pending = self._against_current(pending, results, known)
        to_send = sorted(pending.items())
        if len(to_send) >= self.config.bulk_threshold:
            from crmhub_salesforce.bulkload import BulkUpsert

            sent = BulkUpsert(self.api, self.config, self.schema).run([p for _, p in to_send])
        else:
            sent = self._collections([p for _, p in to_send])
        for (index, _), result in zip(to_send, sent, strict=True):
            results[index] = result
        return [results[i] for i in range(len(batch))]

    # Checks -----------------------------------------------------------------------------------------
    def _prepare(self, batch: Sequence[WriteRequest], results: dict[int, WriteResult]) -> dict[int, Pending]:
        key = self.schema.key
        names = {name for req in batch for name in req.fields if name.lower() != key.name.lower()}
        fields = self.schema.writable(sorted(names))
        pending: dict[int, Pending] = {}
        seen_keys: set[str] = set()
        for index, req in enumerate(batch):
            if not req.key or (key.length and len(req.key) > key.length):
                results[index] = failed(req.key, "INVALID_KEY", f"the hub id must be 1-{key.length} characters to "
                                                                f"fit {key.name}")
                continue
            if req.key.lower() in seen_keys:
                # Salesforce fails every record sharing a key in one request; send this one next batch.
                results[index] = failed(req.key, "DUPLICATE_VALUE", "the same key occurs twice in one batch",
                                        retriable=True)
                continue
            seen_keys.add(req.key.lower())
            payload: dict[str, Any] = {}
            try:
                for name, value in req.fields.items():
                    if name.lower() == key.name.lower():
                        continue
                    field = fields[name]
                    payload[field.name] = field.to_wire(value)
            except ValueProblem as problem:
                results[index] = failed(req.key, problem.code, str(problem))
                continue
            pending[index] = Pending(req, payload, {f.name: f for f in fields.values()})
        return pending

    def _against_current(self, pending: dict[int, Pending], results: dict[int, WriteResult],
                         known: dict[str, dict[str, Any]] | None) -> dict[int, Pending]:
        written = sorted({name for p in pending.values() for name in p.payload})
        current = known if known is not None else lookup_rows(
            self.api, self.schema, [p.request.key for p in pending.values()], written)
        required = [f for f in self.schema.fields.values() if f.required_on_create]
        remaining: dict[int, Pending] = {}
        for index, item in pending.items():
            row = current.get(item.request.key.lower())
            if row is not None and self.config.detect_unchanged and all(
                    same_value(item.fields[name], value, row.get(name)) for name, value in item.payload.items()):
                results[index] = WriteResult(key=item.request.key, outcome=WriteOutcome.UNCHANGED,
                                             target_id=row.get("Id"))
                continue
            if row is None and self.config.prevalidate:
                missing = [f.name for f in required if item.payload.get(f.name) is None]
                if missing:
                    results[index] = failed(item.request.key, "REQUIRED_FIELD_MISSING",
                                            f"Required fields are missing: [{', '.join(missing)}]")
                    continue
            remaining[index] = item
        return remaining

    # sObject Collections ----------------------------------------------------------------------------
    def _collections(self, items: list[Pending]) -> list[WriteResult]:
        out: list[WriteResult] = []
        obj, key = self.schema.name, self.schema.key.name
        path = f"composite/sobjects/{obj}/{key}"
        for start in range(0, len(items), COLLECTION_SIZE):
            chunk = items[start:start + COLLECTION_SIZE]
            body = {"allOrNone": False, "records": [
                {"attributes": {"type": obj}, key: item.request.key, **item.payload} for item in chunk]}
            try:
                answer = self.api.call(f"upsert of {len(chunk)} {obj}", functools.partial(_patch, path, body))
            except (RetriableError, QuotaExhaustedError) as exc:
                if not out:
                    raise  # nothing written in this call yet: let the engine back off and retry the batch
                code = "REQUEST_LIMIT_EXCEEDED" if isinstance(exc, QuotaExhaustedError) else "RETRIABLE"
                out += [failed(i.request.key, code, exc.public_message, retriable=True) for i in items[start:]]
                return out
            out += self._collection_results(chunk, answer)
        return out

    def _collection_results(self, chunk: list[Pending], answer: Any) -> list[WriteResult]:
        if not isinstance(answer, list) or len(answer) != len(chunk):
            raise FatalError(f"Salesforce answered {len(answer) if isinstance(answer, list) else 'no'} results "
                              f"for {len(chunk)} records")
        out = []
        for item, result in zip(chunk, answer, strict=True):
            key = item.request.key
            if result.get("success"):
                outcome = WriteOutcome.CREATED if result.get("created") else WriteOutcome.UPDATED
                out.append(WriteResult(key=key, outcome=outcome, target_id=result.get("id")))
                continue
            errors = result.get("errors") or [{}]
            first = errors[0]
            code = str(first.get("statusCode") or "UNKNOWN")
            message = "; ".join(str(e.get("message", "")) for e in errors)
            out.append(failed(key, code, message))
        return out
