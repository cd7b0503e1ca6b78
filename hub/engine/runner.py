"""A run: one pipeline, source to target, stream by stream, under a lease, resumable from checkpoints."""

from __future__ import annotations

import json
import logging
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.config import Connection, HubConfig, PipelineSettings
from hub.connectors.api import Capability, Connector, ConnectorContext, StreamInfo
from hub.consent.decision import ConsentContext
from hub.engine.batch import BatchProcessor, Staged, StreamPlan, jsonable
from hub.engine.holder import holder_gone, this_holder
from hub.engine.keying import KEY_CHECK, RecordKeyer
from hub.engine.mappings import stream_mapping
from hub.engine.prepare import Prepared, PreparePool, PrepareRecipe, RecordPreparer, worker_count
from hub.engine.reading import resilient_read
from hub.engine.retry import RetryPolicy
from hub.engine.summary import RunSummary
from hub.errors import CrmhubError, FatalError, QuotaExhaustedError, SchemaError
from hub.records import Checkpoint, Outcome, SourceRecord
from hub.state import StateStore

log = logging.getLogger("crmhub.engine")
LEASE_TTL_S = 600.0
DELETES_SUFFIX = "#deleted"
"""Checkpoints of a source's list of deletes are kept under the stream's name with this suffix."""

ProgressCallback = Callable[[str, int], None]


@dataclass(slots=True)
class RunRequest:
    """What to run: a pipeline's ends and settings, and how."""

    pipeline: str
    source: str
    target: str
    settings: PipelineSettings
    streams: Sequence[str] = ()
    dry_run: bool = False
    restart: bool = False
    progress: ProgressCallback | None = None
    connector_options: dict[str, Any] = field(default_factory=dict)
    source_override: Connector | None = None
    """Read from this connector instead of building the source (quarantine replay); mapping and identity
    still follow the ``source`` connection."""
    sync: Any = None
    """A two-way sync leg or a reconciliation fix (:class:`hub.engine.sync_hooks.SyncLeg`): it wraps the
    connectors and gives each stream its :class:`~hub.engine.sync_hooks.SyncHook`."""


