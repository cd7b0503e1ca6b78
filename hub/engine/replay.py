"""Re-running quarantined records: their stored payloads become a source for the same pipeline."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from hub.connectors.api import Capability, Connector, ConnectorConfig, ConnectorContext, StreamInfo
from hub.records import Checkpoint, CheckResult, SourceRecord


class _NoConfig(ConnectorConfig):
    pass


class QuarantineReplay(Connector):
    """A read-only source yielding quarantined payloads, in the source's own field names."""

    name: ClassVar[str] = "quarantine-replay"
    config_model: ClassVar[type[ConnectorConfig]] = _NoConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ})

    def __init__(self, entries: Sequence[Any], context: ConnectorContext) -> None:
        super().__init__(_NoConfig(), context)
        self._entries = list(entries)

    def check(self) -> CheckResult:
        return CheckResult(ok=True)

    def discover(self) -> list[StreamInfo]:
        return []

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        for entry in self._entries:
            yield SourceRecord(id=entry.source_id or f"quarantine:{entry.id}", data=dict(entry.payload or {}),
                               ref=f"{entry.ref} (quarantine #{entry.id})")
