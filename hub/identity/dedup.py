"""``crmhub dedup``: find the same person within one system or across several, report it, optionally act on it.

The records of each connection are read through its mapping into canonical form and matched by
:class:`~hub.identity.matcher.BatchMatcher`. The report lists every record in a cluster of two
or more (``cluster_id,connection,record_id,score``). With ``apply``:

* every automatic cluster is linked in the identity map under one hub id (so migrations and syncs
  treat its records as one person), and the merge is recorded (``crmhub unmerge`` undoes it);
* possible matches — pairs in the review band and links the clustering refused — go to the review
  queue; nothing in the review band is merged;
* inside a connection whose connector declares ``Capability.MERGE``, the records of an automatic
  cluster are merged in the system itself, keeping the survivor chosen by survivorship
  (most trusted source, most complete, most recent).

Pairs a person rejected (vetoes) are kept apart. The model estimated from the data is stored, so
that syncs score with the same m and u.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.connectors.api import Capability
from hub.engine.identity import MODEL_NAMESPACE, mint_hub_id
from hub.engine.mappings import stream_mapping
from hub.errors import FatalError
from hub.identity.matcher import BatchMatcher, BatchResult, MatchRecord
from hub.identity.review import link_cluster
from hub.identity.survivorship import pick_survivor
from hub.records import Checkpoint, WriteOutcome
from hub.state.resolution import IdentityStore, Member, ReviewItem

__all__ = ["DedupSummary", "run_dedup", "write_report"]


@dataclass(slots=True)
class DedupSummary:
    """What a dedup run found and did (the ``--json`` line)."""

    records: int = 0
    clusters: int = 0
    records_in_clusters: int = 0
    review: int = 0
    duration_s: float = 0.0
    linked: int = 0
    merged_in_system: int = 0
    skipped: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"records": self.records, "clusters": self.clusters, "records_in_clusters": self.records_in_clusters,
                "review": self.review, "duration_s": round(self.duration_s, 3), "linked": self.linked,
                "merged_in_system": self.merged_in_system, "skipped": self.skipped}


def _read(hub: Any, connection: str, stream: str) -> Iterator[MatchRecord]:
    conn = hub.engine.connection(connection)
    mapping = stream_mapping(conn, stream, hub.config, hub.host.transforms)
    connector = hub.engine.build(connection)
    if Capability.READ not in connector.capabilities:
        raise FatalError(f"connection {connection!r} ({connector.name}) cannot read")
    with connector:
        for item in hub.engine.retry.call(lambda: list(connector.read(mapping.object, None))):
            if isinstance(item, Checkpoint) or item.error is not None or item.deleted:
                continue
            canonical, issues = mapping.to_canonical(item.data)
            if issues:
                continue
            canonical.pop("id", None)
            yield MatchRecord(connection, str(item.id), canonical, item.updated_at)


def run_dedup(hub: Any, connections: Sequence[str], stream: str = "contacts", *, apply: bool = False,
              report: Path | None = None) -> tuple[DedupSummary, BatchResult]:
    """Match the records of ``connections``; with ``apply``, link, queue and merge as described above."""
    clock = time.perf_counter()
    settings = hub.config.settings.identity.for_stream(stream)
    records = [r for name in dict.fromkeys(connections) for r in _read(hub, name, stream)]
    ledger = IdentityStore(hub.store)
    vetoed = ledger.vetoed(stream, [mint_hub_id(r.connection, stream, r.record_id) for r in records])
    apart = {frozenset(pair) for pair in vetoed}
    matcher = BatchMatcher(stream, settings)
    result = matcher.run(records, apart=lambda a, b: frozenset((mint_hub_id(a[0], stream, a[1]),
                                                                 mint_hub_id(b[0], stream, b[1]))) in apart)
    summary = DedupSummary(records=len(records), clusters=len(result.clusters),
                           records_in_clusters=result.records_in_clusters, review=len(result.review),
                           stats=result.stats)
    if report is not None:
        write_report(report, result)
    if apply:
        by_key = {(r.connection, r.record_id): r for r in records}
        _apply(hub, ledger, stream, settings, result, by_key, summary)
        hub.store.kv_set(MODEL_NAMESPACE, f"model:{stream}", json.dumps(result.model.as_dict()))
    summary.duration_s = time.perf_counter() - clock
    return summary, result


def write_report(path: Path, result: BatchResult) -> None:
    """``cluster_id,connection,record_id,score`` for every record in a cluster of two or more."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cluster_id", "connection", "record_id", "score"])
        for row in result.rows():
            writer.writerow([_safe(str(x)) for x in row])


def _safe(cell: str) -> str:
    """Neutralise cells a spreadsheet would execute (record ids come from other systems)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(cell) else cell


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _apply(hub: Any, ledger: IdentityStore, stream: str, settings: Any, result: BatchResult,
           by_key: dict[tuple[str, str], MatchRecord], summary: DedupSummary) -> None:
    items = []
    for (i, j), score in sorted(result.review.items()):
        members = [Member(c, r, mint_hub_id(c, stream, r)) for c, r in (result.keys[i], result.keys[j])]
        items.append(ReviewItem(0, stream, "records", "open", score, "possible", members))
    ledger.add_reviews(items)
    for cluster in result.clusters:
        keys = [result.keys[m] for m in cluster.members]
        chosen = pick_survivor([(c, by_key[(c, r)].data, by_key[(c, r)].updated_at) for c, r in keys],
                               settings.survivorship)
        ordered = [keys[chosen], *[k for n, k in enumerate(keys) if n != chosen]]
        members = [Member(c, r, mint_hub_id(c, stream, r)) for c, r in ordered]
        try:
            link_cluster(hub.store, ledger, stream, members, score=cluster.score, rule=None, decided_by="dedup")
            summary.linked += len(members)
        except FatalError:
            summary.skipped.append(f"cluster {result.cluster_id(cluster)}: already separate hub records")
            continue
        summary.merged_in_system += _merge_in_systems(hub, stream, ordered, summary)


def _merge_in_systems(hub: Any, stream: str, ordered: list[tuple[str, str]], summary: DedupSummary) -> int:
    merged = 0
    for connection in dict.fromkeys(c for c, _ in ordered):
        ids = [r for c, r in ordered if c == connection]
        if len(ids) < 2:
            continue
        connector = hub.engine.build(connection)
        if Capability.MERGE not in connector.capabilities:
            note = f"{connection}: {connector.name} cannot merge records; linked in the identity map only"
            if note not in summary.skipped:
                summary.skipped.append(note)
            continue
        mapping = stream_mapping(hub.engine.connection(connection), stream, hub.config, hub.host.transforms)
        with connector:
            outcome = hub.engine.retry.call(lambda c=connector, i=ids, m=mapping: c.merge(m.object, i[0], i[1:]))
        if outcome.outcome is WriteOutcome.FAILED:
            summary.skipped.append(f"{connection}: merge into {ids[0]} failed: {outcome.code or outcome.message}")
        else:
            merged += len(ids) - 1
    return merged