class Engine:
    """Builds connectors from the configuration and runs pipelines through the state store."""

    def __init__(self, config: HubConfig, host: Any, store: StateStore, keys: Any) -> None:
        self.config = config
        self.host = host
        self.store = store
        self.keys = keys
        self.retry = RetryPolicy.from_env()

    # Building --------------------------------------------------------------------------------------
    def connection(self, name: str) -> Connection:
        try:
            return self.config.connections[name]
        except KeyError:
            known = ", ".join(self.config.connections) or "none"
            raise FatalError(f"no connection named {name!r} in {self.config.path} (defined: {known})") from None

    def build(self, name: str, options: dict[str, Any] | None = None) -> Connector:
        """A connector instance for connection ``name`` (not yet opened)."""
        conn = self.connection(name)
        context = ConnectorContext(
            connection=name,
            work_dir=self.config.base_dir,
            logger=logging.getLogger(f"crmhub.connector.{name}"),
            kv=_ConnectionKV(self.store, name),
            options=dict(options or {}),
        )
        return conn.connector_class(conn.config, context)

    def report_dir(self, run_id: str) -> Path:
        path = self.config.base_dir / ".crmhub" / "reports" / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    # Running ---------------------------------------------------------------------------------------
    def run(self, request: RunRequest) -> RunSummary:
        """Run ``request`` to the end (or to a clean stop); the summary always adds up."""
        source_conn, target_conn = self.connection(request.source), self.connection(request.target)
        streams = list(request.streams or request.settings.streams)
        lease = request.pipeline
        token = self.store.acquire_lease(lease, this_holder(), LEASE_TTL_S, holder_gone=holder_gone)
        run_id = self.store.start_run(request.pipeline, request.source, request.target, streams,
                                      request.dry_run, token)
        summary = RunSummary(run_id=run_id, pipeline=request.pipeline, dry_run=request.dry_run)
        reports = self.report_dir(run_id)
        summary.report_dir = str(reports)
        self.host.run_started(run_id, request.pipeline, request.dry_run)
        self.store.audit("run.started", None, {"pipeline": request.pipeline, "dry_run": request.dry_run,
                                                "source": request.source, "target": request.target}, run_id)
        status, error = "succeeded", None
        try:
            if request.restart and not request.dry_run:
                self.store.clear_checkpoints(request.pipeline)
            source = request.source_override or self.build(request.source, request.connector_options)
            target = self.build(request.target, request.connector_options)
            if request.sync is not None:
                source, target = request.sync.connectors(source, target)
            _require(source, Capability.READ, request.source)
            _require(target, Capability.WRITE, request.target)
            with source, target:
                for stream in streams:
                    self._run_stream(request, stream, source, source_conn, target, target_conn,
                                     summary, token, reports)
                    self.store.renew_lease(lease, token, LEASE_TTL_S)
        except QuotaExhaustedError as exc:
            status, error = "stopped", exc.public_message
        except CrmhubError as exc:
            status, error = "failed", exc.public_message
        except Exception as exc:  # a bug or an unclassified library error: the run fails, the summary stays true
            log.exception("run %s failed", run_id)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            summary.finish(status, error)
            data = summary.as_dict()
            (reports / "summary.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
            self.store.finish_run(run_id, status, data)
            self.store.audit("run.finished", None, {"status": status, **{k: data[k] for k in (
                "read", "created", "updated", "merged", "unchanged", "quarantined", "suppressed")}}, run_id)
            self.store.release_lease(lease, token)
            self.host.run_finished(run_id, data)
        return summary

    def _run_stream(
        self,
        request: RunRequest,
        stream: str,
        source: Connector,
        source_conn: Connection,
        target: Connector,
        target_conn: Connection,
        summary: RunSummary,
        token: int,
        reports: Path,
    ) -> None:
        transforms = self.host.transforms
        source_map = stream_mapping(source_conn, stream, self.config, transforms)
        target_map = stream_mapping(target_conn, stream, self.config, transforms)
        target_info = self._check_target_schema(target, target_map, request.target)
        plan = StreamPlan(
            pipeline=request.pipeline,
            stream=stream,
            source_name=request.source,
            source_object=source_map.object,
            source_map=source_map,
            target=target,
            target_name=request.target,
            target_object=target_map.object,
            target_map=target_map,
            consent=ConsentContext(
                pipeline=request.pipeline,
                destination=request.target,
                purposes=tuple(request.settings.purposes),
                classification=target_conn.settings.classification.value,
                region=target_conn.settings.region,
                source=request.source,
                dry_run=request.dry_run,
                run_id=summary.run_id,
                dedup=request.settings.dedup,
                policy=self.config.settings.consent,
            ),
            dedup=request.settings.dedup,
            dry_run=request.dry_run,
            delete_rule=request.settings.deletes.value,
            target_info=target_info,
            identity=self.config.settings.identity.for_stream(stream),
            sync=request.sync.for_stream(stream) if request.sync is not None else None,
        )
        diff_file = (reports / f"{stream}.changes.jsonl").open("w", encoding="utf-8") if request.dry_run else None

        def on_diff(staged: Staged) -> None:
            assert diff_file is not None
            diff_file.write(json.dumps({
                "ref": staged.record.ref,
                "source_id": staged.record.id,
                "hub_id": staged.hub_id,
                "outcome": staged.outcome.value if staged.outcome else None,
                "changes": {k: {"before": jsonable(b), "after": jsonable(a)} for k, (b, a) in staged.diff.items()},
            }, ensure_ascii=False) + "\n")

        keyer = RecordKeyer(stream, request.source, dedup=plan.dedup, identity=plan.identity,
                            pseudonym=self.keys.pseudonym)
        processor = BatchProcessor(
            plan, host=self.host, store=self.store, pseudonym=self.keys.pseudonym, keyer=keyer, retry=self.retry,
            run_id=summary.run_id, fencing_token=token, on_diff=on_diff if diff_file else None,
        )
        preparer = RecordPreparer(source_map, self.host, stream, request.source, plan.consent, keyer)
        recipe = None if request.source_override else PrepareRecipe(
            self.config.path, request.source, stream, plan.consent, plan.dedup, plan.identity,
            self.keys.pseudonym(*KEY_CHECK) if getattr(self.keys, "reloadable", False) else None)
        pool = PreparePool(preparer, recipe, worker_count(request.settings.workers), request.settings.parallel_after)
        start = None
        if request.source_override is None and not request.restart:
            start = self.store.get_checkpoint(request.pipeline, stream)
        batch: list[SourceRecord] = []
        batch_checkpoint: dict[str, Any] | None = None
        batch_size = effective_batch_size(request, target)
        deferred: dict[str, Any] | None = None
        """A position read after the last batch was handed over: committed with the next batch, or at the end."""
        in_flight: deque[tuple[Future[list[Prepared]], list[SourceRecord], dict[str, Any] | None]] = deque()
        read = 0

        def account(counts: Counter[str]) -> None:
            if not counts:
                return
            for outcome, n in counts.items():
                summary.add(stream, Outcome(outcome), n)
            self.host.batch_written(summary.run_id, stream, dict(counts))
            if request.progress:
                request.progress(stream, summary.per_stream.get(stream, Counter()).total())

        def finish_oldest() -> None:
            future, records, checkpoint = in_flight.popleft()
            account(processor.process_behind(records, future.result(), checkpoint))

        def submit() -> None:
            nonlocal batch, batch_checkpoint, deferred
            in_flight.append((pool.submit(batch, read), batch, batch_checkpoint or deferred))
            batch, batch_checkpoint, deferred = [], None, None
            while len(in_flight) > pool.depth:
                finish_oldest()

        try:
            for item in resilient_read(source, plan.source_object, start, self.retry):
                if isinstance(item, Checkpoint):
                    if batch:
                        batch_checkpoint = item.cursor
                    elif in_flight:
                        last_future, last_records, _ = in_flight[-1]
                        in_flight[-1] = (last_future, last_records, item.cursor)
                    else:  # committed with the next batch, or at the end: never before a batch still being written
                        deferred = item.cursor
                    continue
                batch.append(item)
                read += 1
                if len(batch) >= batch_size:
                    submit()
            if batch:
                submit()
            while in_flight:
                finish_oldest()
            account(processor.drain())
            if deferred is not None and not request.dry_run:
                self.store.commit_batch(summary.run_id, request.pipeline, stream, [], [], [], deferred, token)
            self._propagate_source_deletes(request, stream, source, processor, summary)
        finally:
            try:
                account(processor.close())  # what was committed is counted, even when the run stops here
            finally:
                pool.close()
            for stage, seconds in processor.seconds.items():
                summary.stage_seconds[stage] = summary.stage_seconds.get(stage, 0.0) + seconds
            if diff_file:
                diff_file.close()

    def _propagate_source_deletes(
        self, request: RunRequest, stream: str, source: Connector, processor: BatchProcessor, summary: RunSummary
    ) -> None:
        """Pass the records the source reports deleted since the last run to the target, per the delete rule."""
        if request.settings.deletes.value == "ignore" or Capability.DELETE_DETECTION not in source.capabilities:
            return
        if request.source_override is not None:
            return
        key = stream + DELETES_SUFFIX
        since = None if request.restart else self.store.get_checkpoint(request.pipeline, key)
        plan = processor.plan
        batch: list[SourceRecord] = []

        def flush(cursor: dict[str, Any] | None) -> None:
            nonlocal batch
            counts = processor.process(batch, [Prepared() for _ in batch], cursor, checkpoint_stream=key)
            for outcome, n in counts.items():
                summary.add(stream, Outcome(outcome), n)
            batch = []

        items = source.deleted(plan.source_object, Checkpoint(key, since) if since is not None else None)
        for item in items:
            if isinstance(item, Checkpoint):
                if not request.dry_run:
                    flush(item.cursor)
                continue
            batch.append(SourceRecord(id=item.id, data={}, ref=f"{request.source} deleted {item.id}", deleted=True))
            if len(batch) >= effective_batch_size(request, processor.plan.target):
                flush(None)
        if batch:
            flush(None)

    def _check_target_schema(self, target: Connector, target_map: Any, name: str) -> StreamInfo:
        """Fail before any write when the target lacks a field, or refuses a value, the mapping writes."""
        infos = {info.name: info for info in self.retry.call(target.discover)}
        info = infos.get(target_map.object)
        if info is None:
            raise SchemaError(f"connection {name!r} has no stream {target_map.object!r} "
                              f"(it offers: {', '.join(sorted(infos)) or 'none'})")
        problems = target_map.check_against(info)
        if problems:
            listed = "\n".join(f"  - {p}" for p in problems)
            raise SchemaError(f"the mapping for {name!r} does not fit {target_map.object!r}:\n{listed}")
        return info


def effective_batch_size(request: RunRequest, target: Connector) -> int:
    """The pipeline's ``batch_size``, else the target's preferred write size (at least 1,000, at most 20,000)."""
    if request.settings.batch_size:
        return request.settings.batch_size
    return max(1000, min(type(target).write_batch_size, 20_000))


def _require(connector: Connector, capability: Capability, name: str) -> None:
    if capability not in connector.capabilities:
        raise FatalError(f"connection {name!r} ({connector.name}) cannot {capability.value}")


class _ConnectionKV:
    """The encrypted key-value store, scoped to one connection."""

    def __init__(self, store: StateStore, connection: str) -> None:
        self._store = store
        self._namespace = f"connection:{connection}"

    def get(self, key: str) -> str | None:
        return self._store.kv_get(self._namespace, key)

    def set(self, key: str, value: str) -> None:
        self._store.kv_set(self._namespace, key, value)

    def delete(self, key: str) -> None:
        self._store.kv_delete(self._namespace, key)
