"""The Zoho CRM connector: Contacts, Accounts and Leads through Zoho's ``zohocrmsdk8-0`` SDK (API v8)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from crmhub_zoho.config import ZohoConfig
from crmhub_zoho.consent import CONSENT_FIELD, complete_block
from crmhub_zoho.cursor import ReadCursor, parse_time
from crmhub_zoho.fields import (
    FieldValueError,
    ZohoField,
    consent_parts,
    describe,
    flatten_record,
    same_block,
    same_value,
    to_sdk_record,
)
from hub.connectors.api import Capability, Connector, ConnectorContext, StreamInfo
from hub.errors import CrmhubError, FatalError, SchemaError
from hub.records import Checkpoint, CheckResult, DeletedRecord, SourceRecord, WriteOutcome, WriteRequest, WriteResult

if TYPE_CHECKING:
    from crmhub_zoho import operations as ops
    from crmhub_zoho.client import ZohoClient
else:

    class _OnFirstUse:
        """Imports a module on first attribute access: Zoho's SDK takes seconds to import, and
        registering the connector must not make every ``crmhub`` command wait for it."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attribute: str) -> Any:
            return getattr(importlib.import_module(self._name), attribute)

    ops = _OnFirstUse("crmhub_zoho.operations")

DISCRETE_PAGE_LIMIT = 2000
PAGE_TOKEN_RECORD_LIMIT = 100_000
MAX_FIELDS = 50


