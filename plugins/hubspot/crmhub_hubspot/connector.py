"""The HubSpot connector: streams ``contacts`` and ``companies`` of one HubSpot account."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

from crmhub_hubspot.config import HubSpotConfig, _is_internal
from crmhub_hubspot.schema import COMPANY_KEY, STREAMS, PropertyInfo, held_values, parse_properties, stream_info
from crmhub_hubspot.subscriptions import is_subscription_field, subscription_properties
from hub.connectors.api import Capability, Connector, ConnectorContext, StreamInfo
from hub.errors import ConfigError, CrmhubError, DataError, SchemaError
from hub.records import Checkpoint, CheckResult, DeletedRecord, SourceRecord, WriteOutcome, WriteRequest, WriteResult

LOOKUP_BATCH = 100
PENDING_KEY = "pending_associations"


class HubSpotConnector(Connector):
    """Reads and writes HubSpot contacts and companies through hubspot-api-client.

    Write batches are HubSpot's batch limit (100); the engine hands over at most ``write_batch_size``.
    """

    name: ClassVar[str] = "hubspot"
    config_model: ClassVar[type[HubSpotConfig]] = HubSpotConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.READ, Capability.WRITE, Capability.INCREMENTAL, Capability.DELETE_DETECTION,
        Capability.DELETE, Capability.LOOKUP, Capability.MERGE, Capability.ERASE, Capability.CLEAR,
    })
    default_mapping: ClassVar[str | None] = "hubspot"
    write_batch_size: ClassVar[int] = 100

    def __init__(self, config: HubSpotConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.config: HubSpotConfig = config
        self._client: Any = None
        self._schema: dict[str, dict[str, PropertyInfo]] = {}
        self._reader: Any = None
        self._writer: Any = None
        self._links: Any = None
        self._written: dict[str, set[str]] = {s: set() for s in STREAMS}
        self._subscriptions: Any = None
        self._empty: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"<HubSpotConnector connection={self.context.connection!r} url={self.config.url!r}>"

    # Lifecycle --------------------------------------------------------------------------------------
    def open(self) -> None:
        from crmhub_hubspot.associations import CompanyLinks
        from crmhub_hubspot.client import HubSpotClient
        from crmhub_hubspot.known import KnownValues
        from crmhub_hubspot.reader import Reader
        from crmhub_hubspot.writer import Writer

        if self._client is not None:
            return
        if not self.config.allow_insecure_sandbox:
            _refuse_internal_host(self.config.url)
        self._client = HubSpotClient(self.config, self.context.kv)
        self._links = CompanyLinks(self._client, self.config.key_property, lambda: self._properties("companies"))
        if self.context.kv is not None:  # associations an earlier run could not write yet
            self._links.pending.update(json.loads(self.context.kv.get(PENDING_KEY) or "{}"))
        self._reader = Reader(self._client, self.config, self._read_properties, self._links)
        self._known = KnownValues()
        self._writer = Writer(self._client, self.config.key_property, self.config.contact_id_property,
                              self._properties, self._links, self._known)
        if self.config.subscription_statuses:
            from crmhub_hubspot.subscriptions import Subscriptions

            self._subscriptions = Subscriptions(self._client, self.config.consent_subscription)

    def close(self) -> None:
        if self._links is None:
            return
        if self._links.pending:
            try:
                self._links.flush()
            except CrmhubError as exc:
                self.context.logger.warning("HubSpot: pending associations not written: %s", exc.public_message)
        if self.context.kv is not None:  # the next run (of companies, say) writes what still waits
            self.context.kv.set(PENDING_KEY, json.dumps(self._links.pending))

    @property
    def client(self) -> Any:
        if self._client is None:
            self.open()
        return self._client

    # Schema -----------------------------------------------------------------------------------------
    def _describe(self, stream: str) -> dict[str, PropertyInfo]:
        """The stream's properties as the portal has them now (no side effects)."""
        _check_stream(stream)
        if stream in self._schema:
            return self._schema[stream]
        answer = self.client.call(self.client.properties_api, "get_all", stream)
        return parse_properties(answer.body.get("results", []))

    def _properties(self, stream: str) -> dict[str, PropertyInfo]:
        """The stream's properties, fetched once per connection; creates ``key_property`` when asked to."""
        _check_stream(stream)
        if stream not in self._schema:
            found = self._describe(stream)
            key = self.config.key_property
            if key not in found and self.config.create_key_property:
                self._create_key_property(stream)
                answer = self.client.call(self.client.properties_api, "get_all", stream)
                found = parse_properties(answer.body.get("results", []))
            if key not in found or not found[key].unique:
                raise SchemaError(f"HubSpot {stream} need a unique property {key!r} to hold crmhub's ids "
                                  "(create it with hasUniqueValue, or set create_key_property: true)")
            self._schema[stream] = found
        return self._schema[stream]

    def _create_key_property(self, stream: str) -> None:
        from crmhub_hubspot.client import HubSpotRequestError

        body = {"name": self.config.key_property, "label": "crmhub id", "type": "string", "fieldType": "text",
                "groupName": "contactinformation" if stream == "contacts" else "companyinformation",
                "hasUniqueValue": True, "description": "The record's id in crmhub; written by crmhub."}
        try:
            self.client.call(self.client.properties_api, "create", stream, body)
        except HubSpotRequestError as err:
            if err.status != 409:  # 409: someone created it meanwhile
                raise SchemaError(f"could not create the HubSpot {stream} property "
                                  f"{self.config.key_property!r}: {err.body.get('message', err.status)}") from None

    def _read_properties(self, stream: str) -> list[str]:
        configured = self.config.properties.get(stream)
        if configured:
            return list(configured)
        return sorted(self._properties(stream))

    # Verbs ------------------------------------------------------------------------------------------
    def check(self) -> CheckResult:
        problems: list[str] = []
        details: dict[str, Any] = {"url": self.config.url, "auth": "oauth" if self.config.oauth else "private app"}
        key = self.config.key_property
        for stream in STREAMS:
            try:
                props = self._describe(stream)
                basic, _, _ = self.client.objects[stream]
                self.client.call(basic, "get_page", limit=1)
                details[f"{stream}_properties"] = len(props)
                if key in props and not props[key].unique:
                    problems.append(f"{stream}: property {key!r} exists but is not unique (hasUniqueValue)")
                elif key not in props and not self.config.create_key_property:
                    problems.append(f"{stream}: no unique property {key!r} to hold crmhub's ids")
                elif key not in props:
                    details[f"{stream}_key_property"] = f"{key!r} will be created on the first write"
            except CrmhubError as exc:
                problems.append(f"{stream}: {exc.public_message}")
            except Exception as exc:
                problems.append(f"{stream}: {type(exc).__name__}: {exc}")
        return CheckResult(ok=not problems, problems=problems, details=details)

    def discover(self) -> list[StreamInfo]:
        """The streams and their properties; changes nothing (the key property, if missing, is listed as it will be)."""
        infos = []
        for stream in STREAMS:
            props = dict(self._describe(stream))
            key = self.config.key_property
            if key not in props and self.config.create_key_property:
                props[key] = PropertyInfo(key, "string", frozenset(), multiple=False, read_only=False, unique=True,
                                          external_options=False)
            if self._follows_subscriptions(stream):
                props.update(subscription_properties())
            infos.append(stream_info(stream, props, key))
        return infos

    def _follows_subscriptions(self, stream: str) -> bool:
        return stream == "contacts" and self.config.subscription_statuses

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        _check_stream(stream)
        self.client  # noqa: B018 - opens the connection
        records = self._reader.read(stream, checkpoint)
        if not self._follows_subscriptions(stream):
            yield from records
            return
        page: list[SourceRecord] = []
        for item in records:  # statuses are read per page, before the page's checkpoint
            if isinstance(item, Checkpoint):
                yield from self._with_statuses(page)
                page = []
                yield item
            else:
                page.append(item)
        yield from self._with_statuses(page)

    def _with_statuses(self, page: list[SourceRecord]) -> list[SourceRecord]:
        self._subscriptions.enrich([r.data for r in page if not r.deleted and r.error is None])
        return page

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        _check_stream(stream)
        self.client  # noqa: B018
        yield from self._reader.deleted(stream, since)

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        _check_stream(stream)
        self.client  # noqa: B018
        given = [{n: v for n, v in r.fields.items() if is_subscription_field(n)} for r in batch]
        plain = [WriteRequest(r.key, {n: v for n, v in r.fields.items() if not is_subscription_field(n)},
                              r.target_id) if g else r for r, g in zip(batch, given, strict=True)]
        results: list[WriteResult] = []
        for start in range(0, len(plain), self.write_batch_size):
            results.extend(self._writer.write(stream, plain[start:start + self.write_batch_size]))
        if self._follows_subscriptions(stream) and any(given):
            self._write_statuses(stream, batch, given, results)
        self._written[stream].update(r.key for r in results if r.outcome is not WriteOutcome.FAILED)
        return results

    def _write_statuses(self, stream: str, batch: Sequence[WriteRequest], given: list[dict[str, Any]],
                        results: list[WriteResult]) -> None:
        """After the contacts: each one's subscription status, by its e-mail address."""
        for index, (request, wanted) in enumerate(zip(batch, given, strict=True)):
            result = results[index]
            if not wanted or result.outcome is WriteOutcome.FAILED:
                continue
            email = request.fields.get("email") or (self._known.get(stream, request.key) or {}).get("email")
            if not email:
                email = next((r["properties"].get("email") for r in self._by_key(stream, [request.key], ["email"])),
                             None)
            if not email:
                continue  # no address, no e-mail subscription
            try:
                changed = self._subscriptions.write(str(email), wanted)
            except DataError as exc:
                results[index] = WriteResult(request.key, WriteOutcome.FAILED, result.target_id, exc.code,
                                             exc.public_message)
                continue
            if changed and result.outcome is WriteOutcome.UNCHANGED:
                results[index] = WriteResult(request.key, WriteOutcome.UPDATED, result.target_id)

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Current properties by hub id (plus ``company_key`` on contacts); absent keys are new.

        While the portal held no record with ``key_property`` when this connection first looked (a first
        load), keys this connection has not written yet cannot exist: they are answered without a request.
        """
        if self.config.skip_lookups_when_empty and self._portal_was_empty(stream):
            keys = [k for k in keys if k in self._written[stream]]
        found: dict[str, dict[str, Any]] = {}
        records = list(self._by_key(stream, keys, self._read_properties(stream)))
        company_keys: dict[str, str] = {}
        if stream == "contacts":
            company_keys = self._links.keys_of(
                str(r["properties"]["associatedcompanyid"]) for r in records
                if (r.get("properties") or {}).get("associatedcompanyid"))
        if self._follows_subscriptions(stream):
            self._subscriptions.enrich([r.setdefault("properties", {}) for r in records])
        for record in records:
            props = held_values(record.get("properties"))
            company = company_keys.get(str(props.get("associatedcompanyid", "")))
            if company:
                props[COMPANY_KEY] = company
            key = str(props[self.config.key_property])
            found[key] = props
            self._known.remember(stream, key, {k: str(v) for k, v in props.items()}, str(record["id"]), replace=True)
        return found

    def _portal_was_empty(self, stream: str) -> bool:
        """Whether no object of ``stream`` carried ``key_property`` at this connection's first look."""
        if stream not in self._empty:
            self._properties(stream)
            _, _, search = self.client.objects[stream]
            body = {"filterGroups": [{"filters": [{"propertyName": self.config.key_property,
                                                   "operator": "HAS_PROPERTY"}]}], "limit": 1, "properties": []}
            answer = self.client.call(search, "do_search", body, search=True)
            self._empty[stream] = int(answer.body.get("total", 0)) == 0
        return self._empty[stream]

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        existing = {str(r["properties"][self.config.key_property]): str(r["id"])
                    for r in self._by_key(stream, keys, [self.config.key_property])}
        _, batch, _ = self.client.objects[stream]
        ids = list(existing.values())
        for start in range(0, len(ids), LOOKUP_BATCH):
            self.client.call(batch, "archive", {"inputs": [{"id": i} for i in ids[start:start + LOOKUP_BATCH]]})
        return [WriteResult(k, WriteOutcome.DELETED, existing[k]) if k in existing
                else WriteResult(k, WriteOutcome.UNCHANGED, None, "NOT_FOUND", "no such record in HubSpot")
                for k in keys]

    def merge(self, stream: str, survivor_id: str, merged_ids: Sequence[str]) -> WriteResult:
        from crmhub_hubspot.client import HubSpotRequestError

        basic, _, _ = self.client.objects[stream]
        result_id = survivor_id
        for merged in merged_ids:
            try:
                answer = self.client.call(basic, "merge", {"primaryObjectId": result_id, "objectIdToMerge": merged})
            except HubSpotRequestError as err:
                return WriteResult(survivor_id, WriteOutcome.FAILED, result_id,
                                   str(err.body.get("category", err.status)),
                                   f"HubSpot refused to merge {stream} {merged} into {result_id}")
            result_id = str(answer.body.get("id", result_id))
        return WriteResult(survivor_id, WriteOutcome.UPDATED, result_id)

    def erase(self, stream: str, record_id: str) -> WriteResult:
        from crmhub_hubspot.client import HubSpotRequestError

        if stream != "contacts":
            return WriteResult(record_id, WriteOutcome.FAILED, record_id, "ERASE_UNSUPPORTED",
                               f"HubSpot erases people (contacts) only, not {stream}")
        basic, _, _ = self.client.objects["contacts"]
        try:
            self.client.call(basic, "purge", {"objectId": record_id})
        except HubSpotRequestError as err:
            if err.status == 404:
                return WriteResult(record_id, WriteOutcome.UNCHANGED, record_id, "NOT_FOUND",
                                   "the contact is not in HubSpot (already erased?)")
            raise DataError("HubSpot refused the GDPR deletion", code=str(err.body.get("category", err.status)),
                            record_ref=f"HubSpot contacts {record_id}") from None
        return WriteResult(record_id, WriteOutcome.DELETED, record_id)

    # Helpers ----------------------------------------------------------------------------------------
    def _by_key(self, stream: str, keys: Sequence[str], properties: list[str]) -> Iterator[dict[str, Any]]:
        """Live objects whose ``key_property`` is one of ``keys`` (batch read, 100 per call)."""
        _check_stream(stream)
        self._properties(stream)
        _, batch, _ = self.client.objects[stream]
        wanted = sorted({*properties, self.config.key_property})
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_BATCH):
            inputs = [{"id": k} for k in unique[start:start + LOOKUP_BATCH]]
            answer = self.client.call(batch, "read", {"inputs": inputs, "idProperty": self.config.key_property,
                                                      "properties": wanted})
            yield from answer.body.get("results", [])


def _check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise ConfigError(f"HubSpot has no stream {stream!r} (streams: {', '.join(STREAMS)})")


def _refuse_internal_host(url: str) -> None:
    """Resolve the API host and refuse loopback/private/link-local addresses (SSRF guard)."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return  # unresolvable: the first request reports it as a connection error
    if any(_is_internal(str(address)) for address in addresses):
        raise ConfigError(f"HubSpot url {url!r} resolves to an internal address; "
                          "set allow_insecure_sandbox: true only for a local sandbox")
