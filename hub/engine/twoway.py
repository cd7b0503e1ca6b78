"""Two-way sync (``direction: both``): one cycle is a leg each way, each an ordinary engine run.

The forward leg reads the source's changes since its checkpoint (the pipeline's own checkpoint) and
writes them into the target; the backward leg does the same from the target (checkpoint
``<pipeline>:reverse``). Both go through the whole engine — mapping, validation, consent, identity,
load, audit — with a :class:`TwoWayLeg` that:

* addresses each side by hub id, translating to the ids records have there
  (:mod:`hub.reconcile.addressing`), so a record that came from a system is updated in place;
* merges each record three ways against the last agreed state (:mod:`hub.engine.twoway_merge`),
  skipping echoes of crmhub's own writes and deciding real conflicts by the pipeline's rule;
* adds to the leg's input the records the other side is owed (a conflict the target won, a write
  deferred because the target changed under it), so nothing waits for the next edit to move.

Deletes that a side reports (tombstones) follow the pipeline's delete rule through the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hub.config import PipelineSettings
from hub.config.model import Direction
from hub.connectors.api import Connector
from hub.engine.holder import holder_gone, this_holder
from hub.engine.mappings import stream_mapping
from hub.engine.runner import RunRequest
from hub.engine.sync_hooks import SyncHook, SyncLeg
from hub.engine.twoway_merge import MergeHook, ReadBack, SyncNamespaces
from hub.errors import ConfigError
from hub.reconcile.addressing import LinkedTarget, WriteConditions, linked_target
from hub.reconcile.clearing import FieldClearing
from hub.reconcile.normalise import Normaliser
from hub.reconcile.rules import ConflictPolicy
from hub.reconcile.snapshot import compared_fields, covered_fields
from hub.records import Checkpoint, SourceRecord, fingerprint
from hub.state.reconciliation import ReconcileStore

__all__ = ["PendingSource", "TwoWayLeg", "TwoWaySync", "decide_conflict", "open_conflicts", "reverse_checkpoint"]

LEASE_TTL_S = 600.0
COUNTED = ("read", "created", "updated", "merged", "unchanged", "quarantined", "suppressed", "deleted")


def reverse_checkpoint(pipeline: str) -> str:
    """The checkpoint name of a pipeline's backward leg."""
    return f"{pipeline}:reverse"


class PendingSource(LinkedTarget):
    """A leg's source: its incremental read, then the records it still owes the other side."""

    def __init__(self, inner: Connector, store: Any, stream: str, owed: Callable[[], list[str]]) -> None:
        super().__init__(inner, store, stream)
        self.owed = owed

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        seen: set[str] = set()
        for item in self.inner.read(stream, checkpoint):
            if isinstance(item, SourceRecord):
                seen.add(item.id)
            yield item
        hubs = self.owed()
        if not hubs:
            return
        own = self._own_ids(stream, hubs)
        for hub, fields in self.lookup(stream, hubs).items():
            rid = own.get(hub, hub)
            if rid not in seen:
                yield SourceRecord(id=rid, data=fields, ref=f"{self.connection} {rid} (owed to the other side)")


class TwoWayLeg(SyncLeg):
    """One direction of a two-way pipeline, as the engine's :class:`SyncLeg`."""

    def __init__(self, session: Any, pipeline: str, settings: PipelineSettings, source: str, target: str,
                 stream: str) -> None:
        self.session = session
        self.pipeline = pipeline
        self.settings = settings
        self.stream = stream
        self.source_name = source
        self.target_name = target
        self.state = ReconcileStore(session.store)
        self.policy = ConflictPolicy.from_settings(settings)
        self.hooks: list[MergeHook] = []
        self.conditions = WriteConditions()
        self._source: Connector | None = None
        self._target: Connector | None = None

    def connectors(self, source: Connector, target: Connector) -> tuple[Connector, Connector]:
        self._source = _pending_source(source, self.session.store, self.stream, self.owed)
        self._target = linked_target(target, self.session.store, self.stream, self.conditions)
        return self._source, self._target

    def owed(self) -> list[str]:
        """Hub ids the target still has to receive something for (a conflict it lost, a deferred write)."""
        spaces = SyncNamespaces(self.pipeline, self.stream)
        owed = self.state.entries(spaces.owed)
        return sorted(hub for hub, entry in owed.items() if entry.get("to") == self.target_name)

    def for_stream(self, stream: str) -> SyncHook:
        assert self._source is not None, "connectors() comes first"
        assert self._target is not None, "connectors() comes first"
        engine, config, transforms = self.session.engine, self.session.config, self.session.host.transforms
        source_map = stream_mapping(engine.connection(self.source_name), stream, config, transforms)
        target_map = stream_mapping(engine.connection(self.target_name), stream, config, transforms)
        fields = compared_fields([covered_fields(source_map, self._source, stream),
                                  covered_fields(target_map, self._target, stream)], stream)
        target = self._target

        def reread(hub_ids: list[str]) -> dict[str, ReadBack]:
            found = engine.retry.call(lambda: target.lookup(target_map.object, hub_ids))
            return {hub: ReadBack(target_map.to_canonical(values)[0], fingerprint(values))
                    for hub, values in found.items()}

        hook = MergeHook(store=self.state, spaces=SyncNamespaces(self.pipeline, stream), source=self.source_name,
                         target=self.target_name, policy=self.policy, normaliser=Normaliser(stream, fields),
                         delete_rule=self.settings.deletes.value, reread=reread, conditions=self.conditions,
                         clearing=FieldClearing.for_target(target_map, target, fields))
        if isinstance(target, LinkedTarget):
            target.looked_up = hook.prepare  # the batch's lookup: its sync states are read with it, at once
        self.hooks.append(hook)
        return hook


