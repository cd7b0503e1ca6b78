"""One batch through the pipeline: mapping → validation → consent → identity → diff → load → commit.

Every record that enters :meth:`BatchProcessor.process` leaves with exactly one outcome. Identities
are staged in the state store *before* the target is written, and outcomes and the checkpoint are
committed in one transaction only *after* the target confirmed the batch: a crash at any point is
resumed by re-reading from the last checkpoint, and re-writing is idempotent.
"""

from __future__ import annotations

import datetime as dt
import decimal
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hub.connectors.api import Capability, Connector, StreamInfo
from hub.consent.decision import ERASED, ConsentContext, ConsentVerdict
from hub.engine.identity import IdentityResolver, mint_hub_id
from hub.engine.keying import RecordKeyer, RecordKeys
from hub.engine.prepare import Prepared
from hub.engine.retry import RetryPolicy
from hub.engine.seen import SeenIds
from hub.records import Issue, Outcome, SourceRecord, WriteOutcome, WriteRequest, WriteResult
from hub.state import AuditEvent, QuarantineItem, RecordOutcome, StateStore
from hub.validation.limits import check_target_limits

_EMPTY = (None, "")
MERGED_SUFFIX = "#merged"
"""Identity-map streams of records merged into another record's hub id end with this."""


@dataclass(slots=True)
class StreamPlan:
    """Everything fixed for one stream of one run."""

    pipeline: str
    stream: str
    source_name: str
    source_object: str
    source_map: Any
    target: Connector
    target_name: str
    target_object: str
    target_map: Any
    consent: ConsentContext
    dedup: bool
    dry_run: bool
    delete_rule: str = "ignore"
    sync: Any = None
    """A two-way sync or reconciliation hook (:class:`hub.engine.sync_hooks.SyncHook`): it narrows what a record
    may set (conflict rules, echo suppression), re-reads the target before the write, records what was written."""
    target_info: StreamInfo | None = None
    """The target stream as ``discover()`` described it: field lengths are checked per record before writing."""
    identity: Any = None
    """The stream's identity settings (:class:`hub.identity.settings.StreamIdentitySettings`); ``None``: defaults."""

    @property
    def can_lookup(self) -> bool:
        return Capability.LOOKUP in self.target.capabilities


@dataclass(slots=True)
class _Front:
    """A batch whose identities, consent and changes are decided, waiting to be written."""

    staged: list[Staged]
    live: list[Staged]
    patches: dict[str, dict[str, Any]]


