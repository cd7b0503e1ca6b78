"""Loading a batch overlaps preparing the next; the results are those of one batch after the other."""

from __future__ import annotations

from pathlib import Path

from hub.testing import fake_calls, fake_store, put_records, run_migration, write_config
from tests.hub.engine.conftest import contact


def _config(tmp_path: Path, latency: float) -> Path:
    return write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src", "page_size": 10},
        "dst": {"connector": "fake", "store": "dst", "classification": "sales", "write_latency": latency},
    })


def _people() -> dict[str, dict[str, object]]:
    people: dict[str, dict[str, object]] = {}
    for n in range(60):
        people[f"p{n:03d}"] = contact(n, job_title=None)
    for n in range(5, 60, 10):  # the same person again in the next batch, with a title the first lacks
        people[f"q{n:03d}"] = {**contact(n), "email": f"CAGLA{n}@example.com.tr", "job_title": "CFO"}
    return people


def test_the_next_batch_is_read_and_prepared_while_a_batch_is_written(tmp_path: Path) -> None:
    put_records("src", "contacts", _people())

    summary = run_migration(_config(tmp_path, latency=0.2), "src", "dst", batch_size=10)

    assert (summary["created"], summary["merged"], summary["read"]) == (60, 6, 66)
    calls = fake_calls("src", "dst")
    reads = 0
    batches_written = 0
    for store, op, _ in calls:
        reads += (store, op) == ("src", "read")
        if (store, op) == ("dst", "written"):
            batches_written += 1
            # One after the other, batch k+1 would be read only after batch k is written; here it was
            # read (and prepared) while batch k was being written.
            assert reads >= min(66, 10 * (batches_written + 1)), f"batch {batches_written} was written alone"
    assert batches_written == 7


def test_a_record_merging_into_one_still_being_written_waits_for_that_write(tmp_path: Path) -> None:
    put_records("src", "contacts", _people())

    run_migration(_config(tmp_path, latency=0.2), "src", "dst", batch_size=10)

    rows = fake_store("dst")["contacts"]
    assert len(rows) == 60, "every duplicate merged, none created twice"
    assert sorted(r["email"] for r in rows.values() if r.get("job_title") == "CFO") == sorted(
        f"cagla{n}@example.com.tr" for n in range(5, 60, 10)), "blanks filled by the duplicates"
    calls = fake_calls("dst")
    for n, (_, op, keys) in enumerate(calls):  # no look-up of a record while a write of it is unfinished
        if op != "lookup":
            continue
        open_writes = set()
        for _, earlier_op, earlier_keys in calls[:n]:
            if earlier_op == "write":
                open_writes.update(earlier_keys)
            elif earlier_op == "written":
                open_writes.difference_update(earlier_keys)
        assert not open_writes.intersection(keys)


def test_same_outcomes_with_and_without_a_slow_target(tmp_path: Path) -> None:
    put_records("src", "contacts", _people())
    slow = run_migration(_config(tmp_path / "slow", latency=0.1), "src", "dst", batch_size=10)
    slow_rows = {k: {f: v for f, v in r.items() if f != "_seq"} for k, r in fake_store("dst")["contacts"].items()}
    fake_store("dst").clear()
    fast = run_migration(_config(tmp_path / "fast", latency=0.0), "src", "dst", batch_size=10)
    fast_rows = {k: {f: v for f, v in r.items() if f != "_seq"} for k, r in fake_store("dst")["contacts"].items()}

    counts = ("read", "created", "updated", "merged", "unchanged", "quarantined", "suppressed")
    assert {k: slow[k] for k in counts} == {k: fast[k] for k in counts}
    assert slow_rows == fast_rows
