"""Records/s of a CSV → Salesforce migration into the local sandbox, via Bulk API 2.0 and via sObject
Collections, next to the engine's CSV → SQLite figure in the same run.

The sandbox runs in its own process with its limits off (as a remote org would: its work does not
compete with the engine for the GIL). Each leg is a fresh ``crmhub migrate`` through the real engine:
the Bulk leg with batches of 10,000 (the connector's ``bulk_threshold``), the Collections leg with the
engine's default 1,000. The Bulk leg should reach at least half the CSV → SQLite rate.

    python bench/bench_salesforce.py [--records 100000] [--legs sqlite,bulk,collections]

Prints one JSON line per leg, then a summary line with the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from crmhub_salesforce.testkit import SandboxProcess, people_csv

from hub.testing import run_migration, write_config


def leg(name: str, config: Path, target: str, count: int, batch_size: int, check: Any = None) -> dict[str, Any]:
    cpu = time.process_time()
    started = time.perf_counter()
    summary = run_migration(config, "people", target, batch_size=batch_size)
    seconds = time.perf_counter() - started
    result = {"leg": name, "records": count, "status": summary["status"], "created": summary["created"],
              "quarantined": summary["quarantined"], "seconds": round(seconds, 2),
              "records_per_s": round(count / seconds, 1), "engine_cpu_s": round(time.process_time() - cpu, 2),
              "stage_seconds": summary.get("stage_seconds", {})}
    if check is not None:
        result["in_target"] = check()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--legs", default="sqlite,bulk,collections")
    args = parser.parse_args()
    legs = args.legs.split(",")
    count = args.records
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = people_csv(base / "people.csv", count)
        for name in legs:
            # Each leg gets an empty target: a fresh sandbox org or a fresh SQLite file.
            with SandboxProcess(base / f"org-{name}") as sandbox:
                os.environ["SF_BENCH_TOKEN"] = sandbox.token
                config = write_config(base / f"hub-{name}", {
                    "people": {"connector": "csv", "path": str(source)},
                    "salesforce": {"connector": "salesforce", "url": sandbox.url, "token": "${env:SF_BENCH_TOKEN}",
                                   "ca_file": sandbox.ca_file, "sandbox": True, "bulk_poll_interval": 0.1},
                    "sqlite": {"connector": "sql", "url": f"sqlite:///{base / f'bench-{name}.db'}",
                               "table": "contacts"},
                })
                client = sandbox.client()

                def in_salesforce(client: Any = client) -> int:
                    return int(client.query("SELECT COUNT() FROM Contact")["totalSize"])

                if name == "sqlite":
                    results[name] = leg("csv->sqlite", config, "sqlite", count, 1000)
                elif name == "bulk":
                    results[name] = leg("csv->salesforce bulk", config, "salesforce", count, 10_000, in_salesforce)
                else:
                    results[name] = leg("csv->salesforce collections", config, "salesforce", count, 1000,
                                        in_salesforce)
            print(json.dumps(results[name], ensure_ascii=False), flush=True)
    if "sqlite" in results:
        base_rate = results["sqlite"]["records_per_s"]
        ratios = {f"{name}_vs_sqlite": round(r["records_per_s"] / base_rate, 2)
                  for name, r in results.items() if name != "sqlite"}
        print(json.dumps({"summary": ratios, "bulk_goal": ">= 0.5"}), flush=True)


if __name__ == "__main__":
    main()
