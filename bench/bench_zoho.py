"""Records/s of a CSV → Zoho migration into the local sandbox (limits off), next to CSV → SQLite in the same run.

Usage: ``python bench/bench_zoho.py [N]`` (default 50,000). Prints one JSON line per leg.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from crmhub_zoho.sandbox import start

from hub.sandbox import SandboxOptions
from hub.testing import run_migration, write_config


def people_csv(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "address.city"])
        for i in range(count):
            writer.writerow([f"p{i:06d}", "Gülşen", f"Yıldız {i}", f"g{i}@example.com.tr", "Diyarbakır"])
    return path


def leg(name: str, config: Path, target: str, count: int) -> dict[str, object]:
    started = time.perf_counter()
    summary = run_migration(config, "people", target)
    seconds = time.perf_counter() - started
    return {"leg": name, "records": count, "status": summary["status"], "created": summary["created"],
            "seconds": round(seconds, 2), "records_per_s": round(count / seconds, 1)}


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = people_csv(base / "people.csv", count)
        sandbox = start(SandboxOptions(data_dir=base / "sandbox"))
        os.environ["ZOHO_BENCH_TOKEN"] = sandbox.token
        try:
            config = write_config(base / "hub", {
                "people": {"connector": "csv", "path": str(source)},
                "zoho": {"connector": "zoho", "url": sandbox.url, "token": "${env:ZOHO_BENCH_TOKEN}",
                         "allow_insecure_sandbox": True, "detect_unchanged": False},
                "sqlite": {"connector": "sql", "url": f"sqlite:///{base / 'bench.db'}"},
            })
            for name, target in (("csv->sqlite", "sqlite"), ("csv->zoho", "zoho")):
                try:
                    print(json.dumps(leg(name, config, target, count)), flush=True)
                except Exception as exc:  # report the leg, keep the other
                    print(json.dumps({"leg": name, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