@dataclass(slots=True)
class Staged:
    """A record on its way through the batch."""

    seq: int
    record: SourceRecord
    canonical: dict[str, Any] | None = None
    hub_id: str | None = None
    own_id: str = ""
    known: bool = False
    secondary: bool = False
    outcome: Outcome | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    diff: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    target_id: str | None = None
    keys: list[str] = field(default_factory=list)
    """Exact match keys (HMACs)."""
    prepared_keys: RecordKeys | None = None

    def quarantine(self, issues: Sequence[Issue]) -> None:
        self.outcome = Outcome.QUARANTINED
        self.reasons = [issue.as_dict() for issue in issues]


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it: dates in ISO form, decimals as text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class BatchProcessor:
    """Runs batches of one stream through the pipeline and commits them."""

    def __init__(
        self,
        plan: StreamPlan,
        *,
        host: Any,
        store: StateStore,
        pseudonym: Callable[[str, str], str],
        keyer: RecordKeyer,
        retry: RetryPolicy,
        run_id: str,
        fencing_token: int,
        on_diff: Callable[[Staged], None] | None = None,
    ) -> None:
        self.plan = plan
        self.host = host
        self.store = store
        self.pseudonym = pseudonym
        self.retry = retry
        self.run_id = run_id
        self.fencing_token = fencing_token
        self.on_diff = on_diff
        self.identity = IdentityResolver(plan, store, pseudonym, self._current_state, run_id)
        self.keyer = keyer
        """Computes the keys of records whose preparation did not (a worker that could not load the key)."""
        self._seen = SeenIds()
        self._round_trip: frozenset[str] | None = plan.target_map.canonical_round_trip()
        """Fields the target keeps and gives back: the only ones an update can be judged on."""
        self._seq = 0
        self._writer: ThreadPoolExecutor | None = None
        self._writing: Future[Counter[str]] | None = None
        self._writing_ids: set[str] = set()
        """Hub ids of the batch being written (``*``: it deletes records, so any may change)."""
        self._target_lock = threading.Lock()
        """Connectors need not be thread-safe: one call at a time, from either thread."""
        self.seconds: dict[str, float] = {}
        """Time spent per stage, for the run summary and the benchmarks."""

    # Stages ----------------------------------------------------------------------------------------
    def _admit(self, staged: Staged, prepared: Prepared) -> None:
        """Take the prepared result; a source id seen earlier in this run is quarantined as a duplicate."""
        record = staged.record
        if record.error is None and not record.deleted and not self._seen.add(record.id):
            issue = Issue("id", "duplicate_source_id", "the same source id appeared earlier in this run")
            staged.quarantine([issue])
            return
        staged.outcome = prepared.outcome
        staged.reasons = prepared.reasons
        staged.detail = prepared.detail
        staged.canonical = prepared.canonical
        staged.prepared_keys = prepared.keys

    def _drop_erased(self, stopped: list[Staged]) -> None:
        """Records that would be quarantined but belong to a person whose data was erased: suppressed instead.

        Quarantine keeps a record's payload for someone to fix; an erased person's must not come back
        into the state store that way, however broken the row a source still holds.
        """
        if not stopped or self.plan.stream != "contacts":
            return
        from hub.state.privacy import PrivacyStore

        hashed = {s.seq: [h for _, h in (s.prepared_keys.identifiers or ())] for s in stopped if s.prepared_keys}
        state = PrivacyStore(self.store).batch_state([h for hs in hashed.values() for h in hs], [],
                                                     [s.prepared_keys.own_id for s in stopped if s.prepared_keys])
        for s in stopped:
            assert s.prepared_keys is not None
            entries = [e for h in hashed[s.seq] for e in state.suppressed.get(h, ())]
            entries += state.suppressed_hubs.get(s.prepared_keys.own_id, ())
            if any(e.reason == "erasure" for e in entries):
                s.outcome, s.reasons, s.canonical, s.detail = Outcome.SUPPRESSED, [], None, ERASED.as_detail()

    def _screen(self, live: list[Staged]) -> list[Staged]:
        """Batch-level consent rules (suppression list, ledger); returns the records still going on."""
        plan = self.plan
        records = [s.canonical or {} for s in live]
        hashed = [s.prepared_keys.identifiers for s in live
                  if s.prepared_keys is not None and s.prepared_keys.identifiers is not None]
        decisions = self.host.screen_batch(records, [s.hub_id or "" for s in live], plan.stream, plan.consent,
                                           self.store, hashed if len(hashed) == len(live) else None)
        if not decisions:
            return live
        remaining = []
        for index, s in enumerate(live):
            found = decisions.get(index)
            if found:
                worst = max(found, key=lambda d: d.verdict)
                if worst.verdict is ConsentVerdict.SUPPRESS:
                    s.outcome = Outcome.SUPPRESSED
                    s.detail = worst.as_detail()
                    s.canonical = None
                    continue
                for decision in found:
                    if decision.verdict is ConsentVerdict.STRIP_FIELDS and s.canonical is not None:
                        for name in decision.strip:
                            s.canonical.pop(name, None)
                        s.detail.setdefault("stripped", []).extend(decision.strip)
            remaining.append(s)
        return remaining

    def _resolve_identities(self, live: list[Staged]) -> None:
        """Give each record its hub id: a known link, else a match on its keys (a merge), else a new id.

        Links of records merged into someone else's hub id are kept apart (``MERGED_SUFFIX`` on the
        stream), so that later runs still treat them as secondary contributors that only fill blanks;
        a record linked plainly — including one crmhub itself wrote to that system — is the hub record.
        """
        plan = self.plan
        ids = [s.record.id for s in live]
        known = self.store.resolve(plan.source_name, plan.stream, ids)
        unknown = [i for i in ids if i not in known]
        merged = self.store.resolve(plan.source_name, plan.stream + MERGED_SUFFIX, unknown) if unknown else {}
        for s in live:
            if s.prepared_keys is None and s.canonical is not None:
                s.prepared_keys = self.keyer.keys(s.record.id, s.canonical)
            s.own_id = s.prepared_keys.own_id if s.prepared_keys else mint_hub_id(
                plan.source_name, plan.stream, s.record.id)
            if s.record.id in known:
                s.hub_id, s.known = known[s.record.id], True
            elif s.record.id in merged:
                s.hub_id, s.known, s.secondary = merged[s.record.id], True, True
            if s.prepared_keys is not None:
                s.keys = s.prepared_keys.match
        found: dict[str, str] = {}
        if plan.dedup:
            wanted = sorted({k for s in live if s.hub_id is None for k in s.keys})
            if wanted:
                found = self.store.find_match_keys(plan.stream, wanted)
        probable = self.identity.probable(live, found) if plan.dedup else {}
        by_seq = {s.seq: s for s in live}
        in_batch: dict[str, str] = {}
        for s in live:
            if s.hub_id is None:
                for key in s.keys:
                    if key in found or key in in_batch:
                        s.hub_id = found.get(key) or in_batch[key]
                        s.secondary = s.hub_id != s.own_id
                        break
                else:
                    self.identity.settle(s, probable, by_seq)
            for key in s.keys:
                in_batch.setdefault(key, s.hub_id or s.own_id)
        self.identity.hold_for_review(live, lambda: Issue(
            None, "identity_review", "possibly the same person as a known record: decide with `crmhub review`"))
        if not plan.dry_run:
            new = [s for s in live if not s.known]
            self.store.stage_identities(
                plan.stream,
                [(s.hub_id or "", plan.source_name, s.record.id) for s in new if not s.secondary],
                sorted({(k, s.hub_id or "") for s in live for k in s.keys}),
            )
            secondary = [(s.hub_id or "", plan.source_name, s.record.id) for s in new if s.secondary]
            if secondary:
                self.store.stage_identities(plan.stream + MERGED_SUFFIX, secondary, [])
            self.identity.stage(live)

    def _current_state(self, hub_ids: list[str]) -> dict[str, dict[str, Any]]:
        plan = self.plan
        if not hub_ids or not plan.can_lookup:
            return {}
        self._wait_for_writes_to(hub_ids)
        found = self.retry.call(lambda: self._locked(plan.target.lookup, plan.target_object, hub_ids))
        current: dict[str, dict[str, Any]] = {}
        for key, system_fields in found.items():
            canonical, _ = plan.target_map.to_canonical(system_fields)
            canonical.pop("id", None)
            current[key] = canonical
        return current

    def _plan_changes(self, live: list[Staged]) -> dict[str, dict[str, Any]]:
        """Decide each record's outcome against the target's current state; return the patch per hub id."""
        hub_ids = list(dict.fromkeys(s.hub_id for s in live if s.hub_id))
        current = self._current_state(hub_ids)
        patches: dict[str, dict[str, Any]] = {}
        for s in live:
            assert s.canonical is not None
            assert s.hub_id is not None
            values = {k: v for k, v in s.canonical.items() if v not in _EMPTY}
            state = current.get(s.hub_id)
            if self.plan.sync is not None:
                narrowed = self.plan.sync.values_to_write(s, values, state)
                if narrowed is None:  # an echo of crmhub's own write, or nothing this side may set
                    s.outcome = Outcome.UNCHANGED
                    continue
                values = narrowed
            if state is None:
                current[s.hub_id] = dict(values)
                patches[s.hub_id] = dict(values)
                s.outcome = Outcome.CREATED
                continue
            if self._round_trip is not None:
                values = self._as_target_keeps(values)
            changes = self.identity.changes(s, values, state)
            if changes:
                s.diff = {k: (state.get(k), v) for k, v in changes.items()}
                state.update(changes)
                patches.setdefault(s.hub_id, {}).update(changes)
                s.outcome = Outcome.MERGED if s.secondary else Outcome.UPDATED
            else:
                s.outcome = Outcome.MERGED if s.secondary and not s.known else Outcome.UNCHANGED
            if s.secondary:
                s.detail["merged_into"] = s.hub_id
        return patches

    def _as_target_keeps(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` as the target would give them back: only fields it keeps, in the form it keeps them.

        A target that cannot tell two values apart (``former_customer`` and ``other`` written as one
        picklist value; ``granted`` written as "not opted out", read back as ``unknown``) must not
        look changed on every run.
        """
        target_map = self.plan.target_map
        kept = {k: v for k, v in values.items() if self._round_trip is None or k in self._round_trip}
        echoed, _ = target_map.to_canonical(target_map.from_canonical(kept))
        return {k: echoed[k] for k in kept if echoed.get(k) not in _EMPTY}

    def _write(self, live: list[Staged], patches: dict[str, dict[str, Any]]) -> None:
        plan = self.plan
        if not patches:
            return
        links = self.store.hub_links(list(patches), plan.stream)
        requests = []
        refused: dict[str, list[Issue]] = {}
        for hub_id, patch in patches.items():
            fields = plan.target_map.from_canonical(patch)
            issues = check_target_limits(fields, plan.target_info) if plan.target_info else []
            if issues:
                refused[hub_id] = issues
                continue
            target_id = links.get(hub_id, {}).get(plan.target_name)
            requests.append(WriteRequest(key=hub_id, fields=fields, target_id=target_id))
        results: dict[str, WriteResult] = {}
        size = max(1, plan.target.write_batch_size)
        for start in range(0, len(requests), size):
            chunk = requests[start:start + size]
            results.update(self._write_chunk(chunk))
        for s in live:
            if s.hub_id not in patches or s.outcome is Outcome.UNCHANGED:
                continue
            result = results.get(s.hub_id or "")
            if s.hub_id in refused:
                s.quarantine(refused[s.hub_id or ""])
            elif result is None:
                s.quarantine([Issue(None, "target_no_result", "the target returned no result for this record")])
            elif result.outcome is WriteOutcome.FAILED:
                code = result.code or "target_rejected"
                s.quarantine([Issue(None, code, result.message or "rejected by the target")])
            else:
                s.target_id = result.target_id

    def _write_chunk(self, chunk: list[WriteRequest]) -> dict[str, WriteResult]:
        """Write, retrying the whole call on retriable errors and only the failed rows on retriable results."""
        plan = self.plan
        pending = {r.key: r for r in chunk}
        settled: dict[str, WriteResult] = {}
        for _ in range(self.retry.attempts):
            batch = list(pending.values())
            results = self.retry.call(
                lambda b=batch: self._locked(plan.target.write, plan.target_object, b))  # type: ignore[misc]
            retry_keys = []
            for result in results:
                if result.key in pending:
                    settled[result.key] = result
                    if result.outcome is WriteOutcome.FAILED and result.retriable:
                        retry_keys.append(result.key)
            pending = {k: pending[k] for k in retry_keys}
            if not pending:
                break
        return settled

    # The batch -------------------------------------------------------------------------------------
    def process(
        self, records: Sequence[SourceRecord], prepared: Sequence[Prepared], checkpoint: dict[str, Any] | None,
        checkpoint_stream: str | None = None,
    ) -> Counter[str]:
        """Take prepared ``records`` through identity, comparison and load; commit them and ``checkpoint``.

        ``checkpoint_stream`` names where the checkpoint is kept when it is not the stream's own (the
        position in a source's list of deletes).
        """
        done = self.drain()  # a batch still being written is committed first; its counts go with these
        return done + self._back(self._front(records, prepared), checkpoint, checkpoint_stream)

    def process_behind(
        self, records: Sequence[SourceRecord], prepared: Sequence[Prepared], checkpoint: dict[str, Any] | None
    ) -> Counter[str]:
        """Like :meth:`process`, but the load and commit run in a writer thread while the next batch is prepared.

        Returns the counts of the batch whose load finished meanwhile (empty at first); :meth:`drain`
        gives the last one. The order of writes and commits is the order of batches, and a batch that
        needs the target's view of records still being written waits for that write first. Dry runs and
        two-way syncs run in order.
        """
        front = self._front(records, prepared)
        done = self.drain()
        if self.plan.dry_run or self.plan.sync is not None:
            return done + self._back(front, checkpoint, None)
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmhub-writer")
        self._writing_ids = {s.hub_id for s in front.staged if s.hub_id} | (
            {"*"} if any(s.record.deleted for s in front.staged) else set())
        self._writing = self._writer.submit(self._back, front, checkpoint, None)
        return done

    def drain(self) -> Counter[str]:
        """Wait for the batch being written, if any; its counts (its error, if it failed)."""
        writing, self._writing = self._writing, None
        self._writing_ids = set()
        return writing.result() if writing is not None else Counter()

    def close(self) -> Counter[str]:
        """Finish the batch being written and stop the writer thread; the batch's counts (its error, if it failed)."""
        try:
            return self.drain()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
                self._writer = None

    def _wait_for_writes_to(self, hub_ids: Sequence[str]) -> None:
        """Before the target is asked about ``hub_ids``: let a write in progress to any of them finish."""
        if self._writing is not None and ("*" in self._writing_ids or not self._writing_ids.isdisjoint(hub_ids)):
            self._writing.result()

    def _front(self, records: Sequence[SourceRecord], prepared: Sequence[Prepared]) -> _Front:
        """Admission, identities, consent screen and comparison: everything before the target is written."""
        staged = []
        clock = time.perf_counter()
        for record, result in zip(records, prepared, strict=True):
            self._seq += 1
            s = Staged(seq=self._seq, record=record)
            self._admit(s, result)
            staged.append(s)
        self._drop_erased([s for s in staged if s.outcome is Outcome.QUARANTINED and s.prepared_keys is not None])
        clock = self._tick("admit", clock)
        live = [s for s in staged if s.outcome is None and not s.record.deleted]
        patches: dict[str, dict[str, Any]] = {}
        if live:
            self._resolve_identities(live)
            clock = self._tick("identity", clock)
            live = self._screen(live)
            clock = self._tick("screen", clock)
            patches = self._plan_changes(live)
            self._tick("compare", clock)
        return _Front(staged, live, patches)

    def _back(self, front: _Front, checkpoint: dict[str, Any] | None,
              checkpoint_stream: str | None) -> Counter[str]:
        """Load, then commit outcomes and ``checkpoint``."""
        plan = self.plan
        staged, live, patches = front.staged, front.live, front.patches
        clock = time.perf_counter()
        if live:
            if plan.dry_run:
                if self.on_diff:
                    for s in live:
                        self.on_diff(s)
            else:
                if plan.sync is not None:
                    patches = plan.sync.before_write(live, patches)
                self._write(live, patches)
                self.identity.remember_written(live)
                if plan.sync is not None:
                    plan.sync.after_write(live)
            clock = self._tick("write", clock)
        self._propagate_deletes([s for s in staged if s.record.deleted])
        counts = self._commit(staged, checkpoint, checkpoint_stream)
        self._tick("commit", clock)
        return counts

    def _locked(self, call: Callable[..., Any], *args: Any) -> Any:
        with self._target_lock:
            return call(*args)

    def _tick(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - since
        return now

    def _propagate_deletes(self, tombstones: list[Staged]) -> None:
        plan = self.plan
        if not tombstones:
            return
        if plan.delete_rule == "ignore" or Capability.DELETE not in plan.target.capabilities:
            return
        known = self.store.resolve(plan.source_name, plan.stream, [s.record.id for s in tombstones])
        doomed = [s for s in tombstones if s.record.id in known]
        for s in doomed:
            s.hub_id = known[s.record.id]
            s.outcome = Outcome.DELETED
        if doomed and not plan.dry_run:
            keys = [s.hub_id or "" for s in doomed]
            self.retry.call(lambda: self._locked(plan.target.delete, plan.target_object, keys))

    def _commit(
        self, staged: list[Staged], checkpoint: dict[str, Any] | None, checkpoint_stream: str | None = None
    ) -> Counter[str]:
        plan = self.plan
        counts: Counter[str] = Counter()
        outcomes: list[RecordOutcome] = []
        quarantine: list[QuarantineItem] = []
        audit: list[AuditEvent] = []
        links: list[tuple[str, str, str]] = []
        for s in staged:
            if s.outcome is None:
                continue
            counts[s.outcome.value] += 1
            detail: dict[str, Any] | None = dict(s.detail) or None
            if s.reasons:
                detail = {"reasons": s.reasons}
                quarantine.append(QuarantineItem(
                    ref=s.record.ref, source_id=s.record.id, connection=plan.source_name,
                    reasons=s.reasons, payload={k: jsonable(v) for k, v in s.record.data.items()},
                ))
                self.host.record_quarantined(self.run_id, plan.stream, s.record.ref, s.reasons)
            if s.diff:
                detail = {**(detail or {}), "fields": sorted(s.diff)}
            outcomes.append(RecordOutcome(
                seq=s.seq, ref=s.record.ref, source_id=s.record.id, hub_id=s.hub_id,
                outcome=s.outcome.value, target_id=s.target_id, detail=detail,
            ))
            if s.target_id and s.hub_id:
                links.append((s.hub_id, plan.target_name, s.target_id))
            if s.outcome in (Outcome.SUPPRESSED, Outcome.MERGED):
                audit.append(AuditEvent(
                    event=f"record.{s.outcome.value}", subject=s.hub_id or mint_hub_id(
                        plan.source_name, plan.stream, s.record.id),
                    details={"pipeline": plan.pipeline, "destination": plan.target_name, **(s.detail or {})},
                    run_id=self.run_id,
                ))
        self.store.commit_batch(
            self.run_id, plan.pipeline, checkpoint_stream or plan.stream, outcomes,
            links if not plan.dry_run else [], quarantine,
            None if plan.dry_run else checkpoint, self.fencing_token,
        )
        if audit and not plan.dry_run:
            self.store.audit_many(audit)
        return counts
