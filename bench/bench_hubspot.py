"""HubSpot migration throughput: CSV → HubSpot sandbox through the engine, at the Pro tier limit and unlimited.

Usage: ``python bench/bench_hubspot.py [--records 50000] [--skip-unlimited] [--skip-sqlite]``

The sandbox runs in its own process (HubSpot is remote; it should not share this process's GIL). At the Pro tier
(190 requests per rolling 10 s, 100 records per batch upsert) the ceiling is 1,900 records/s; the first ten seconds
may burst above it (the window starts empty), so *sustained* is measured on contacts created after the first ten
seconds. ``rejected_429`` must be 0: the connector's limiter keeps the run under the limit. The same file is also
migrated into SQLite for comparison. Prints a table, then one JSON line with every figure. No assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CEILING_PRO = 1900.0


def write_contacts(path: Path, count: int) -> None:
    first = ["Ayşe", "Mehmet", "İsmail", "Çağla", "Şükrü", "Gülşen", "Oğuz", "Ümran", "John", "Maria"]
    last = ["Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk", "Aydın", "Doğan", "Smith", "García"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "phone", "address.city"])
        for i in range(count):
            writer.writerow([f"P{i:06d}", first[i % 10], last[(i // 10) % 10], f"kisi{i}@example.com.tr",
                             f"+90 532 {i % 1000:03d} {i % 100:02d} {i % 97:02d}", "İstanbul"])


@contextlib.contextmanager
def sandbox_process(*settings: str) -> Iterator[dict[str, Any]]:
    args = [sys.executable, "-m", "crmhub_hubspot.sandbox"]
    for item in settings:
        args += ["--set", item]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=30)


def stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/__sandbox/stats", timeout=30) as answer:  # noqa: S310 - loopback sandbox
        result: dict[str, Any] = json.loads(answer.read())
        return result


def sustained(per_second: dict[str, int], skip_s: int = 10) -> float:
    seconds = sorted((int(k), v) for k, v in per_second.items())
    if len(seconds) <= skip_s + 1:
        return float("nan")
    start = seconds[0][0] + skip_s
    later = [(s, n) for s, n in seconds if s >= start]
    span = later[-1][0] - later[0][0] + 1
    return sum(n for _, n in later) / span


def migrate(folder: Path, target: dict[str, Any], records: int) -> dict[str, Any]:
    from hub.testing import run_migration, write_config

    config = write_config(folder, {"people": {"connector": "csv", "path": str(folder.parent / "contacts.csv")},
                                   "target": target})
    started = time.perf_counter()
    summary = run_migration(config, "people", "target")
    elapsed = time.perf_counter() - started
    return {"status": summary["status"], "created": summary["created"], "seconds": round(elapsed, 2),
            "records_per_s": round(records / elapsed, 1)}


def hubspot_run(folder: Path, records: int, tier: str | None) -> dict[str, Any]:
    settings = [f"tier={tier}"] if tier else []
    with sandbox_process(*settings) as running:
        os.environ["BENCH_HUBSPOT_TOKEN"] = running["token"]
        target = {"connector": "hubspot", "url": running["url"], "token": "${env:BENCH_HUBSPOT_TOKEN}",
                  "allow_insecure_sandbox": True, "tier": tier or "unlimited"}
        result = migrate(folder, target, records)
        served = stats(running["url"])
    result["requests"] = served["requests"]
    result["rejected_429"] = served["rejected_429"]
    result["sustained_records_per_s"] = round(sustained(served["contacts_created_per_second"]), 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--skip-unlimited", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")  # their SDKs are not needed here
    results: dict[str, Any] = {"records": args.records}
    with tempfile.TemporaryDirectory(prefix="bench-hubspot-") as tmp:
        root = Path(tmp)
        write_contacts(root / "contacts.csv", args.records)
        results["pro"] = hubspot_run(root / "pro", args.records, "pro")
        results["pro"]["share_of_ceiling"] = round(results["pro"]["sustained_records_per_s"] / CEILING_PRO, 3)
        if not args.skip_unlimited:
            results["unlimited"] = hubspot_run(root / "unlimited", args.records, None)
        if not args.skip_sqlite:
            db = root / "sqlite" / "contacts.db"
            db.parent.mkdir(parents=True)
            results["sqlite"] = migrate(root / "sqlite", {"connector": "sql", "url": f"sqlite:///{db}",
                                                          "table": "contacts"}, args.records)
    print(f"{'run':<12}{'status':<11}{'seconds':>9}{'records/s':>11}{'sustained/s':>13}{'429s':>6}")
    for name in ("pro", "unlimited", "sqlite"):
        if name in results:
            r = results[name]
            print(f"{name:<12}{r['status']:<11}{r['seconds']:>9}{r['records_per_s']:>11}"
                  f"{r.get('sustained_records_per_s', ''):>13}{r.get('rejected_429', ''):>6}")
    print(f"Pro tier ceiling {CEILING_PRO:.0f} records/s; sustained share {results['pro']['share_of_ceiling']:.1%}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
