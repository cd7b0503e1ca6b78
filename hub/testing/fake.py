"""A fake connector with fault injection, for testing the engine and pipelines without a real system.

``connector: fake`` keeps records in memory under ``store`` (shared by every connection naming the same
store in one process) and can be told to misbehave: fail at random, answer 429 with ``Retry-After``,
commit a write and then drop the response, or fail chosen records.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from hub.connectors.api import Capability, Connector, ConnectorConfig, ConnectorRegistry, StreamInfo
from hub.errors import AuthError, RetriableError, register_secret
from hub.hookspecs import hookimpl
from hub.model import stream_fields
from hub.records import (
    CONFLICT,
    Checkpoint,
    CheckResult,
    DeletedRecord,
    SourceRecord,
    WriteOutcome,
    WriteRequest,
    WriteResult,
    fingerprint,
)

_STORES: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
_CALLS: list[tuple[str, str, tuple[str, ...]]] = []
_LOCK = threading.Lock()


def fake_store(name: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The records of store ``name``: stream → key → fields. Tests inspect and edit it directly."""
    with _LOCK:
        return _STORES.setdefault(name, {})


def reset_fake_stores() -> None:
    with _LOCK:
        _STORES.clear()
        _CALLS.clear()


def fake_calls(*names: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """What happened to stores ``names`` (every store when none is named), in the order it happened:
    ``(store, op, keys)`` with op ``read`` (one record handed out), ``write``, ``written`` (that write
    returned), ``lookup`` or ``delete``."""
    with _LOCK:
        return [call for call in _CALLS if not names or call[0] in names]


def _log_call(name: str, op: str, keys: tuple[str, ...]) -> None:
    with _LOCK:
        _CALLS.append((name, op, keys))


class FakeConfig(ConnectorConfig):
    """Settings of the fake connector; every fault is off by default."""

    store: str = "default"
    token: SecretStr | None = None
    expected_token: SecretStr | None = None
    page_size: int = Field(100, ge=1)
    seed: int = 0
    fail_prob: float = Field(0.0, ge=0, le=1, description="chance that a call fails with a retriable error")
    rate_limit_every: int = Field(0, ge=0, description="every Nth call answers 429 with Retry-After")
    retry_after: float = 0.01
    drop_after_commit_prob: float = Field(0.0, ge=0, le=1, description="commit the write, then lose the response")
    reject_field: str | None = Field(None, description="records whose field holds reject_value fail")
    reject_value: str | None = None
    fail_read_after: int = Field(0, ge=0, description="raise a retriable error once after N records read")
    field_limits: dict[str, int] = Field(default_factory=dict, description="narrower max lengths than canonical")
    write_latency: float = Field(0.0, ge=0, le=5, description="seconds each write call takes, as a remote system's")


class FakeConnector(Connector):
    """In-memory system for tests: read, write, lookup and delete, with injectable faults."""

    name: ClassVar[str] = "fake"
    config_model: ClassVar[type[ConnectorConfig]] = FakeConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.READ, Capability.WRITE, Capability.LOOKUP, Capability.DELETE, Capability.INCREMENTAL,
        Capability.DELETE_DETECTION, Capability.CLEAR, Capability.CONDITIONAL_WRITE})
    write_batch_size: ClassVar[int] = 50
    config: FakeConfig

    def open(self) -> None:
        self._rng = random.Random(self.config.seed)
        self._calls = 0
        self._read_failed = False
        self.data = fake_store(self.config.store)
        if self.config.token:
            register_secret(self.config.token.get_secret_value())

    def _call(self) -> None:
        self._calls += 1
        every = self.config.rate_limit_every
        if every and self._calls % every == 0:
            raise RetriableError("429 Too Many Requests", retry_after=self.config.retry_after)
        if self.config.fail_prob and self._rng.random() < self.config.fail_prob:
            raise RetriableError("503 Service Unavailable")

    def check(self) -> CheckResult:
        expected = self.config.expected_token
        given = self.config.token
        if expected and (given is None or given.get_secret_value() != expected.get_secret_value()):
            raise AuthError("the fake system rejected the token")
        return CheckResult(ok=True)

    def discover(self) -> list[StreamInfo]:
        infos = []
        for stream in ("contacts", "companies"):
            fields = dict(stream_fields(stream))
            for name, limit in self.config.field_limits.items():
                if name in fields:
                    fields[name] = dataclasses.replace(fields[name], max_length=limit)
            infos.append(StreamInfo(name=stream, fields=fields, cursor_field="seq"))
        return infos

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        self.check()
        rows = sorted(self.data.get(stream, {}).items(), key=lambda kv: (kv[1].get("_seq", 0), kv[0]))
        after = int((checkpoint.cursor if checkpoint else {}).get("seq", 0))
        since_page = 0
        for key, fields in rows:
            seq = int(fields.get("_seq", 0))
            if seq <= after:
                continue
            if self.config.fail_read_after and not self._read_failed and since_page >= self.config.fail_read_after:
                self._read_failed = True
                raise RetriableError("connection reset while reading")
            if fields.get("_deleted"):
                continue
            _log_call(self.config.store, "read", (key,))
            yield SourceRecord(id=key, data={k: v for k, v in fields.items() if not k.startswith("_")},
                               ref=f"fake {stream} {key}")
            since_page += 1
            if since_page % self.config.page_size == 0:
                yield Checkpoint(stream, {"seq": seq})
        last = int(rows[-1][1].get("_seq", 0)) if rows else after
        yield Checkpoint(stream, {"seq": max(after, last)})

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        after = int((since.cursor if since else {}).get("seq", 0))
        rows = sorted(self.data.get(stream, {}).items(), key=lambda kv: (kv[1].get("_seq", 0), kv[0]))
        last = after
        for key, fields in rows:
            seq = int(fields.get("_seq", 0))
            if fields.get("_deleted") and seq > after:
                yield DeletedRecord(id=key)
                last = max(last, seq)
        yield Checkpoint(stream, {"seq": last})

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        keys = tuple(r.key for r in batch)
        _log_call(self.config.store, "write", keys)
        try:
            if self.config.write_latency:
                time.sleep(self.config.write_latency)
            return self._write(stream, batch)
        finally:
            _log_call(self.config.store, "written", keys)

    def _write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        self._call()
        table = self.data.setdefault(stream, {})
        results = []
        for request in batch:
            cfg = self.config
            if cfg.reject_field and str(request.fields.get(cfg.reject_field)) == cfg.reject_value:
                results.append(WriteResult(request.key, WriteOutcome.FAILED, code="FIELD_REJECTED",
                                           message=f"field {cfg.reject_field} rejected by the fake system"))
                continue
            current = table.get(request.key)
            if request.expected is not None and (current is None or fingerprint(_visible(current)) != request.expected):
                results.append(WriteResult(request.key, WriteOutcome.FAILED, code=CONFLICT,
                                           message="the record changed since it was read"))
                continue
            if current is None:
                table[request.key] = {**request.fields, "_seq": self._next_seq()}
                results.append(WriteResult(request.key, WriteOutcome.CREATED, target_id=request.key))
            elif all(current.get(k) == v for k, v in request.fields.items()):
                results.append(WriteResult(request.key, WriteOutcome.UNCHANGED, target_id=request.key))
            else:
                current.update(request.fields)
                current["_seq"] = self._next_seq()
                results.append(WriteResult(request.key, WriteOutcome.UPDATED, target_id=request.key))
        if self.config.drop_after_commit_prob and self._rng.random() < self.config.drop_after_commit_prob:
            raise RetriableError("the connection dropped after the write was committed")
        return results

    def _next_seq(self) -> int:
        with _LOCK:
            seq = int(self.data.get("_meta", {}).get("seq", {}).get("n", 0)) + 1
            self.data.setdefault("_meta", {})["seq"] = {"n": seq}
        return seq

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        _log_call(self.config.store, "lookup", tuple(keys))
        self._call()
        table = self.data.get(stream, {})
        return {k: _visible(table[k]) for k in keys if k in table}

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        _log_call(self.config.store, "delete", tuple(keys))
        self._call()
        table = self.data.get(stream, {})
        return [WriteResult(k, WriteOutcome.DELETED if table.pop(k, None) is not None else WriteOutcome.UNCHANGED)
                for k in keys]


def _visible(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row without the fake's own bookkeeping (``_seq``, ``_deleted``)."""
    return {f: v for f, v in row.items() if not f.startswith("_")}


def put_records(store: str, stream: str, records: dict[str, dict[str, Any]]) -> None:
    """Put ``records`` (key → fields) into a fake store as a source system would hold them."""
    data = fake_store(store)
    table = data.setdefault(stream, {})
    for key, fields in records.items():
        seq = int(data.get("_meta", {}).get("seq", {}).get("n", 0)) + 1
        data.setdefault("_meta", {})["seq"] = {"n": seq}
        table[key] = {**fields, "_seq": seq}


@hookimpl
def hub_register_connectors(registry: ConnectorRegistry) -> None:
    registry.register(FakeConnector)