class ZohoConnector(Connector):
    """Reads incrementally by ``Modified_Time``, upserts by the hub id field, detects deletes."""

    name: ClassVar[str] = "zoho"
    config_model: ClassVar[type[ZohoConfig]] = ZohoConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.READ, Capability.WRITE, Capability.INCREMENTAL, Capability.DELETE_DETECTION,
        Capability.DELETE, Capability.LOOKUP, Capability.CLEAR,
    })
    default_mapping: ClassVar[str | None] = "zoho"
    write_batch_size: ClassVar[int] = 100

    def __init__(self, config: ZohoConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.config: ZohoConfig = config
        self._client: ZohoClient | None = None
        self._fields: dict[str, dict[str, ZohoField]] = {}
        # what the last lookup found per (stream, key): the engine looks a batch up, then writes it
        self._looked_up: dict[tuple[str, str], dict[str, Any] | None] = {}

    # Lifecycle --------------------------------------------------------------------------------------
    def open(self) -> None:
        if self._client is None:
            from crmhub_zoho.client import ZohoClient

            self._client = ZohoClient(self.config, self.context.connection, self.context.work_dir, self.context.kv)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> ZohoClient:
        if self._client is None:
            self.open()
        assert self._client is not None
        return self._client

    # Schema -----------------------------------------------------------------------------------------
    def fields_of(self, module: str) -> dict[str, ZohoField]:
        if module not in self.config.modules:
            raise SchemaError(f"Zoho module {module!r} is not configured (modules: {', '.join(self.config.modules)})")
        if module not in self._fields:
            self._fields[module] = describe(ops.fields(self.client, module))
        return self._fields[module]

    def check(self) -> CheckResult:
        try:
            found = self.fields_of(self.config.modules[0])
        except FatalError as exc:
            return CheckResult(ok=False, problems=[exc.public_message])
        problems = []
        if self.config.key_field not in found or not found[self.config.key_field].spec.unique:
            problems.append(f"{self.config.modules[0]} has no unique field {self.config.key_field!r} for the hub id")
        return CheckResult(ok=not problems, problems=problems, details={"api_domain": self.config.api_domain})

    def discover(self) -> list[StreamInfo]:
        infos = []
        for module in self.config.modules:
            found = self.fields_of(module)
            infos.append(StreamInfo(name=module, fields={n: f.spec for n, f in found.items()}, primary_key="id",
                                    cursor_field="Modified_Time", key_field=self.config.key_field))
        return infos

    def _read_fields(self, module: str) -> list[str]:
        names = ["Modified_Time", "Created_Time"]
        for name, f in self.fields_of(module).items():
            base = name.split(".", 1)[0]
            if base not in names and base != "Data_Processing_Basis" and not f.spec.read_only:
                names.append(base)
        return names[:MAX_FIELDS]

    # Read -------------------------------------------------------------------------------------------
    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        cursor = ReadCursor.load(checkpoint.cursor if checkpoint else None)
        overlap = self.config.overlap_seconds
        names = self._read_fields(stream)
        since = cursor.since(overlap)
        token: str | None = None
        page, served = 1, 0
        while True:
            result = ops.records_page(self.client, stream, names, per_page=self.config.page_size,
                                      page_token=token, page=None if token else page, since=since)
            for raw in result.records:
                record_id = int(raw["id"])
                modified = parse_time(str(raw["Modified_Time"]))
                if cursor.seen(modified, record_id):
                    continue
                cursor.advance(modified, record_id, overlap)
                yield SourceRecord(id=str(record_id), data=flatten_record(raw), ref=f"Zoho {stream} {record_id}",
                                   updated_at=modified)
            served += len(result.records)
            cursor.prune(overlap)
            yield Checkpoint(stream, cursor.dump())
            if not result.more:
                return
            if result.next_page_token and served + self.config.page_size <= PAGE_TOKEN_RECORD_LIMIT:
                token, page = result.next_page_token, page + 1
            elif (page + 1) * self.config.page_size <= DISCRETE_PAGE_LIMIT and not token:
                page += 1
            else:  # past what one query may return: start again from the cursor
                token, page, served = None, 1, 0
                since = cursor.since(0)

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        start = parse_time(since.cursor["deleted"]) if since and since.cursor.get("deleted") else None
        seen_ids = set((since.cursor.get("ids") or []) if since else [])
        ask = start - dt.timedelta(seconds=self.config.overlap_seconds + 1) if start else None
        found: list[tuple[dt.datetime, str]] = []
        page = 1
        while True:
            result = ops.deleted_page(self.client, stream, page=page, per_page=self.config.page_size, since=ask)
            for raw in result.records:
                when = parse_time(str(raw["deleted_time"]))
                if start is None or when > start or (when == start and str(raw["id"]) not in seen_ids):
                    found.append((when, str(raw["id"])))
            if not result.more:
                break
            page += 1
        found.sort()
        for when, record_id in found:
            yield DeletedRecord(id=record_id, deleted_at=when)
        if found:
            last = found[-1][0]
            ids = [rid for when, rid in found if when == last] + (list(seen_ids) if last == start else [])
            yield Checkpoint(stream, {"deleted": last.isoformat(), "ids": sorted(set(ids))})
        else:
            yield Checkpoint(stream, dict(since.cursor) if since else {"deleted": None, "ids": []})

    # Write ------------------------------------------------------------------------------------------
    def _writable(self, stream: str, batch: Sequence[WriteRequest]) -> dict[str, ZohoField]:
        found = self.fields_of(stream)
        key = found.get(self.config.key_field)
        if key is None or not key.spec.unique:
            raise SchemaError(f"Zoho {stream} has no unique field {self.config.key_field!r} to hold the hub id")
        for request in batch:
            for name in request.fields:
                f = found.get(name)
                if f is None or f.spec.read_only:
                    raise SchemaError(f"Zoho {stream} has no writable field {name!r} (record {request.key})")
        return found

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        found = self._writable(stream, batch)
        results: dict[str, WriteResult] = {}
        carries_consent = any(n == CONSENT_FIELD or n.startswith(CONSENT_FIELD + ".") for r in batch for n in r.fields)
        current = self._current(stream, batch) if self.config.detect_unchanged or carries_consent else {}
        pending: list[WriteRequest] = []
        for request in batch:
            now = current.get(request.key)
            fields = _settle_consent(request.fields, now)
            if self.config.detect_unchanged and now is not None and _unchanged(found, fields, now):
                results[request.key] = WriteResult(request.key, WriteOutcome.UNCHANGED, target_id=now.get("id"))
            else:
                pending.append(WriteRequest(request.key, fields, request.target_id))
        key_field = self.config.key_field
        for start in range(0, len(pending), self.config.write_batch):
            chunk, records = [], []
            for request in pending[start:start + self.config.write_batch]:
                try:
                    records.append(to_sdk_record(found, {**request.fields, key_field: request.key}))
                except FieldValueError as exc:
                    results[request.key] = WriteResult(request.key, WriteOutcome.FAILED, code="INVALID_DATA",
                                                       message=str(exc))
                    continue
                chunk.append(request)
            if not chunk:
                continue
            _, answers = ops.upsert(self.client, stream, records, [key_field])
            if len(answers) != len(chunk):
                raise FatalError(f"Zoho upsert into {stream} answered {len(answers)} results for {len(chunk)} records")
            for request, answer in zip(chunk, answers, strict=True):
                results[request.key] = _result(request.key, answer)
        return [results[r.key] for r in batch]

    def _current(self, stream: str, batch: Sequence[WriteRequest]) -> dict[str, dict[str, Any]]:
        """What Zoho holds for the batch: the engine's lookup of it when there was one, else a lookup now."""
        cached = {r.key: self._looked_up.pop((stream, r.key)) for r in batch if (stream, r.key) in self._looked_up}
        missing = [r for r in batch if r.key not in cached]
        current = {k: v for k, v in cached.items() if v is not None}
        if missing:
            current.update(self._lookup(stream, [r.key for r in missing], {r.key: r.target_id for r in missing}))
        return current

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        found = self._lookup(stream, keys, {})
        self._looked_up = {(stream, k): found.get(k) for k in keys}
        return found

    def _lookup(self, stream: str, keys: Sequence[str], target_ids: dict[str, str | None]) -> dict[str, dict[str, Any]]:
        from crmhub_zoho.lookup import lookup_by_keys

        return lookup_by_keys(self.client, stream, self.config.key_field, self._read_fields(stream), keys, target_ids)

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        current = self._lookup(stream, keys, {})
        results = {k: WriteResult(k, WriteOutcome.UNCHANGED, message="not in Zoho") for k in keys if k not in current}
        present = [k for k in keys if k in current]
        for start in range(0, len(present), 100):
            chunk = present[start:start + 100]
            answers = ops.delete(self.client, stream, [str(current[k]["id"]) for k in chunk])
            for key, answer in zip(chunk, answers, strict=True):
                ok = answer.get("status") == "success"
                results[key] = WriteResult(key, WriteOutcome.DELETED if ok else WriteOutcome.FAILED,
                                           target_id=str(current[key]["id"]),
                                           code=None if ok else str(answer.get("code")),
                                           message=None if ok else str(answer.get("message")))
        return [results[k] for k in keys]


def _settle_consent(fields: dict[str, Any], now: dict[str, Any] | None) -> dict[str, Any]:
    """``fields`` with the consent block (whole or in parts) made whole over what Zoho holds, basis settled."""
    if not any(n == CONSENT_FIELD or n.startswith(CONSENT_FIELD + ".") for n in fields):
        return fields
    block = complete_block(consent_parts(fields), (now or {}).get(CONSENT_FIELD))
    settled = {n: v for n, v in fields.items() if n != CONSENT_FIELD and not n.startswith(CONSENT_FIELD + ".")}
    if block is not None:
        settled[CONSENT_FIELD] = block
    return settled


def _unchanged(found: dict[str, ZohoField], fields: dict[str, Any], now: dict[str, Any]) -> bool:
    for name, value in fields.items():
        if name == CONSENT_FIELD:
            if not same_block(value, now.get(CONSENT_FIELD)):
                return False
        elif not same_value(found[name].spec.type, value, now.get(name)):
            return False
    return True


def _result(key: str, answer: dict[str, Any]) -> WriteResult:
    found = answer.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    if answer.get("status") == "success":
        outcome = WriteOutcome.CREATED if answer.get("action") == "insert" else WriteOutcome.UPDATED
        return WriteResult(key, outcome, target_id=str(details.get("id")))
    code = str(answer.get("code") or "UNKNOWN")
    where = details.get("api_name")
    message = f"{answer.get('message')}" + (f" (field {where})" if where else "")
    if code == "DUPLICATE_DATA" and isinstance(details.get("duplicate_record"), dict):
        message += f"; existing record {details['duplicate_record'].get('id')}"
    return WriteResult(key, WriteOutcome.FAILED, code=code, message=message,
                       retriable=code in ("INTERNAL_ERROR", "RECORD_LOCKED"))


__all__ = ["CrmhubError", "ZohoConnector"]
