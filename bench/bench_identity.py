"""Identity resolution: pairwise precision/recall/F1, records/s and peak RSS, against Splink on the same data.

Data: ``identity_people.py`` — seeded CRM-like contacts with known duplicate clusters (typos,
swapped names, missing or changed e-mails, reformatted phones, dropped Turkish letters, case,
company suffix variants, abbreviated streets) and planted relatives sharing surname, address and
landline. Every measurement runs in its own child process, so each peak RSS is its own and
includes generating the records it matches.

* ``crmhub``: :class:`hub.identity.matcher.BatchMatcher` (what ``crmhub dedup`` runs), from raw
  records to clusters, normalisation included.
* ``splink``: Splink 5 on DuckDB, the baseline — fed the *same* normalised columns (folded names,
  E.164 phones, e-mail keys: Splink has no Turkish folding or phone parsing), with the same
  blocking rules, term frequencies on names, u by random sampling, m by EM, clustered at the
  same probability. Its time is reported without and with the normalisation it was given.
* ``incremental``: 1,000 new records (duplicates of known people and new people) matched as a sync
  batch is: blocking-key HMACs looked up in a state store holding the index of N known records,
  candidates fetched from an in-memory "target", compared and decided.

Wall-clock time on a shared machine moves with other people's work, so CPU time (the process and
the worker processes it forked to compare pairs) is printed beside it; ``peak_rss_mb`` is the main
process, ``workers_peak_rss_mb`` the largest worker (they share the main process's pages until written),
``peak_pss_all_processes_mb`` the peak of their proportional set sizes added up: the memory they
really take together.

    .venv/bin/python bench/bench_identity.py --records 100000 --records 1000000
    .venv/bin/python bench/bench_identity.py --records 100000 --no-splink --known 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from identity_people import PeopleGenerator

THRESHOLD = 0.95
SPLINK_MEMORY = "3GB"


def pairwise(clusters: list[list[int]], truth: list[int]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of predicted clusters (record positions) against person numbers."""
    sizes = Counter(truth)
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    predicted = correct = 0
    for members in clusters:
        predicted += len(members) * (len(members) - 1) // 2
        same = Counter(truth[m] for m in members)
        correct += sum(n * (n - 1) // 2 for n in same.values())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": true_pairs, "predicted_pairs": predicted}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class MemorySampler:
    """Peak of the summed PSS of this process and its children (forked workers share pages: PSS splits them)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in _family(os.getpid())) / 1024)


def _family(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in _family(int(child)))]


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu() -> float:
    """CPU seconds of this process and of the worker processes it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# crmhub -------------------------------------------------------------------------------------------
def run_crmhub(records: int, seed: int) -> dict[str, Any]:
    from hub.identity.matcher import BatchMatcher, MatchRecord

    truth: list[int] = []
    loaded: list[MatchRecord] = []
    for n, (person, record) in enumerate(PeopleGenerator(seed).generate(records)):
        truth.append(person)
        loaded.append(MatchRecord("crm", f"{n:08d}", record))
    wall, cpu = time.perf_counter(), _cpu()
    with MemorySampler() as memory:
        result = BatchMatcher("contacts").run(loaded)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    clusters = [[int(result.keys[m][1]) for m in c.members] for c in result.clusters]
    return {"system": "crmhub", "records": records, **pairwise(clusters, truth), "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "records_per_s": round(records / wall), "peak_rss_mb": _peak_rss_mb(),
            "workers_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "peak_pss_all_processes_mb": round(memory.peak_mb, 1),
            "review_pairs": len(result.review), "stats": result.stats}


# Splink -----------------------------------------------------------------------------------------------
def _splink_columns(records: int, seed: int) -> tuple[dict[str, list[Any]], list[int], float]:
    from hub.identity.profiles import (
        C_BIRTH,
        C_CITY,
        C_COMPANY,
        C_EMAIL,
        C_FIRST,
        C_LAST,
        C_NATID,
        C_PHONES,
        C_POSTCODE,
        C_STREET,
        CONTACTS,
        NormaliseOptions,
    )

    options = NormaliseOptions()
    names = ("unique_id", "first_name", "last_name", "full_name", "sorted_name", "email", "email_local", "phone",
             "company", "city", "postcode", "street", "birth_date", "national_id")
    columns: dict[str, list[Any]] = {name: [] for name in names}
    truth: list[int] = []
    spent = 0.0
    for n, (person, record) in enumerate(PeopleGenerator(seed).generate(records)):
        clock = time.process_time()
        f = CONTACTS.extract(record, options)
        spent += time.process_time() - clock
        truth.append(person)
        full = f"{f[C_FIRST]} {f[C_LAST]}".strip()
        row = (n, f[C_FIRST] or None, f[C_LAST] or None, full or None, " ".join(sorted(full.split())) or None,
               f[C_EMAIL], f[C_EMAIL].rpartition("@")[0] if f[C_EMAIL] else None,
               f[C_PHONES][0] if f[C_PHONES] else None, f[C_COMPANY], f[C_CITY], f[C_POSTCODE],
               " ".join(sorted(f[C_STREET])) or None, f[C_BIRTH], f[C_NATID])
        for name, value in zip(names, row, strict=True):
            columns[name].append(value)
    return columns, truth, spent


def run_splink(records: int, seed: int) -> dict[str, Any]:
    import logging

    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.ERROR)
    columns, truth, prep_cpu = _splink_columns(records, seed)
    wall, cpu = time.perf_counter(), time.process_time()
    scratch = tempfile.TemporaryDirectory()
    # An on-disk database with a memory limit, so Splink works within the same 4 GB budget (in memory,
    # a million records took over 19 GB before it was stopped); DuckDB spills what does not fit.
    connection = duckdb.connect(str(Path(scratch.name) / "splink.duckdb"))
    connection.execute(f"SET memory_limit = '{SPLINK_MEMORY}'")
    connection.execute(f"SET temp_directory = '{scratch.name}'")
    db_api = DuckDBAPI(connection)
    frame = db_api.register(pa.table(columns))
    blocking = [block_on("email"), block_on("phone"), block_on("national_id"), block_on("sorted_name", "city"),
                block_on("last_name", "postcode"), block_on("first_name", "postcode"),
                block_on("last_name", "birth_date"), block_on("first_name", "birth_date"), block_on("email_local")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "last_name", forename_surname_concat_col_name="full_name"),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.JaroWinklerAtThresholds("company", [0.92]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("street", [0.9]),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("national_id"),
        ],
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(frame, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("national_id")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("email"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "last_name"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    table = clustered.as_pyarrow_table()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    connection.close()
    scratch.cleanup()
    groups: dict[Any, list[int]] = {}
    for uid, cluster in zip(table.column("unique_id").to_pylist(), table.column("cluster_id").to_pylist(),
                            strict=True):
        groups.setdefault(cluster, []).append(int(uid))
    clusters = [members for members in groups.values() if len(members) > 1]
    return {"system": "splink", "records": records, **pairwise(clusters, truth), "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "records_per_s": round(records / wall), "peak_rss_mb": _peak_rss_mb(),
            "normalisation_given_cpu_s": round(prep_cpu, 1), "duckdb_memory_limit": SPLINK_MEMORY}


# Incremental ------------------------------------------------------------------------------------------
def run_incremental(known: int, new: int, seed: int) -> dict[str, Any]:
    from hub.engine.identity import mint_hub_id
    from hub.identity.incremental import IncrementalMatcher
    from hub.identity.matcher import BatchMatcher, MatchRecord
    from hub.state import StateStore, StoreKeys
    from hub.state.resolution import IdentityStore

    people: list[tuple[int, dict[str, Any]]] = list(PeopleGenerator(seed).generate(known + new))
    # `new` records picked at random arrive in the sync; those whose person is already known are duplicates.
    picked = set(random.Random(seed).sample(range(len(people)), new))
    arriving = [people[n] for n in sorted(picked)]
    known_people = [people[n] for n in range(len(people)) if n not in picked]
    del people
    # The model a sync uses is the one `crmhub dedup` estimated and stored; here from a sample.
    sample = [MatchRecord("crm", str(n), record) for n, (_, record) in enumerate(known_people[:20_000])]
    model = BatchMatcher("contacts").run(sample).model
    person_hub: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        keys = StoreKeys.load(Path(folder))
        store = StateStore.open(f"sqlite:///{folder}/state.db", keys)
        index = IdentityStore(store)
        matcher = IncrementalMatcher("contacts", model=model)
        target: dict[str, dict[str, Any]] = {}
        clock = time.perf_counter()
        rows: list[tuple[str, str]] = []
        for n, (person, record) in enumerate(known_people):
            hub_id = person_hub.setdefault(person, mint_hub_id("crm", "contacts", str(n)))
            target.setdefault(hub_id, record)
            rows.extend((key, hub_id) for key in matcher.block_keys(matcher.features(record), keys.pseudonym))
            if len(rows) >= 200_000:
                index.stage_block_keys("contacts", rows)
                rows = []
        index.stage_block_keys("contacts", rows)
        indexing = time.perf_counter() - clock

        wall, cpu = time.perf_counter(), time.process_time()
        features = [matcher.features(record) for _, record in arriving]
        block = [matcher.block_keys(f, keys.pseudonym) for f in features]
        limit = matcher.settings.max_block_size
        found = index.find_candidates("contacts", [k for ks in block for k in ks], limit)
        wanted = sorted({h for ks in block for k in ks for h in found.get(k, ())})
        fetched = {h: matcher.features(target[h]) for h in wanted}  # the target's lookup(hub_ids)
        decisions = []
        for f, ks in zip(features, block, strict=True):
            candidates = [(h, fetched[h]) for h in {h for k in ks for h in found.get(k, ())}]
            decisions.append(matcher.best(f, candidates))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        store.close()
    expected = {n: person_hub.get(person) for n, (person, _) in enumerate(arriving)}
    merged = [d.hub_id if d is not None and d.decision.band.value == "match" else None for d in decisions]
    right = sum(1 for n, hub in enumerate(merged) if hub is not None and hub == expected[n])
    wrong = sum(1 for n, hub in enumerate(merged) if hub is not None and hub != expected[n])
    duplicates = sum(1 for hub in expected.values() if hub)
    return {"system": "incremental", "known": known, "new": new, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "ms_per_record": round(wall * 1000 / new, 3), "candidates_fetched": len(wanted),
            "duplicates_in_batch": duplicates, "merged_right": right, "merged_wrong": wrong,
            "index_build_s": round(indexing, 1), "peak_rss_mb": _peak_rss_mb()}


# Driver ------------------------------------------------------------------------------------------------
def child(args: list[str]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON line."""
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}",
                "args": args}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, action="append", help="records per batch run (repeatable)")
    parser.add_argument("--known", type=int, default=None, help="known records for the incremental run")
    parser.add_argument("--new", type=int, default=1000, help="records in the incremental batch")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink baseline")
    parser.add_argument("--splink-max", type=int, default=1_000_000, help="largest run Splink is given")
    parser.add_argument("--child", choices=("crmhub", "splink", "incremental"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.records or [100_000]
    if args.child == "crmhub":
        print(json.dumps(run_crmhub(sizes[0], args.seed)))
        return
    if args.child == "splink":
        print(json.dumps(run_splink(sizes[0], args.seed)))
        return
    if args.child == "incremental":
        print(json.dumps(run_incremental(args.known or sizes[0], args.new, args.seed)))
        return
    for size in sizes:
        runs = [child(["crmhub", "--records", str(size), "--seed", str(args.seed)])]
        if not args.no_splink and size <= args.splink_max:
            runs.append(child(["splink", "--records", str(size), "--seed", str(args.seed)]))
        for run in runs:
            print(json.dumps(run), flush=True)
    known = args.known or max(sizes)
    print(json.dumps(child(["incremental", "--known", str(known), "--new", str(args.new), "--seed", str(args.seed)])),
          flush=True)


if __name__ == "__main__":
    main()
