"""The per-record half of the pipeline — mapping, validation, consent — which needs no state store.

Because it touches nothing shared, it can run in worker processes while the main process reads,
resolves identities, writes and commits: :class:`PreparePool` runs it in a process pool for large
runs (``workers`` in a pipeline) and inline for small ones.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.consent.decision import ConsentContext, ConsentVerdict
from hub.engine.keying import KEY_CHECK, RecordKeyer, RecordKeys
from hub.records import Outcome, SourceRecord

log = logging.getLogger("crmhub.engine")


@dataclass(slots=True)
class Prepared:
    """What preparing one record produced: its canonical form, or why it stops here."""

    canonical: dict[str, Any] | None = None
    outcome: Outcome | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    keys: RecordKeys | None = None
    """The record's hub id, match keys and pseudonyms, when the preparer was given a keyer."""


class RecordPreparer:
    """Maps, validates and consent-checks records of one stream from one source."""

    def __init__(self, source_map: Any, host: Any, stream: str, source_name: str, consent: ConsentContext,
                 keyer: RecordKeyer | None = None) -> None:
        self.source_map = source_map
        self.host = host
        self.stream = stream
        self.source_name = source_name
        self.consent = consent
        self.keyer = keyer

    def prepare(self, record: SourceRecord) -> Prepared:
        if record.error is not None:
            return Prepared(outcome=Outcome.QUARANTINED, reasons=[record.error.as_dict()])
        if record.deleted:
            return Prepared()
        canonical, issues = self.source_map.to_canonical(record.data)
        canonical.pop("id", None)
        canonical[f"external_ids.{self.source_name}"] = record.id
        if not issues:
            issues = self.host.validate_record(canonical, self.stream)
        if issues:
            return Prepared(outcome=Outcome.QUARANTINED, reasons=[issue.as_dict() for issue in issues],
                            keys=self.keyer.person(record.id, canonical) if self.keyer is not None else None)
        prepared = Prepared(canonical=canonical)
        decisions = self.host.check_consent(canonical, self.stream, self.consent)
        if decisions:
            worst = max(decisions, key=lambda d: d.verdict)
            if worst.verdict is ConsentVerdict.SUPPRESS:
                return Prepared(outcome=Outcome.SUPPRESSED,
                                detail=worst.as_detail())
            for decision in decisions:
                if decision.verdict is ConsentVerdict.STRIP_FIELDS:
                    for name in decision.strip:
                        canonical.pop(name, None)
                    prepared.detail.setdefault("stripped", []).extend(decision.strip)
        if self.keyer is not None:
            prepared.keys = self.keyer.keys(record.id, canonical)
        return prepared

    def prepare_all(self, records: Sequence[SourceRecord]) -> list[Prepared]:
        return [self.prepare(record) for record in records]


@dataclass(frozen=True, slots=True)
class PrepareRecipe:
    """How a worker process builds its own :class:`RecordPreparer` from the configuration file."""

    config_path: Path
    source: str
    stream: str
    consent: ConsentContext
    dedup: bool = True
    identity: Any = None
    """The stream's identity settings (:class:`hub.identity.settings.StreamIdentitySettings`)."""
    key_check: str | None = None
    """The main process's pseudonym of :data:`KEY_CHECK`: a worker whose own key hashes it the same way
    computes the records' keys too; ``None`` (keys held only in the main process's memory): it does not."""


_WORKER: RecordPreparer | None = None


def _start_worker(recipe: PrepareRecipe) -> None:
    global _WORKER
    from hub.config import load_config
    from hub.engine.mappings import stream_mapping
    from hub.plugins import PluginHost

    host = PluginHost.start()
    config = load_config(recipe.config_path, host.connectors)
    source_map = stream_mapping(config.connections[recipe.source], recipe.stream, config, host.transforms)
    _WORKER = RecordPreparer(source_map, host, recipe.stream, recipe.source, recipe.consent,
                             _worker_keyer(recipe, config.base_dir))


def _worker_keyer(recipe: PrepareRecipe, base_dir: Path) -> RecordKeyer | None:
    """A keyer on this installation's HMAC key, if it is the key the main process uses."""
    if recipe.key_check is None:
        return None
    from hub.state import StoreKeys

    keys = StoreKeys.load(base_dir)
    if keys.pseudonym(*KEY_CHECK) != recipe.key_check:
        log.warning("worker %d sees another HMAC key than the main process: keys are computed there", os.getpid())
        return None
    return RecordKeyer(recipe.stream, recipe.source, dedup=recipe.dedup, identity=recipe.identity,
                       pseudonym=keys.pseudonym)


def _prepare_in_worker(records: list[SourceRecord]) -> list[Prepared]:
    assert _WORKER is not None, "worker used before its initializer ran"
    return _WORKER.prepare_all(records)


class PreparePool:
    """Prepares batches inline, or in worker processes once a run is large enough to pay for them."""

    def __init__(self, preparer: RecordPreparer, recipe: PrepareRecipe | None, workers: int,
                 start_after: int) -> None:
        self.preparer = preparer
        self.recipe = recipe
        self.workers = workers
        self.start_after = start_after
        self._executor: ProcessPoolExecutor | None = None

    @property
    def depth(self) -> int:
        """How many batches may be in flight at once: each is shared among the workers, so while one is
        prepared the next waits its turn; two keep every worker busy, and memory holds few records."""
        return 2 if self._executor else 0

    def submit(self, records: list[SourceRecord], read_so_far: int) -> Future[list[Prepared]]:
        if self._executor is None and self.recipe and self.workers > 1 and read_so_far >= self.start_after:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.recipe,),
            )
        if self._executor is not None:
            return _joined([self._executor.submit(_prepare_in_worker, part) for part in _shares(records, self.workers)])
        done: Future[list[Prepared]] = Future()
        done.set_result(self.preparer.prepare_all(records))
        return done

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _shares(records: list[SourceRecord], workers: int) -> list[list[SourceRecord]]:
    """``records`` in consecutive parts, one per worker (none empty)."""
    size = max(1, -(-len(records) // workers))
    return [records[start:start + size] for start in range(0, len(records), size)]


def _joined(parts: list[Future[list[Prepared]]]) -> Future[list[Prepared]]:
    """One future for the parts' results in order; it fails with the first part that failed."""
    joined: Future[list[Prepared]] = Future()
    remaining = [len(parts)]
    lock = threading.Lock()  # callbacks run in the pool's thread, or here for a part already done

    def settle(_: Future[list[Prepared]]) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0]:
                return
        try:
            joined.set_result([prepared for part in parts for prepared in part.result()])
        except BaseException as exc:  # a worker's error reaches whoever waits for the batch
            joined.set_exception(exc)

    for part in parts:
        part.add_done_callback(settle)
    return joined


def worker_count(setting: int | str) -> int:
    """``auto`` is one worker per core (at least one); a number is taken as it is."""
    if setting == "auto":
        return max(1, os.cpu_count() or 1)
    return max(1, int(setting))
