"""``crmhub reconcile``: read every system, compare through the identity map, report, and optionally heal.

Each reconciliation is recorded as a run of the pseudo-pipeline ``reconcile:<stream>:<A>+<B>…`` (so it
appears in ``crmhub runs``, holds a lease against a concurrent reconciliation of the same systems,
and its summary is the history the report draws "drift over time" from).
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.engine.holder import holder_gone, this_holder
from hub.engine.mappings import stream_mapping
from hub.errors import FatalError
from hub.reconcile.compare import compare
from hub.reconcile.findings import Comparison
from hub.reconcile.normalise import Normaliser
from hub.reconcile.rules import ConflictPolicy
from hub.reconcile.scratch import ScratchIndex, SystemFile
from hub.reconcile.snapshot import compared_fields, covered_fields, load_links, read_system
from hub.state.reconciliation import ReconcileStore

__all__ = ["ReconcileRequest", "Reconciler", "history_name"]

LEASE_TTL_S = 3600.0


@dataclass(slots=True)
class ReconcileRequest:
    """What to reconcile and how."""

    systems: list[str]
    stream: str = "contacts"
    report_dir: Path | None = None
    fix: bool = False
    dry_run: bool = False
    case_sensitive: tuple[str, ...] = ()
    workers: int = 1
    """Processes reading systems at once (1: read them one after the other in this process)."""


@dataclass(slots=True)
class PipelineRules:
    """The rules a reconciliation applies: the conflict policy and the delete rule of the pipeline found."""

    policy: ConflictPolicy
    delete_rule: str
    pipeline: str | None
    settings: Any = None


@dataclass(slots=True)
class ReconcileOutcome:
    """A finished reconciliation: its id, the comparison, the summary and where the report went."""

    run_id: str
    comparison: Comparison
    summary: dict[str, Any]
    report_dir: Path
    fix: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


def history_name(stream: str, systems: list[str]) -> str:
    """The pseudo-pipeline a reconciliation of these systems is recorded under."""
    return f"reconcile:{stream}:{'+'.join(systems)}"


def pipeline_rules(config: Any, systems: list[str]) -> PipelineRules:
    """The configured pipeline between the systems (the one whose source is listed first wins), else defaults."""
    candidates = [(name, p) for name, p in config.settings.pipelines.items()
                  if p.source in systems and p.target in systems]
    candidates.sort(key=lambda item: (systems.index(item[1].source), systems.index(item[1].target)))
    others = [s for s in systems]
    if candidates:
        name, settings = candidates[0]
        policy = ConflictPolicy.from_settings(settings, others=others)
        return PipelineRules(policy, settings.deletes.value, name, settings)
    return PipelineRules(ConflictPolicy("source_wins", systems[0], systems[1], others=others), "ignore", None)


class Reconciler:
    """Runs reconciliations in one hub session."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.config = session.config
        self.store = session.store
        self.engine = session.engine
        self.stage_seconds: dict[str, float] = {}
        """Wall time of the last comparison's phases: ``read`` (every system, with links) and ``compare``."""

    def run(self, request: ReconcileRequest) -> ReconcileOutcome:
        """Compare the systems, write the report, heal with ``fix``; the outcome carries the summary."""
        systems = list(dict.fromkeys(request.systems))
        if len(systems) < 2:
            raise FatalError("reconcile needs at least two different connections")
        for name in systems:
            self.engine.connection(name)
        rules = pipeline_rules(self.config, systems)
        name = history_name(request.stream, systems)
        token = self.store.acquire_lease(name, this_holder(), LEASE_TTL_S, holder_gone=holder_gone)
        run_id = self.store.start_run(name, systems[0], ",".join(systems[1:]), [request.stream],
                                      request.dry_run, token)
        started = time.monotonic()
        status, outcome = "failed", None
        summary: dict[str, Any] = {"error": "interrupted"}
        try:
            comparison = self.compare(systems, request)
            reports = request.report_dir or self.engine.report_dir(run_id)
            reports.mkdir(parents=True, exist_ok=True)
            from hub.reconcile.summary import build_summary

            history = self.history(name)
            seconds = time.monotonic() - started
            summary = build_summary(run_id, request, comparison, rules, seconds, history)
            summary["stage_seconds"] = {k: round(v, 3) for k, v in self.stage_seconds.items()}
            fixed = None
            if request.fix:
                from hub.reconcile.fix import heal

                fixed = heal(self.session, comparison, rules, request)
                summary["fix"] = fixed
            from hub.reconcile.report_files import write_reports

            write_reports(reports, summary, comparison)
            summary["report_dir"] = str(reports)
            status = "succeeded"
            outcome = ReconcileOutcome(run_id, comparison, summary, reports, fixed, history)
        finally:
            self.store.finish_run(run_id, status, summary)
            self.store.release_lease(name, token)
        return outcome

    def history(self, name: str, limit: int = 30) -> list[dict[str, Any]]:
        """Past reconciliations of the same systems, oldest first: when, and how many differences."""
        past = [run for run in self.store.list_runs(limit=limit, pipeline=name)
                if run.status == "succeeded" and not run.dry_run and "differences" in run.summary]
        return [{"run_id": run.run_id, "at": run.started_at.isoformat(timespec="seconds"),
                 "differences": run.summary.get("differences", 0), "matched": run.summary.get("matched", 0),
                 "by_kind": run.summary.get("by_kind", {})} for run in reversed(past)]

    def compare(self, systems: list[str], request: ReconcileRequest) -> Comparison:
        """Read each system into a scratch index and compare them."""
        stream = request.stream
        transforms = self.session.host.transforms
        mappings = [stream_mapping(self.engine.connection(n), stream, self.config, transforms) for n in systems]
        covered = []
        for system, mapping in zip(systems, mappings, strict=True):
            with self.engine.build(system) as connector:
                covered.append(covered_fields(mapping, connector, stream))
        fields = compared_fields(covered, stream)
        normaliser = Normaliser(stream, fields, request.case_sensitive)
        folder = Path(tempfile.mkdtemp(prefix="crmhub-reconcile-"))
        clock = time.perf_counter()
        try:
            if request.workers > 1:
                self._read_in_workers(systems, mappings, stream, fields, request, folder)
            else:
                for number, (system, mapping) in enumerate(zip(systems, mappings, strict=True)):
                    self._read_here(number, system, mapping, stream, fields, folder)
            self.stage_seconds["read"] = time.perf_counter() - clock
            index = ScratchIndex(folder, systems)
            try:
                rules = pipeline_rules(self.config, systems)
                return compare(index, normaliser, rules.policy, rules.delete_rule, workers=request.workers)
            finally:
                index.close()
                self.stage_seconds["compare"] = time.perf_counter() - clock - self.stage_seconds["read"]
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _read_here(self, number: int, system: str, mapping: Any, stream: str, fields: list[str], folder: Path) -> None:
        out = SystemFile(folder / f"system{number}.db", number)
        with self.engine.build(system) as connector:
            read_system(connector, mapping, fields, out, self.engine.retry)
        load_links(ReconcileStore(self.store), system, stream, out)
        out.finish()

    def _read_in_workers(self, systems: list[str], mappings: list[Any], stream: str, fields: list[str],
                         request: ReconcileRequest, folder: Path) -> None:
        """The first system is read here, the others by worker processes meanwhile (one start-up fewer)."""
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(request.workers - 1, len(systems) - 1) or 1,
                                 mp_context=context) as pool:
            jobs = [pool.submit(read_in_worker, self.config.path, system, stream, fields, folder, number)
                    for number, system in enumerate(systems) if number > 0]
            self._read_here(0, systems[0], mappings[0], stream, fields, folder)
            for job in jobs:
                job.result()


def read_in_worker(config_path: Path, system: str, stream: str, fields: list[str], folder: Path, number: int) -> int:
    """Read one system into its scratch file in a worker process (its own plugins, config and store)."""
    from hub.app import open_hub

    with open_hub(config_path) as session:
        mapping = stream_mapping(session.engine.connection(system), stream, session.config, session.host.transforms)
        out = SystemFile(folder / f"system{number}.db", number)
        with session.engine.build(system) as connector:
            read = read_system(connector, mapping, fields, out, session.engine.retry)
        load_links(ReconcileStore(session.store), system, stream, out)
        out.finish()
    return read.records
