"""Addressing a system's records by hub id when some of them are known there under ids of their own.

The engine writes and looks up by hub id. A system crmhub created records in keeps the hub id as
the record's key, but a system that was itself a source (a CSV export, a legacy table, a fake store)
holds its records under its own ids (``c17``). Healing or syncing *into* such a system must address
``c17``, not a new record named after the hub id. :func:`linked_target` wraps the connector: a hub
id the identity map links to a record of this connection is translated to that record's id on the
way in (lookup, write, delete) and back to the hub id on the way out.

Only connectors whose key field is the record id itself are translated (files, SQL, the fake);
connectors that keep the hub id in an external-id field (Salesforce, HubSpot) already receive the
system's own id as ``WriteRequest.target_id`` and are passed through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hub.connectors.api import Capability, Connector, ConnectorConfig, StreamInfo
from hub.records import (
    CONFLICT,
    Checkpoint,
    CheckResult,
    DeletedRecord,
    SourceRecord,
    WriteOutcome,
    WriteRequest,
    WriteResult,
)

__all__ = ["LinkedTarget", "WriteConditions", "keyed_by_record_id", "linked_target"]


class _NoConfig(ConnectorConfig):
    pass


@dataclass(slots=True)
class WriteConditions:
    """What writes through a :class:`LinkedTarget` carry beyond their fields, and which ones the target refused.

    ``expected`` maps a hub id to the :func:`~hub.records.fingerprint` of the record as last read;
    a target declaring ``conditional_write`` then writes it only if it is still so. A refusal
    (code ``conflict``) does not fail the record: it comes back ``unchanged`` and its hub id goes
    into ``refused``, for whoever set the condition to settle. ``clears`` maps a hub id to the
    target's fields to set empty (see :mod:`hub.reconcile.clearing`).
    """

    expected: dict[str, str] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)
    clears: dict[str, set[str]] = field(default_factory=dict)


def keyed_by_record_id(connector: Connector, stream: str) -> bool:
    """True when the system's key field is the record id (the hub id is the id of records crmhub created)."""
    for info in connector.discover():
        if info.name == stream:
            return info.key_field in (None, info.primary_key)
    return True


class LinkedTarget(Connector):
    """A connector addressed by hub ids; see the module docstring."""

    name: ClassVar[str] = "linked"
    config_model: ClassVar[type[ConnectorConfig]] = _NoConfig

    def __init__(self, inner: Connector, store: Any, stream: str, conditions: WriteConditions | None = None) -> None:
        super().__init__(_NoConfig(), inner.context)
        self.inner = inner
        self.store = store
        self.stream = stream
        self.connection = inner.context.connection
        self.conditions = conditions
        """What writes carry beyond their fields (expected fingerprints only where the system honours them)."""
        self._conditional = Capability.CONDITIONAL_WRITE in inner.capabilities
        self.looked_up: Callable[[Sequence[str]], None] | None = None
        """Told the hub ids of each ``lookup`` before it runs (a batch's records, about to be compared)."""
        self._translate: bool | None = None

    def __repr__(self) -> str:
        return f"<LinkedTarget {self.inner!r}>"

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def check(self) -> CheckResult:
        return self.inner.check()

    def discover(self) -> list[StreamInfo]:
        return self.inner.discover()

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        return self.inner.read(stream, checkpoint)

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        return self.inner.deleted(stream, since)

    def _own_ids(self, stream: str, hub_ids: Sequence[str]) -> dict[str, str]:
        """``{hub_id: record id}`` for hub ids known in this system under another id."""
        if self._translate is None:
            self._translate = keyed_by_record_id(self.inner, stream)
        if not self._translate or not hub_ids:
            return {}
        links = self.store.hub_links(list(hub_ids), self.stream)
        own = {hub: places[self.connection] for hub, places in links.items() if self.connection in places}
        return {hub: rid for hub, rid in own.items() if rid != hub}

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        if self.looked_up is not None:
            self.looked_up(keys)
        own = self._own_ids(stream, keys)
        found = self.inner.lookup(stream, [own.get(key, key) for key in keys])
        back = {rid: hub for hub, rid in own.items()}
        return {back.get(key, key): fields for key, fields in found.items()}

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        own = self._own_ids(stream, [request.key for request in batch])
        terms = self.conditions or WriteConditions()
        expected = terms.expected if self._conditional else {}
        translated = [
            WriteRequest(key=own.get(r.key, r.key), fields={**r.fields, **dict.fromkeys(terms.clears.get(r.key, ()))},
                         target_id=own.get(r.key, r.target_id), expected=r.expected or expected.get(r.key))
            for r in batch
        ]
        back = {rid: hub for hub, rid in own.items()}
        results = self.inner.write(stream, translated)
        for result in results:
            if result.key in back:
                result.target_id = result.target_id or result.key
                result.key = back[result.key]
            if self.conditions is not None and result.outcome is WriteOutcome.FAILED and result.code == CONFLICT:
                self.conditions.refused.add(result.key)
                result.outcome = WriteOutcome.UNCHANGED
        return results

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        own = self._own_ids(stream, keys)
        results = self.inner.delete(stream, [own.get(key, key) for key in keys])
        back = {rid: hub for hub, rid in own.items()}
        for result in results:
            if result.key in back:
                result.key = back[result.key]
        return results


def linked_target(inner: Connector, store: Any, stream: str, conditions: WriteConditions | None = None
                  ) -> Connector:
    """``inner`` wrapped in a :class:`LinkedTarget` that declares exactly ``inner``'s capabilities."""
    if isinstance(inner, LinkedTarget):
        return inner
    cls = type(f"Linked{type(inner).__name__}", (LinkedTarget,), {
        "capabilities": inner.capabilities, "write_batch_size": inner.write_batch_size,
        "default_mapping": inner.default_mapping,
    })
    wrapped: Connector = cls(inner, store, stream, conditions)
    return wrapped