def _pending_source(inner: Connector, store: Any, stream: str, owed: Callable[[], list[str]]) -> Connector:
    cls = type(f"Pending{type(inner).__name__}", (PendingSource,), {
        "capabilities": inner.capabilities, "write_batch_size": inner.write_batch_size,
        "default_mapping": inner.default_mapping,
    })
    wrapped: Connector = cls(inner, store, stream, owed)
    return wrapped


class TwoWaySync:
    """Runs cycles of a ``direction: both`` pipeline."""

    def __init__(self, session: Any, pipeline: str) -> None:
        settings = session.config.settings.pipelines.get(pipeline)
        if settings is None:
            known = ", ".join(session.config.settings.pipelines) or "none"
            raise ConfigError(f"no pipeline named {pipeline!r} (defined: {known})")
        if settings.direction is not Direction.BOTH:
            raise ConfigError(f"pipeline {pipeline!r} is one-way; set direction: both for a two-way sync")
        self.session = session
        self.pipeline = pipeline
        self.settings = settings

    def cycle(self, *, dry_run: bool = False, restart: bool = False) -> dict[str, Any]:
        """One leg each way; returns both legs' summaries and their totals."""
        store = self.session.store
        lease = f"{self.pipeline}#both"
        token = store.acquire_lease(lease, this_holder(), LEASE_TTL_S, holder_gone=holder_gone)
        legs: list[dict[str, Any]] = []
        ends = ((self.settings.source, self.settings.target, self.pipeline),
                (self.settings.target, self.settings.source, reverse_checkpoint(self.pipeline)))
        try:
            for stream in self.settings.streams:
                for source, target, name in ends:
                    legs.append(self._leg(source, target, name, stream, dry_run, restart))
                    if legs[-1]["status"] != "succeeded":
                        break
        finally:
            store.release_lease(lease, token)
        failed = [leg for leg in legs if leg["status"] != "succeeded"]
        status = failed[0]["status"] if failed else "succeeded"
        totals = {key: sum(int(leg.get(key, 0)) for leg in legs) for key in COUNTED}
        return {"pipeline": self.pipeline, "status": status, "dry_run": dry_run, **totals, "legs": legs}

    def _leg(self, source: str, target: str, name: str, stream: str, dry_run: bool, restart: bool) -> dict[str, Any]:
        settings = self.settings.model_copy(update={"source": source, "target": target})
        leg = TwoWayLeg(self.session, self.pipeline, self.settings, source, target, stream)
        summary = self.session.engine.run(RunRequest(
            pipeline=name, source=source, target=target, settings=settings, streams=[stream],
            dry_run=dry_run, restart=restart, sync=leg,
        )).as_dict()
        counts: dict[str, int] = {}
        for hook in leg.hooks:
            for key, value in hook.counts.items():
                counts[key] = counts.get(key, 0) + value
        return {"from": source, "to": target, "stream": stream, **summary, "sync": counts}


def open_conflicts(store: Any, pipeline: str, stream: str = "contacts") -> dict[str, dict[str, Any]]:
    """The review queue of a ``conflict: manual`` pipeline: ``{"<hub id>:<field>": item}`` still undecided."""
    queue = ReconcileStore(store).entries(SyncNamespaces(pipeline, stream).review)
    return {key: item for key, item in queue.items() if item.get("status") == "open"}


def decide_conflict(store: Any, pipeline: str, key: str, keep: str, stream: str = "contacts") -> None:
    """A person's decision: keep ``keep``'s value in conflict ``key``; the next cycle writes it to the other side."""
    state = ReconcileStore(store)
    spaces = SyncNamespaces(pipeline, stream)
    item = state.entries(spaces.review).get(key)
    if item is None or item.get("status") != "open":
        raise ConfigError(f"no open conflict {key!r} in pipeline {pipeline!r}")
    sides = list(item.get("values", {}))
    if keep not in sides:
        raise ConfigError(f"keep must be one of {', '.join(sides)}")
    loser = next(side for side in sides if side != keep)
    hub_id = str(item["hub_id"])
    known = state.sync_states(spaces.state, [hub_id]).get(hub_id, {})
    state.save_sync_states(spaces.review, {key: {**item, "status": "decided", "keep": keep}})
    state.save_sync_states(spaces.state, {hub_id: {**known, "pending": loser}})
    state.save_sync_states(spaces.owed, {hub_id: {"to": loser}})
