"""End-to-end CSV → SQLite migration through the full pipeline: records/s and peak RSS.

Generates N contacts (seeded, with the demo's planted problems: duplicates, invalid e-mails and
phones, bad TCKNs, impossible dates, formula cells) in two shapes: ``canonical`` — UTF-8 with
canonical headers, the format crmhub's own CSV export has, read without a mapping — and
``legacy`` — the Turkish legacy export in Windows-1254 read through ``mappings/legacy-tr.yaml``.
Each runs ``crmhub migrate`` in a child process (so its peak RSS is its own); as a baseline in the
same script, a bare ``csv`` → ``sqlite3`` copy of the same file with no mapping, validation,
identity or state. Prints both rates and their ratio.

``--matching`` chooses how much identity resolution runs: ``probabilistic`` (the default: exact keys,
then probable matches against the candidate index), ``exact`` (e-mail and national id only) or
``none`` (``dedup: false``: records are recognised by their source id alone, as in a plain copy).

    ./dev bench bench_migration.py --records 100000 [--records 1000000] [--matching exact]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hub.demo.generate import generate_rows, write_export
from hub.demo.run import CONFIG


def baseline(csv_path: Path, db_path: Path, encoding: str, delimiter: str) -> float:
    """Raw copy: decode, split, insert. What a pipeline with no checks at all would cost."""
    start = time.perf_counter()
    con = sqlite3.connect(db_path)
    with csv_path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
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


COUNTRIES = {"Türkiye": "TR", "Turkey": "TR", "TR": "TR", "TÜRKİYE": "TR", "Almanya": "DE", "Germany": "DE",
             "Fransa": "FR", "United Kingdom": "GB", "İtalya": "IT", "Spain": "ES", "Hollanda": "NL", "Avusturya": "AT"}
CANONICAL_HEADER = ("id", "first_name", "last_name", "email", "mobile", "company", "job_title", "address.street",
                    "address.city", "address.postcode", "address.country", "national_id.value", "birth_date",
                    "lifecycle_stage", "language", "consent.email", "consent.processing_restricted", "created_at")
STAGES = {"Müşteri": "customer", "Potansiyel": "lead", "Fırsat": "opportunity", "Eski Müşteri": "former_customer"}


def write_canonical(path: Path, count: int, seed: int) -> int:
    """The same people and problems as the legacy export, as canonical UTF-8 CSV."""
    rows, _ = generate_rows(count, seed)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANONICAL_HEADER)
        for row in rows:
            day, month, year = [*row[12].split("."), "", "", ""][:3] if row[12] else ("", "", "")
            writer.writerow([
                row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                COUNTRIES.get(row[10], row[10]), row[11], f"{year}-{month}-{day}" if row[12] else "",
                STAGES.get(row[13], "lead"), row[14],
                {"Evet": "granted", "Hayır": "denied"}.get(row[15], ""), row[16] == "Evet",
                row[17].replace(" ", "T") + ":00+03:00",
            ])
            written += 1
    return written


CANONICAL_CONFIG = """\
state: sqlite:///.crmhub/state.db
connections:
  legacy: {connector: csv, path: customers.csv}
  warehouse: {connector: sql, url: "sqlite:///warehouse.db", table: contacts}
"""


MATCHING = {
    "probabilistic": "",
    "exact": "identity: {streams: {contacts: {probabilistic: false}}}\n",
    "none": "",
}


def configure(workdir: Path, text: str, matching: str) -> list[str]:
    """Write the configuration; the command that runs the migration (a pipeline where ``dedup`` is off)."""
    config = workdir / "crmhub.yaml"
    text += MATCHING[matching]
    if matching == "none":
        if "pipelines:" in text:
            text = text.replace("    streams: [contacts]\n", "    streams: [contacts]\n    dedup: false\n")
            pipeline = "legacy-to-warehouse"
        else:
            text += "pipelines:\n  bench: {source: legacy, target: warehouse, dedup: false}\n"
            pipeline = "bench"
        command = ["sync", pipeline]
    else:
        command = ["migrate", "--from", "legacy", "--to", "warehouse"]
    config.write_text(text, encoding="utf-8")
    return [*command, "--json", "--config", str(config)]


def run(records: int, workdir: Path, shape: str, matching: str) -> None:
    export = workdir / "customers.csv"
    t0 = time.perf_counter()
    if shape == "canonical":
        rows = write_canonical(export, records, seed=11)
        command = configure(workdir, CANONICAL_CONFIG, matching)
        encoding, delimiter = "utf-8", ","
    else:
        planted = write_export(export, records, seed=11)
        rows = planted.rows + planted.kinds.get("ragged", 0)
        command = configure(workdir, CONFIG.format(config=workdir / "crmhub.yaml"), matching)
        encoding, delimiter = "cp1254", ";"
    generated = time.perf_counter() - t0

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "hub", *command],
        capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = after.ru_maxrss / 1024
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)  # the run and its workers
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:]
    try:
        result = json.loads(summary)
    except ValueError:
        result = {"status": "failed", "error": summary}
    if result.get("status") != "succeeded":
        raise SystemExit(f"the migration did not succeed: {result.get('error')}")
    raw = baseline(export, workdir / "baseline.db", encoding, delimiter)

    print(f"shape:                  {shape}, matching {matching}")
    print(f"records in export:      {rows:,} (generated in {generated:.1f} s, {export.stat().st_size / 1e6:.0f} MB)")
    print(f"crmhub migrate:         {elapsed:.1f} s  → {rows / elapsed:,.0f} records/s  (peak RSS {peak_mb:,.0f} MB)")
    print(f"CPU, all processes:     {cpu:.1f} s  → {1e6 * cpu / rows:,.0f} µs per record; with both cores busy "
          f"all the time at most {2 * rows / cpu:,.0f} records/s")
    print(f"baseline csv→sqlite3:   {raw:.1f} s  → {rows / raw:,.0f} records/s")
    print(f"pipeline / baseline:    {raw / elapsed:.2f} of the bare copy's rate")
    print("outcomes: " + ", ".join(f"{k} {result[k]:,}" for k in (
        "read", "created", "merged", "quarantined", "suppressed")))
    print(f"seconds by stage (main process): {result.get('stage_seconds')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, action="append", help="contacts to generate (repeatable)")
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    parser.add_argument("--shape", choices=("canonical", "legacy", "both"), default="both")
    parser.add_argument("--matching", choices=tuple(MATCHING), default="probabilistic",
                        help="identity resolution: probable matches too, exact keys only, or none (dedup: false)")
    args = parser.parse_args()
    shapes = ("canonical", "legacy") if args.shape == "both" else (args.shape,)
    for count in args.records or [100_000]:
        for shape in shapes:
            print(f"== {count:,} contacts, {shape} ==")
            if args.keep:
                folder = args.keep / f"{shape}-{count}"
                folder.mkdir(parents=True, exist_ok=True)
                run(count, folder, shape, args.matching)
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    run(count, Path(tmp), shape, args.matching)


if __name__ == "__main__":
    main()
