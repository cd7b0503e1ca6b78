"""``crmhub reconcile --fix``: heal what a reconciliation found, through the engine's own path.

Every change is a run of the engine — mapping, validation, consent, identity, comparison with the
target's current values, idempotent write, outcomes and audit — with the records to heal as its
source (:class:`RecordList`) and a :class:`FixLeg` that lets each record set only the fields its
finding names:

* a field difference: the kept system's record, narrowed to that field, into every other system;
* a record missing in a system: the kept system's whole record into it (the run links it);
* a record its owner deleted, with ``deletes: propagate``/``archive``: a tombstone from the owner, so
  the engine deletes the other copies; the dead links are then forgotten;
* a duplicate inside a system: the duplicate through the engine into the other systems, where
  identity matching merges it into the hub record (it fills blanks, never overwrites) and links it
  as merged;
* a stale link: forgotten.

``manual`` findings and those the rules leave alone are counted, not touched. With ``--dry-run``
the runs write nothing (each leaves a ``changes.jsonl`` report) and no link is forgotten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hub.config import DeleteRule, PipelineSettings
from hub.connectors.api import Capability, Connector, ConnectorConfig, ConnectorContext, StreamInfo
from hub.engine import RunRequest
from hub.engine.batch import MERGED_SUFFIX
from hub.engine.mappings import stream_mapping
from hub.engine.reading import resilient_read
from hub.engine.sync_hooks import SyncHook, SyncLeg
from hub.reconcile.addressing import WriteConditions, linked_target
from hub.reconcile.clearing import FieldClearing
from hub.reconcile.findings import Action, Comparison, Kind
from hub.records import Checkpoint, CheckResult, Outcome, SourceRecord
from hub.state.reconciliation import ReconcileStore

__all__ = ["FixLeg", "RecordList", "heal"]

ALL_FIELDS = None


class _NoConfig(ConnectorConfig):
    pass


class RecordList(Connector):
    """A read-only source of given records, in their system's own field names."""

    name: ClassVar[str] = "reconcile-fix"
    config_model: ClassVar[type[ConnectorConfig]] = _NoConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.READ})

    def __init__(self, records: Sequence[SourceRecord], context: Any) -> None:
        super().__init__(_NoConfig(), context)
        self._records = list(records)

    def check(self) -> CheckResult:
        return CheckResult(ok=True)

    def discover(self) -> list[StreamInfo]:
        return []

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        yield from self._records


