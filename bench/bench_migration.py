"""End-to-end CSV → SQLite migration through the full pipeline: records/s and peak RSS.

Generates N contacts (seeded, the demo's Turkish legacy export in Windows-1254 with its planted
problems), then runs ``crmhub migrate`` in a child process (so its peak RSS is its own) and, as a
baseline in the same script, a bare ``csv`` → ``sqlite3`` copy of the same file with no mapping,
validation, identity or state. Prints both rates and their ratio.

    ./dev bench bench_migration.py --records 100000 [--records 1000000]
"""

from __future__ import annotations

import argparse
import csv
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hub.demo.generate import write_export
from hub.demo.run import CONFIG


def baseline(csv_path: Path, db_path: Path) -> float:
    """Raw copy: decode, split, insert. What a pipeline with no checks at all would cost."""
    start = time.perf_counter()
    con = sqlite3.connect(db_path)
    with csv_path.open(encoding="cp1254", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        columns = ", ".join(f'"c{i}"' for i in range(len(header)))
        con.execute(f"CREATE TABLE raw ({columns})")
        marks = ", ".join("?" for _ in header)
        batch: list[list[str]] = []
        for row in reader:
            if len(row) != len(header):
                continue
            batch.append(row)
            if len(batch) == 1000:
                con.executemany(f"INSERT INTO raw VALUES ({marks})", batch)
                batch = []
        con.executemany(f"INSERT INTO raw VALUES ({marks})", batch)
    con.commit()
    con.close()
    return time.perf_counter() - start


def run(records: int, workdir: Path) -> None:
    export = workdir / "customers.csv"
    t0 = time.perf_counter()
    planted = write_export(export, records, seed=11)
    generated = time.perf_counter() - t0
    (workdir / "crmhub.yaml").write_text(CONFIG.format(config=workdir / "crmhub.yaml"), encoding="utf-8")
    rows = planted.rows + planted.kinds.get("ragged", 0)

    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "hub", "migrate", "--from", "legacy", "--to", "warehouse", "--json",
         "--config", str(workdir / "crmhub.yaml")],
        capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:]
    raw = baseline(export, workdir / "baseline.db")

    print(f"records in export:      {rows:,} (generated in {generated:.1f} s, {export.stat().st_size / 1e6:.0f} MB)")
    print(f"crmhub migrate:         {elapsed:.1f} s  → {rows / elapsed:,.0f} records/s  (peak RSS {peak_mb:,.0f} MB)")
    print(f"baseline csv→sqlite3:   {raw:.1f} s  → {rows / raw:,.0f} records/s")
    print(f"pipeline / baseline:    {raw / elapsed:.2f} of the bare copy's rate")
    print(f"summary: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, action="append", help="contacts to generate (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    for count in args.records or [100_000]:
        print(f"== {count:,} contacts ==")
        if args.keep:
            folder = args.keep / str(count)
            folder.mkdir(parents=True, exist_ok=True)
            run(count, folder)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                run(count, Path(tmp))


if __name__ == "__main__":
    main()
