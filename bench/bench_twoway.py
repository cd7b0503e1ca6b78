"""The first cycle of a two-way sync (``direction: both``) between a CSV export of N contacts and an empty SQLite table.

Usage: ``.venv/bin/python bench/bench_twoway.py [--records 100000] [--cycles 2] [--dir DIR]``

Set-up (not timed): a canonical CSV of N contacts (``a``) and a configuration syncing it both ways
with a SQLite table (``b``, created on the first write). Timed, each in its own fresh folder: the
first cycle — the forward leg creates every record in ``b``, the backward leg reads them all back
and recognises each as crmhub's own write — then ``--cycles - 1`` further cycles with nothing to do.
Prints wall and CPU seconds and records/s of each cycle (records read by both legs over the wall
time), the sync-state reads and writes the legs made, and the peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hub.app import open_hub
from hub.engine.twoway import TwoWaySync
from hub.state.reconciliation import ReconcileStore
from hub.testing import write_config

CITIES = ["İstanbul", "İzmir", "Ankara", "Şanlıurfa", "Muğla", "Bursa", "Eskişehir", "Diyarbakır"]
NAMES = ["Ayşe", "Işıl", "Çağla", "Gökhan", "İlker", "Şule", "Ömer", "Ümit", "Oğuz", "Nilüfer"]
FIELDS = ["id", "first_name", "last_name", "email", "phone", "company", "job_title", "address.city", "address.country"]


def write_export(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for n in range(count):
            writer.writerow([f"c{n}", NAMES[n % len(NAMES)], f"Yılmaz{n % 9973}", f"kisi{n}@example.com.tr",
                             f"+90532{n % 10_000_000:07d}", f"Firma {n % 5000}", "Satın Alma Müdürü",
                             CITIES[n % len(CITIES)], "TR"])


@contextmanager
def counting_state_calls(counts: Counter[str]) -> Iterator[None]:
    """Count the sync-state store calls and the hub ids they carried."""
    reads, writes = ReconcileStore.sync_states, ReconcileStore.save_sync_states

    def read(self: ReconcileStore, namespace: str, hub_ids: Any) -> Any:
        counts["state reads"] += 1
        counts["states read"] += len(hub_ids)
        return reads(self, namespace, hub_ids)

    def write(self: ReconcileStore, namespace: str, states: Any) -> Any:
        counts["state writes"] += 1
        counts["states written"] += len(states)
        return writes(self, namespace, states)

    ReconcileStore.sync_states = read  # type: ignore[method-assign]
    ReconcileStore.save_sync_states = write  # type: ignore[method-assign]
    try:
        yield
    finally:
        ReconcileStore.sync_states = reads  # type: ignore[method-assign]
        ReconcileStore.save_sync_states = writes  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-twoway-"))
    shutil.rmtree(folder / "run", ignore_errors=True)
    run = folder / "run"
    run.mkdir(parents=True)
    export = folder / f"a-{args.records}.csv"
    if not export.exists():
        write_export(export, args.records)
    config = write_config(run, {
        "a": {"connector": "csv", "path": str(export)},
        "b": {"connector": "sql", "url": f"sqlite:///{run / 'b.db'}", "table": "contacts"},
    }, pipelines={"ab": {"source": "a", "target": "b", "direction": "both"}})
    print(f"{args.records:,} contacts in {export}")
    for number in range(1, args.cycles + 1):
        counts: Counter[str] = Counter()
        cpu, clock = time.process_time(), time.perf_counter()
        with counting_state_calls(counts), open_hub(config) as session:
            result = TwoWaySync(session, "ab").cycle()
        seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
        read = result["read"]
        legs = ", ".join(f"{leg['from']}→{leg['to']}: read {leg['read']:,} created {leg['created']:,} "
                         f"echoes {leg['sync'].get('echoes', 0):,}" for leg in result["legs"])
        print(f"cycle {number} ({result['status']}): {seconds:.1f} s wall, {cpu:.1f} s CPU, "
              f"{read / seconds:,.0f} records/s; {legs}")
        print(f"  sync state: {counts['state reads']:,} reads of {counts['states read']:,} records, "
              f"{counts['state writes']:,} writes of {counts['states written']:,}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