class _Narrowing(SyncHook):
    """Each record sets only the fields its findings name; a named field the kept record leaves empty is emptied."""

    def __init__(self, wanted: dict[str, set[str] | None], target_mapping: Any = None) -> None:
        self.wanted = wanted
        self.target_mapping = target_mapping
        self.conditions = WriteConditions()
        self.clearing: FieldClearing | None = None
        self.emptied: dict[str, dict[str, Any]] = {}
        self.cleared = 0
        self.cannot_clear = 0

    def attach(self, target: Connector) -> None:
        """Learn which fields ``target`` can hold empty."""
        if self.target_mapping is not None:
            names = set().union(*(f for f in self.wanted.values() if f is not ALL_FIELDS))
            self.clearing = FieldClearing.for_target(self.target_mapping, target, names)

    def values_to_write(self, staged: Any, values: dict[str, Any], state: dict[str, Any] | None
                        ) -> dict[str, Any] | None:
        fields = self.wanted.get(staged.record.id, ALL_FIELDS)
        if fields is ALL_FIELDS or state is None:
            return values
        held = {name: state[name] for name in fields - values.keys() if state.get(name) not in (None, "")}
        clearing = self.clearing
        emptied = {name: old for name, old in held.items() if clearing is not None and clearing.can_clear(name)}
        if emptied:
            self.emptied[staged.hub_id] = emptied
        if len(emptied) < len(held):
            self.cannot_clear += len(held) - len(emptied)
            staged.detail["cannot_clear"] = sorted(held.keys() - emptied.keys())
        return {k: v for k, v in values.items() if k in fields}

    def before_write(self, live: Sequence[Any], patches: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        emptied = {s.hub_id: self.emptied.pop(s.hub_id) for s in live if s.hub_id in self.emptied}
        if emptied and self.clearing is not None:
            self.clearing.apply(live, patches, emptied, self.conditions)
        return patches

    def after_write(self, live: Sequence[Any]) -> None:
        for s in live:
            cleared = self.conditions.clears.pop(s.hub_id, ())
            if s.outcome is Outcome.UPDATED:
                self.cleared += len(cleared)


class _FillBlanks(SyncHook):
    def values_to_write(self, staged: Any, values: dict[str, Any], state: dict[str, Any] | None
                        ) -> dict[str, Any] | None:
        if state is None:
            return {}
        return {k: v for k, v in values.items() if state.get(k) in (None, "")}


class FixLeg(SyncLeg):
    """Addresses the target by hub id; its hook narrows what each record may set."""

    def __init__(self, store: Any, stream: str, hook: SyncHook) -> None:
        self.store = store
        self.stream = stream
        self.hook = hook

    def connectors(self, source: Connector, target: Connector) -> tuple[Connector, Connector]:
        if isinstance(self.hook, _Narrowing):
            self.hook.attach(target)
            return source, linked_target(target, self.store, self.stream, self.hook.conditions)
        return source, linked_target(target, self.store, self.stream)

    def for_stream(self, stream: str) -> SyncHook:
        return self.hook


@dataclass(slots=True)
class _Plan:
    writes: dict[tuple[str, str], dict[str, set[str] | None]] = field(default_factory=lambda: defaultdict(dict))
    deletes: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    merges: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    merged_hubs: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    forget: list[tuple[str, str]] = field(default_factory=list)
    review: int = 0
    left: int = 0
    cannot_clear: int = 0
    cleared: int = 0


def plan_fix(comparison: Comparison) -> _Plan:
    """Turn findings into engine runs to make, grouped by (from, to) system."""
    plan = _Plan()
    for finding in comparison.findings:
        if finding.action is Action.REVIEW:
            plan.review += 1
        elif finding.action is Action.NONE:
            plan.left += 1
        elif finding.kind in (Kind.FIELD, Kind.CONSENT) and finding.kept:
            kept, name = finding.kept, finding.field or ""
            rid = finding.records[kept]  # an empty kept value empties the others (where they can hold it empty)
            for system in finding.values:
                if system != kept:
                    wanted = plan.writes[(kept, system)].setdefault(rid, set())
                    if wanted is not None:
                        wanted.add(name)
        elif finding.kind is Kind.MISSING and finding.action is Action.WRITE and finding.kept and finding.system:
            plan.writes[(finding.kept, finding.system)][finding.records[finding.kept]] = ALL_FIELDS
        elif finding.kind is Kind.MISSING and finding.action is Action.DELETE and finding.system:
            dead = finding.records.get(finding.system)
            if dead:
                for holder, rid in finding.records.items():
                    if holder != finding.system:
                        plan.deletes[(finding.system, holder)].append((dead, rid))
                plan.forget.append((finding.system, dead))
        elif finding.kind is Kind.DUPLICATE and finding.system:
            plan.merges[finding.system].append(finding.records[finding.system])
            if finding.hub_id:
                plan.merged_hubs[finding.system].append(finding.hub_id)
        elif finding.kind is Kind.STALE_LINK and finding.system:
            plan.forget.append((finding.system, finding.records[finding.system]))
    return plan


def _read_records(session: Any, system: str, stream: str, wanted: set[str]) -> dict[str, SourceRecord]:
    """The system's own records with these ids (one full read)."""
    mapping = stream_mapping(session.engine.connection(system), stream, session.config, session.host.transforms)
    found: dict[str, SourceRecord] = {}
    with session.engine.build(system) as connector:
        for item in resilient_read(connector, mapping.object, None, session.engine.retry):
            if isinstance(item, SourceRecord) and item.id in wanted and not item.deleted:
                found[item.id] = item
    return found


def heal(session: Any, comparison: Comparison, rules: Any, request: Any) -> dict[str, Any]:
    """Make the engine runs that heal ``comparison``; return what they did."""
    stream = request.stream
    plan = plan_fix(comparison)
    links = ReconcileStore(session.store)
    needed: dict[str, set[str]] = defaultdict(set)
    for (source, _), wanted in plan.writes.items():
        needed[source].update(wanted)
    for system, rids in plan.merges.items():
        needed[system].update(rids)
    raw = {system: _read_records(session, system, stream, rids) for system, rids in needed.items()}
    runs: list[dict[str, Any]] = []

    def mapping_of(system: str) -> Any:
        return stream_mapping(session.engine.connection(system), stream, session.config, session.host.transforms)

    def run(source: str, target: str, records: list[SourceRecord], hook: SyncHook, deletes: str | None = None) -> None:
        if not records:
            return
        settings = _leg_settings(session.config, source, target, stream, deletes)
        context = ConnectorContext(connection=source, work_dir=session.config.base_dir)
        summary = session.engine.run(RunRequest(
            pipeline=f"reconcile-fix:{stream}:{source}->{target}", source=source, target=target,
            settings=settings, streams=[stream], dry_run=request.dry_run,
            source_override=RecordList(records, context), sync=FixLeg(session.store, stream, hook),
        ))
        data = summary.as_dict()
        runs.append({"from": source, "to": target, **{k: data[k] for k in (
            "run_id", "status", "read", "created", "updated", "merged", "unchanged", "quarantined", "suppressed",
            "deleted")}})

    for (source, target), wanted in sorted(plan.writes.items()):
        narrowing = _Narrowing(wanted, mapping_of(target))
        run(source, target, [raw[source][rid] for rid in wanted if rid in raw[source]], narrowing)
        plan.cleared += narrowing.cleared
        plan.cannot_clear += narrowing.cannot_clear
    for system, rids in sorted(plan.merges.items()):
        others = [name for name in comparison.systems if name != system]
        for target in others:
            run(system, target, [raw[system][rid] for rid in rids if rid in raw[system]], SyncHook())
        # What the duplicate filled in the others reaches its own system's copy of the person too.
        places = session.store.hub_links(plan.merged_hubs[system], stream)
        own = {places[h][others[0]] for h in plan.merged_hubs[system] if others[0] in places.get(h, {})}
        if own and not request.dry_run:
            filled = _read_records(session, others[0], stream, own)
            run(others[0], system, list(filled.values()), _FillBlanks())
    for (owner, holder), pairs in sorted(plan.deletes.items()):
        tombstones = [SourceRecord(id=dead, data={}, ref=f"{owner} record {dead} (deleted)", deleted=True)
                      for dead, _ in pairs]
        run(owner, holder, tombstones, SyncHook(), deletes=rules.delete_rule)
        plan.forget.extend((holder, rid) for _, rid in pairs)
    forgotten = 0
    if not request.dry_run:
        by_system: dict[str, list[str]] = defaultdict(list)
        for system, rid in plan.forget:
            by_system[system].append(rid)
        for system, rids in by_system.items():
            forgotten += links.forget_identity_links(system, stream, rids)
            forgotten += links.forget_identity_links(system, stream + MERGED_SUFFIX, rids)
    return {"dry_run": request.dry_run, "runs": runs, "links_forgotten": forgotten, "left_for_review": plan.review,
            "left_by_rule": plan.left, "cleared": plan.cleared, "cannot_clear": plan.cannot_clear,
            "ok": all(r["status"] == "succeeded" and not r["quarantined"] for r in runs)}


def _leg_settings(config: Any, source: str, target: str, stream: str,
                  deletes: str | None) -> PipelineSettings:
    """The settings of one healing run: the configured pipeline's consent purposes, dedup on."""
    purposes: list[str] = []
    for settings in config.settings.pipelines.values():
        if settings.target == target and settings.source == source:
            purposes = list(settings.purposes)
    return PipelineSettings(source=source, target=target, streams=[stream], purposes=purposes, dedup=True,
                            deletes=DeleteRule(deletes or "ignore"), workers=1)
