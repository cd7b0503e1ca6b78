"""What the consent checks cost: the engine's CSV → SQLite migration with the checks on and off, in one run.

The export is the demo's Turkish legacy file (``hub.demo.generate.write_export``, Windows-1254,
planted problems) migrated with the demo's configuration (``hub.demo.run.CONFIG``: purposes
``[sales]``), each time into a fresh folder. "Off" blocks the built-in consent plugin with
``CRMHUB_BLOCK_PLUGINS=hub.consent.builtin``; "on" runs every check, records consent read from the
source in the ledger, indexes identifiers and audits every decision. Runs alternate (off, on, on,
off, …) so a machine shared with other work loads both alike; the figure is the median of each.
CPU seconds (the child and its worker processes) are reported beside wall time: on a busy machine
the CPU figure is the steadier one, and the best run of each kind the least disturbed.

    ./dev bench bench_consent.py --records 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hub.demo.generate import write_export
from hub.demo.run import CONFIG

BLOCK = "hub.consent.builtin"


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(export: Path, folder: Path, checks: bool) -> tuple[float, float, dict[str, object]]:
    """Migrate ``export`` in a fresh ``folder``; return wall seconds, CPU seconds and the summary."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(export, folder / "customers.csv")
    config = folder / "crmhub.yaml"
    config.write_text(CONFIG.format(config=config), encoding="utf-8")
    env = {**os.environ}
    env.pop("CRMHUB_BLOCK_PLUGINS", None)
    if not checks:
        env["CRMHUB_BLOCK_PLUGINS"] = BLOCK
    cpu, start = _cpu_children(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hub", "sync", "legacy-to-warehouse", "--json", "--config",
                           str(config)], capture_output=True, text=True, env=env, check=False)
    wall, used = time.perf_counter() - start, _cpu_children() - cpu
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(f"the run failed:\n{done.stderr[-3000:]}")
    return wall, used, json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="contacts in the export")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        planted = write_export(work / "customers.csv", args.records, seed=11)
        rows = planted.rows + planted.kinds.get("ragged", 0)
        results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        summaries: dict[bool, dict[str, object]] = {}
        for index in range(args.repeat):
            for checks in ((False, True) if index % 2 == 0 else (True, False)):
                wall, cpu, summary = one_run(work / "customers.csv", work / f"run-{int(checks)}", checks)
                results[checks].append((wall, cpu))
                summaries[checks] = summary
                print(f"  run {index + 1} checks {'on ' if checks else 'off'}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, "
                      f"suppressed {summary.get('suppressed')}", flush=True)
    print(f"records in export: {rows:,} (demo legacy export, seed 11, purposes [sales])")
    for name, pick in (("median", statistics.median), ("best", min)):
        rates = {}
        for checks in (False, True):
            wall = pick(w for w, _ in results[checks])
            cpu = pick(c for _, c in results[checks])
            rates[checks] = (rows / wall, rows / cpu)
            label = "checks on " if checks else "checks off"
            print(f"{label}: {rows / wall:8,.0f} records/s wall   {rows / cpu:8,.0f} records/s CPU   "
                  f"({name} of {len(results[checks])})")
        wall_cost = 1 - rates[True][0] / rates[False][0]
        cpu_cost = 1 - rates[True][1] / rates[False][1]
        print(f"cost of the checks ({name}): {wall_cost:.1%} of wall throughput, {cpu_cost:.1%} of CPU throughput "
              f"(target ≤ 15%)")
    for checks in (False, True):
        stages = summaries[checks].get("stage_seconds")
        print(f"stage seconds, checks {'on' if checks else 'off'}: {stages}")


if __name__ == "__main__":
    main()
