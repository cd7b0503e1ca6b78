"""Measure StateStore.commit_batch throughput on SQLite (and PostgreSQL with --url).

    .venv/bin/python bench/bench_state.py                       # temporary SQLite file
    .venv/bin/python bench/bench_state.py --url postgresql://postgres@127.0.0.1/test?options=-csearch_path%3Dbench

Each batch holds ``--batch`` outcomes and as many new target links (the engine's common case),
plus a checkpoint; one record in a hundred is quarantined with an encrypted payload.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from hub.state import QuarantineItem, RecordOutcome, StateStore, StoreKeys


def _batch(n: int, size: int) -> tuple[list[RecordOutcome], list[tuple[str, str, str]], list[QuarantineItem]]:
    outcomes, links, held = [], [], []
    for i in range(size):
        hub_id = f"{n:08x}{i:024x}"
        quarantined = i % 100 == 99
        outcomes.append(
            RecordOutcome(
                seq=n * size + i,
                ref=f"customers.csv line {n * size + i + 2}",
                source_id=f"C{n * size + i}",
                hub_id=hub_id,
                outcome="quarantined" if quarantined else "created",
                target_id=None if quarantined else f"HS{n * size + i}",
                detail={"reasons": ["phone.invalid"]} if quarantined else None,
            )
        )
        if quarantined:
            held.append(
                QuarantineItem(
                    f"line {i}",
                    f"C{i}",
                    "csv",
                    [{"field": "phone", "code": "phone.invalid"}],
                    {"first_name": "Ayşe", "phone": "+90 532 000 00 00"},
                )
            )
        else:
            links.append((hub_id, "hubspot", f"HS{n * size + i}"))
    return outcomes, links, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="state store URL (default: a temporary SQLite file)")
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'state.db'}"
        with StateStore.open(url, StoreKeys.ephemeral()) as store:
            token = store.acquire_lease("bench", "bench", 3600)
            run_id = store.start_run("bench", "csv", "hubspot", ["contacts"], False, token)
            batches = [_batch(n, args.batch) for n in range(args.batches)]
            timings, cpu = [], []
            started = time.perf_counter()
            for n, (outcomes, links, held) in enumerate(batches):
                t0, c0 = time.perf_counter(), time.process_time()
                store.commit_batch(run_id, "bench", "contacts", outcomes, links, held, {"offset": n}, token)
                timings.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            total = time.perf_counter() - started
            store.release_lease("bench", token)
            rows = args.batches * args.batch
    timings.sort()
    ms = [t * 1000 for t in timings]
    print(f"backend        {url.split(':', 1)[0]}")
    print(f"batches        {args.batches} x {args.batch} outcomes (+ ~{args.batch * 99 // 100} links, 1% quarantined)")
    print(
        f"commit_batch   median {statistics.median(ms):.1f} ms  p90 {ms[int(len(ms) * 0.9)]:.1f} ms  "
        f"max {ms[-1]:.1f} ms"
    )
    print(f"  (this process's CPU per commit: median {statistics.median(cpu) * 1000:.1f} ms; wall time includes")
    print("   waiting for the CPU on a shared machine, and on PostgreSQL the server's work)")
    print(f"throughput     {rows / total:,.0f} outcomes/s (commit_batch alone, wall clock)")


if __name__ == "__main__":
    main()
