"""The Salesforce connector: describe-driven discovery, incremental reads, upserts, deletes, erasure.

Streams are Salesforce object names (``Contact``, ``Account``, ``Lead`` by default). Records are
keyed in Salesforce by an external-id field (``Crmhub_Id__c``) holding the hub id. Merge is not
offered: the REST API has no merge resource (only SOAP ``merge()`` and Apex do), see the README.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from crmhub_salesforce.client import SalesforceApi
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.consent import (
    CONSENT,
    INDIVIDUAL,
    PURPOSE,
    ConsentReader,
    PurposeResolver,
    consent_fields,
    is_consent_field,
)
from crmhub_salesforce.consent_writing import ConsentWriter
from crmhub_salesforce.reading import read_records
from crmhub_salesforce.schema import ObjectSchema, format_datetime, parse_datetime
from crmhub_salesforce.writing import COLLECTION_SIZE, Writer, failed, lookup_rows
from hub.connectors.api import Capability, Connector, ConnectorConfig, ConnectorContext, StreamInfo
from hub.errors import ConfigError, CrmhubError
from hub.records import Checkpoint, CheckResult, DeletedRecord, SourceRecord, WriteOutcome, WriteRequest, WriteResult

RECENT_LOOKUP_SECONDS = 30.0
DELETE_LOG_DAYS = 15
DELETE_LOG_MARGIN = dt.timedelta(hours=1)
MIN_DELETED_WINDOW = dt.timedelta(seconds=61)


def _delete_call(params: dict[str, str], sf: Any) -> Any:
    return sf.restful("composite/sobjects", method="DELETE", params=params)


class SalesforceConnector(Connector):
    """Reads and writes Salesforce objects through simple-salesforce."""

    name: ClassVar[str] = "salesforce"
    config_model: ClassVar[type[ConnectorConfig]] = SalesforceConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.READ, Capability.WRITE, Capability.INCREMENTAL, Capability.DELETE_DETECTION,
        Capability.DELETE, Capability.LOOKUP, Capability.BULK, Capability.ERASE, Capability.CLEAR})
    default_mapping: ClassVar[str | None] = "salesforce"
    write_batch_size: ClassVar[int] = 20_000
    """Large enough that a full batch takes the Bulk API 2.0 path (``bulk_threshold``, default 10,000)."""

    def __init__(self, config: ConnectorConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        assert isinstance(config, SalesforceConfig)
        self.settings: SalesforceConfig = config
        self._api: SalesforceApi | None = None
        self._schemas: dict[str, ObjectSchema] = {}
        self._consent_schemas: dict[str, ObjectSchema] = {}
        self._reader: ConsentReader | None = None
        self._purpose: PurposeResolver | None = None
        self._recent: dict[str, tuple[float, set[str], dict[str, dict[str, Any]]]] = {}
        """The last lookup per object: (when, keys asked, rows found), reused by the write that follows."""

    # Lifecycle --------------------------------------------------------------------------------------
    def open(self) -> None:
        if self._api is None:
            self._api = SalesforceApi(self.settings, self.context.kv)

    def close(self) -> None:
        if self._api is not None:
            self._api.session.close()
            self._api = None

    @property
    def api(self) -> SalesforceApi:
        self.open()
        assert self._api is not None
        return self._api

    def schema(self, stream: str) -> ObjectSchema:
        """Describe of ``stream`` (fetched once per connection)."""
        wanted = {o.lower(): o for o in self.settings.objects}
        obj = wanted.get(stream.lower())
        if obj is None:
            raise ConfigError(f"salesforce: stream {stream!r} is not one of the configured objects "
                              f"({', '.join(self.settings.objects)})")
        if obj not in self._schemas:
            schema = ObjectSchema(obj, self._describe(obj), self.settings.key_field_of(obj))
            if self._carries_consent(schema):
                schema.add_fields(consent_fields(self._plain_schema(INDIVIDUAL), self._plain_schema(CONSENT)))
            self._schemas[obj] = schema
        return self._schemas[obj]

    def _describe(self, obj: str) -> Any:
        return self.api.call(f"describe of {obj}", lambda sf: getattr(sf, obj).describe())

    def _plain_schema(self, obj: str) -> ObjectSchema:
        """Describe of an object the hub reads and writes for Contact's consent (keyed by Id)."""
        if obj not in self._consent_schemas:
            self._consent_schemas[obj] = ObjectSchema(obj, self._describe(obj), None)
        return self._consent_schemas[obj]

    def _carries_consent(self, schema: ObjectSchema) -> bool:
        return self.settings.consent_objects and schema.name == "Contact"

    @property
    def _consent_reader(self) -> ConsentReader:
        if self._reader is None:
            self._purpose = PurposeResolver(self.api, self._plain_schema(PURPOSE), self.settings.consent_purpose)
            schemas = {name: self._plain_schema(name) for name in (INDIVIDUAL, CONSENT)}
            self._reader = ConsentReader(self.api, schemas, self._purpose.find)
        return self._reader

    def _enricher(self, schema: ObjectSchema) -> Callable[[list[dict[str, Any]]], None] | None:
        return self._consent_reader.enrich if self._carries_consent(schema) else None

    # Verbs ------------------------------------------------------------------------------------------
    def check(self) -> CheckResult:
        problems: list[str] = []
        details: dict[str, Any] = {}
        for obj in self.settings.objects:
            try:
                self.schema(obj)
            except CrmhubError as exc:
                problems.append(f"{obj}: {exc.public_message}")
                if not self._schemas:
                    break  # auth or network: every object would fail the same way
        budget = self.api.budget
        if budget.limit is not None:
            details["api_usage"] = f"{budget.used}/{budget.limit}"
        return CheckResult(ok=not problems, problems=problems, details=details)

    def discover(self) -> list[StreamInfo]:
        return [self.schema(obj).stream_info() for obj in self.settings.objects]

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        schema = self.schema(stream)
        yield from read_records(self.api, self.settings, schema, checkpoint, self._enricher(schema))

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        if not batch:
            return []
        schema = self.schema(stream)
        writer = Writer(self.api, self.settings, schema)
        known = self._recent_rows(schema.name, batch)
        if self._carries_consent(schema) and any(is_consent_field(n) for r in batch for n in r.fields):
            reader = self._consent_reader
            assert self._purpose is not None
            return ConsentWriter(self.api, schema, reader, self._purpose.ensure).write(batch, known, writer)
        return writer.write(batch, known)

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        schema = self.schema(stream)
        rows = lookup_rows(self.api, schema, list(keys), schema.names())
        enrich = self._enricher(schema)
        if enrich is not None and rows:
            enrich(list(rows.values()))
        self._recent[schema.name] = (time.monotonic(), {k.lower() for k in keys}, rows)
        return {key: rows[key.lower()] for key in keys if key.lower() in rows}

    def _recent_rows(self, obj: str, batch: Sequence[WriteRequest]) -> dict[str, dict[str, Any]] | None:
        """Rows of the lookup the engine made just before this write, when it covered every key.

        The engine looks the batch up to decide what changed, then writes it: reusing that answer
        saves a second lookup per batch. It is used once, and only while fresh.
        """
        recent = self._recent.pop(obj, None)
        if recent is None or time.monotonic() - recent[0] > RECENT_LOOKUP_SECONDS:
            return None
        _, asked, rows = recent
        if not all(request.key.lower() in asked for request in batch):
            return None
        return rows

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        """Deletions from Salesforce's delete log (``sobjects/X/deleted``), minute by minute."""
        schema = self.schema(stream)
        now = dt.datetime.now(dt.UTC)
        horizon = now - dt.timedelta(days=DELETE_LOG_DAYS) + DELETE_LOG_MARGIN
        start = parse_datetime(since.cursor["latest"]) if since and since.cursor.get("latest") else horizon
        if start < horizon:
            self.context.logger.warning("salesforce: %s delete log checked last before the %d-day horizon; "
                                        "deletions in between may be missed, reconcile the stream",
                                        schema.name, DELETE_LOG_DAYS)
            start = horizon
        if now - start < MIN_DELETED_WINDOW:
            yield Checkpoint(schema.name, {"latest": format_datetime(start)})
            return
        answer = self.api.call(f"deleted records of {schema.name}",
                               lambda sf: getattr(sf, schema.name).deleted(start, now))
        for item in answer.get("deletedRecords", []):
            yield DeletedRecord(id=str(item["id"]), deleted_at=parse_datetime(str(item["deletedDate"])))
        yield Checkpoint(schema.name, {"latest": str(answer.get("latestDateCovered") or format_datetime(start))})

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        """Move the records with these keys to the recycle bin (sObject Collections delete)."""
        schema = self.schema(stream)
        rows = lookup_rows(self.api, schema, list(keys), [])
        results: dict[str, WriteResult] = {}
        targets = [(key, str(rows[key.lower()]["Id"])) for key in keys if key.lower() in rows]
        for key in keys:
            if key.lower() not in rows:
                results[key] = WriteResult(key=key, outcome=WriteOutcome.UNCHANGED)
        for start in range(0, len(targets), COLLECTION_SIZE):
            chunk = targets[start:start + COLLECTION_SIZE]
            params = {"ids": ",".join(rid for _, rid in chunk), "allOrNone": "false"}
            answer = self.api.call(f"delete of {len(chunk)} {schema.name}", functools.partial(_delete_call, params))
            for (key, rid), item in zip(chunk, answer or [], strict=False):
                if item.get("success"):
                    results[key] = WriteResult(key=key, outcome=WriteOutcome.DELETED, target_id=rid)
                else:
                    error = (item.get("errors") or [{}])[0]
                    results[key] = failed(key, str(error.get("statusCode", "UNKNOWN")), str(error.get("message", "")),
                                          target_id=rid)
        return [results.get(key) or failed(key, "NOT_REPORTED", "no result", retriable=True) for key in keys]

    def erase(self, stream: str, record_id: str) -> WriteResult:
        """Delete for good, skipping the recycle bin: Bulk API 2.0 ``hardDelete`` jobs.

        A Contact goes with its Individual and the Individual's consent rows.

        ``record_id`` is the Salesforce Id, or the hub key (looked up first).
        """
        from crmhub_salesforce.erasure import hard_delete

        schema = self.schema(stream)
        consent = self._consent_reader if self._carries_consent(schema) else None
        return hard_delete(self.api, self.settings, schema, record_id, consent)
