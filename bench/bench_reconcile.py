"""Reconciling two systems of N contacts each: a CSV export and the SQLite table crmhub migrated it into.

Usage: ``.venv/bin/python bench/bench_reconcile.py [--records 1000000] [--workers 2] [--dir DIR]``

Set-up (not timed): a canonical CSV of N contacts; a SQLite table (the ``sql`` connector's layout)
holding the same people as a migration leaves them — keyed by hub id, phones in E.164 where the
export has ``0532 …``, a share of names in another case; the identity map linking both sides; and
drift: 0.5% of records edited in the table, 0.1% deleted on each side, 0.1% duplicated on each side.
Timed: ``Reconciler.run`` (what ``crmhub reconcile legacy warehouse`` runs) — reading both systems
(``--workers`` processes), comparing through the identity map, writing the report. Prints the
differences found against those injected, records/s (both systems' records over the wall time) and
peak RSS of this process and of the reading workers. The target: 1M + 1M in <= 60 s, <= 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from hub.app import open_hub
from hub.engine.identity import mint_hub_id
from hub.reconcile import Reconciler, ReconcileRequest
from hub.testing import write_config

FIELDS = ["first_name", "last_name", "email", "phone", "company", "job_title", "address.street", "address.city",
          "address.postcode", "address.country", "birth_date", "national_id.type", "national_id.value", "language",
          "lifecycle_stage", "consent.email"]
CITIES = ["İstanbul", "İzmir", "Ankara", "Şanlıurfa", "Muğla", "Bursa", "Eskişehir", "Diyarbakır"]
NAMES = ["Ayşe", "Işıl", "Çağla", "Gökhan", "İlker", "Şule", "Ömer", "Ümit", "Oğuz", "Nilüfer"]


def person(n: int) -> dict[str, str]:
    return {
        "first_name": NAMES[n % len(NAMES)], "last_name": f"Yılmaz{n % 9973}", "email": f"kisi{n}@example.com.tr",
        "phone": f"0532 {n % 1000:03d} {n // 1000 % 100:02d} {n % 97:02d}", "company": f"Firma {n % 5000} A.Ş.",
        "job_title": "Satın Alma Müdürü", "address.street": f"Atatürk Cd. No:{n % 300}",
        "address.city": CITIES[n % len(CITIES)], "address.postcode": f"{34000 + n % 900}", "address.country": "TR",
        "birth_date": f"19{50 + n % 50}-0{1 + n % 9}-1{n % 9}", "national_id.type": "TCKN",
        "national_id.value": f"{10000000000 + n}", "language": "tr", "lifecycle_stage": "customer",
        "consent.email": "granted",
    }


def e164(phone: str) -> str:
    return "+90" + phone.replace(" ", "")[1:]


def build(folder: Path, count: int, rng: random.Random) -> tuple[Path, dict[str, int]]:
    """Write both systems and the identity map; return the config and the drift injected."""
    csv_path, db_path = folder / "legacy.csv", folder / "warehouse.db"
    config = write_config(folder, {
        "legacy": {"connector": "csv", "path": str(csv_path)},
        "warehouse": {"connector": "sql", "url": f"sqlite:///{db_path}", "table": "contacts"},
    }, pipelines={"legacy-to-warehouse": {"source": "legacy", "target": "warehouse"}})
    deleted_src = set(rng.sample(range(count), count // 1000))
    deleted_dst = set(rng.sample(range(count), count // 1000)) - deleted_src
    edited = set(rng.sample(range(count), count // 200)) - deleted_src - deleted_dst
    dup_src = rng.sample(sorted(set(range(count)) - deleted_src - deleted_dst), count // 1000)
    dup_dst = rng.sample(sorted(set(range(count)) - deleted_src - deleted_dst - set(dup_src)), count // 1000)
    drift = {"edited": len(edited), "deleted_in_legacy": len(deleted_src), "deleted_in_warehouse": len(deleted_dst),
             "duplicates_in_legacy": len(dup_src), "duplicates_in_warehouse": len(dup_dst)}
    if (folder / "built").exists():  # --dir of an earlier run: the same seed built the same systems
        return config, drift
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *FIELDS])
        for n in range(count):
            if n not in deleted_src:
                writer.writerow([f"c{n}", *person(n).values()])
        for i, n in enumerate(dup_src):
            writer.writerow([f"dup{i}", *{**person(n), "first_name": "Başka"}.values()])
    columns = [f.replace(".", "__") for f in FIELDS]
    db = sqlite3.connect(db_path)
    db.execute(f"CREATE TABLE contacts (id VARCHAR(64) PRIMARY KEY, {', '.join(c + ' TEXT' for c in columns)}, "
               "updated_at DATETIME)")

    def rows() -> object:
        for n in range(count):
            if n in deleted_dst:
                continue
            values = person(n)
            values["phone"] = e164(values["phone"])
            if n % 7 == 0:
                values["first_name"] = values["first_name"].upper()  # a spelling, not a difference
            if n in edited:
                values["address.city"] = "Edirne"
            yield (mint_hub_id("legacy", "contacts", f"c{n}"), *values.values(), "2026-01-01 00:00:00.000000")
        for i, n in enumerate(dup_dst):
            values = {**person(n), "phone": e164(person(n)["phone"])}
            yield (f"w-dup{i}", *values.values(), "2026-01-02 00:00:00.000000")

    db.executemany(f"INSERT INTO contacts VALUES ({', '.join('?' * (len(columns) + 2))})", rows())  # type: ignore[arg-type]
    db.execute("CREATE INDEX ix_contacts_updated_at ON contacts (updated_at, id)")  # as the sql connector makes it
    db.commit()
    db.close()
    with open_hub(config) as session:
        for start in range(0, count, 50_000):
            links = []
            for n in range(start, min(count, start + 50_000)):
                hub_id = mint_hub_id("legacy", "contacts", f"c{n}")
                links += [(hub_id, "legacy", f"c{n}"), (hub_id, "warehouse", hub_id)]
            session.store.stage_identities("contacts", links, [])
    (folder / "built").write_text(str(count), encoding="utf-8")
    return config, drift


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    rng = random.Random(11)
    started = time.perf_counter()
    config, drift = build(folder, args.records, rng)
    print(f"set-up: {args.records:,} contacts per system in {time.perf_counter() - started:.1f} s ({folder})")
    with open_hub(config) as session:
        setup_cpu = resource.getrusage(resource.RUSAGE_SELF)
        clock = time.perf_counter()
        outcome = Reconciler(session).run(ReconcileRequest(["legacy", "warehouse"], workers=args.workers,
                                                            report_dir=folder / "report"))
        seconds = time.perf_counter() - clock
    summary = outcome.summary
    records = sum(summary["records"].values())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"main": mine.ru_utime + mine.ru_stime - setup_cpu.ru_utime - setup_cpu.ru_stime,
           "workers": children.ru_utime + children.ru_stime}
    print(f"injected: {drift}")
    print(f"found: missing {summary['missing']}, field differences {summary['field_differences']}, "
          f"duplicates {summary['duplicates']}, stale links {summary['stale_links']}, matched {summary['matched']:,}")
    expected = drift["edited"] + drift["deleted_in_legacy"] + drift["deleted_in_warehouse"] + \
        drift["duplicates_in_legacy"] + drift["duplicates_in_warehouse"]
    print(f"differences: {summary['differences']:,} (injected {expected:,})")
    print(f"reconciled {records:,} records in {seconds:.1f} s: {records / seconds:,.0f} records/s")
    print(f"peak RSS: main process {own:,.0f} MiB, largest reading worker {workers:,.0f} MiB")
    print(f"CPU: main process {cpu['main']:.1f} s, reading workers {cpu['workers']:.1f} s; "
          f"phases: {summary.get('stage_seconds')}")
    ok = summary["differences"] == expected and seconds <= 60 and max(own, workers) <= 2048
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
