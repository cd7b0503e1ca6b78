"""Raw read (and write) speed of the file connectors: prints rows/s and peak RSS.

Usage: ``.venv/bin/python bench/bench_files.py [rows] [--write]`` (default 200000 rows of 20 columns).
The target is >= 100k rows/s raw CSV read; the whole engine must do 20k/s.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector, JsonlConfig, JsonlConnector
from hub.records import Checkpoint, SourceRecord, WriteRequest

WORDS = ["Şişli", "Ağrı", "", "Işıl Yılmaz", "+905321234567", "ali@example.com", "12.50", "İzmir", "=SUM(A1)"]
COLUMNS = ["id", *(f"custom.c{i}" for i in range(19))]


def make_rows(count: int) -> list[dict[str, str]]:
    rng = random.Random(7)
    return [{"id": f"c{n}", **{name: rng.choice(WORDS) for name in COLUMNS[1:]}} for n in range(count)]


def write_csv(path: Path, count: int, encoding: str) -> None:
    import csv

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        rng = random.Random(7)
        for n in range(count):
            writer.writerow([f"c{n}", *(rng.choice(WORDS) for _ in COLUMNS[1:])])


class Timer:
    """Wall and CPU time of a block: the machine is shared, so CPU time is the steadier figure."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def timed_read(connector: CsvConnector | JsonlConnector) -> tuple[int, Timer]:
    count = 0
    with Timer() as timer:
        for item in connector.read(connector.config.stream, None):
            if isinstance(item, SourceRecord):
                count += 1
            elif not isinstance(item, Checkpoint):
                raise TypeError(item)
    return count, timer


def report(label: str, count: int, timer: Timer) -> None:
    print(
        f"{label:<28} {count:>9} rows  wall {timer.wall:6.2f} s {count / timer.wall:>9,.0f} rows/s"
        f"  cpu {timer.cpu:6.2f} s {count / timer.cpu:>9,.0f} rows/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int, nargs="?", default=200_000)
    parser.add_argument("--write", action="store_true", help="also time the CSV and JSONL writers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        context = ConnectorContext(connection="bench", work_dir=work)
        for encoding in ("utf-8", "cp1254"):
            path = work / f"in-{encoding}.csv"
            write_csv(path, args.rows, encoding)
            count, timer = timed_read(CsvConnector(CsvConfig(path=path), context))
            report(f"csv read ({encoding}, 20 cols)", count, timer)
        if args.write:
            rows = make_rows(args.rows)
            for label, connector in (
                ("csv write", CsvConnector(CsvConfig(path=work / "out.csv"), context)),
                ("jsonl write", JsonlConnector(JsonlConfig(path=work / "out.jsonl"), context)),
            ):
                with Timer() as timer, connector:
                    for at in range(0, len(rows), 500):
                        batch = [WriteRequest(key=row["id"], fields=row) for row in rows[at : at + 500]]
                        connector.write(connector.config.stream, batch)
                report(label, len(rows), timer)
                with Timer() as timer, connector:
                    for at in range(0, len(rows), 500):
                        batch = [WriteRequest(key=row["id"], fields=row) for row in rows[at : at + 500]]
                        connector.write(connector.config.stream, batch)
                report(label.replace("write", "rewrite (unchanged)"), len(rows), timer)
                count, timer = timed_read(connector)
                report(label.replace("write", "read back"), count, timer)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mib:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
