"""Preparation in worker processes decides exactly what preparing in the main process decides.

Workers compute each record's keys (hub id, match keys, blocking keys, consent pseudonyms) with the
installation's HMAC key: the same people must be merged, suppressed and quarantined, under the same
hub ids, whichever process prepared them.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hub.consent.decision import ConsentContext
from hub.engine.keying import KEY_CHECK
from hub.engine.prepare import PrepareRecipe, _worker_keyer
from hub.state import StoreKeys
from hub.testing import run_migration, write_config

HEADER = ["id", "first_name", "last_name", "email", "mobile", "address.city", "address.postcode", "birth_date",
          "consent.email", "consent.processing_restricted"]


def _people() -> list[list[Any]]:
    rows: list[list[Any]] = []
    for n in range(240):
        rows.append([f"C{n}", "Şükrü" if n % 2 else "Ayşe", f"Yılmaz{n}", f"kisi{n}@example.com.tr",
                     f"+90532{n:07d}", "İstanbul", f"34{n % 90:03d}", f"1980-01-{n % 28 + 1:02d}",
                     "granted" if n % 3 else "", "true" if n % 50 == 7 else "false"])
    for n in range(0, 240, 12):  # the same people again, later in the file
        rows.append([f"D{n}", "Şükrü" if n % 2 else "Ayşe", f"Yılmaz{n}", f"KISI{n}@example.com.tr", "", "", "",
                     "", "", "false"])  # e-mail match
        rows.append([f"E{n}", "Şükrü" if n % 2 else "Ayşe", f"Yılmaz{n}", f"baska{n}@example.org",
                     f"+90532{n:07d}", "İstanbul", f"34{n % 90:03d}", f"1980-01-{n % 28 + 1:02d}", "", "false"])
    rows.append(["BAD", "X", "Y", "not-an-email", "", "", "", "", "", "false"])
    return rows


def _migrate(folder: Path, workers: int) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    folder.mkdir()
    with (folder / "people.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_people())
    config = write_config(folder, {
        "legacy": {"connector": "csv", "path": "people.csv"},
        "warehouse": {"connector": "sql", "url": f"sqlite:///{folder / 'warehouse.db'}", "table": "contacts"},
    })
    summary = run_migration(config, "legacy", "warehouse", workers=workers, parallel_after=0, batch_size=50)
    with sqlite3.connect(folder / "warehouse.db") as con:
        rows = sorted(con.execute("SELECT id, email, mobile, last_name, address__city FROM contacts"))
    return summary, rows


def test_workers_and_main_process_reach_the_same_decisions(tmp_path: Path) -> None:
    inline, inline_rows = _migrate(tmp_path / "inline", workers=1)
    parallel, parallel_rows = _migrate(tmp_path / "parallel", workers=2)

    counts = ("read", "created", "merged", "quarantined", "suppressed", "unchanged")
    assert {k: parallel[k] for k in counts} == {k: inline[k] for k in counts}
    assert inline["merged"] >= 40, "both kinds of duplicates were merged"
    assert inline["suppressed"] >= 4 and inline["quarantined"] >= 1
    # Hub ids are minted from the source id and resolved by keyed hashes: different keys per folder
    # give different pseudonyms but the same hub ids and the same golden records.
    assert parallel_rows == inline_rows


def test_a_worker_with_another_hmac_key_leaves_the_keys_to_the_main_process(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    context = ConsentContext(pipeline="p", destination="d", purposes=(), classification="sales", region=None,
                             source="s", dry_run=False, run_id="r", dedup=True)
    main = StoreKeys.load(tmp_path / "main")
    recipe = PrepareRecipe(tmp_path / "crmhub.yaml", "s", "contacts", context, True, None, main.pseudonym(*KEY_CHECK))
    assert _worker_keyer(recipe, tmp_path / "main") is not None
    assert _worker_keyer(recipe, tmp_path / "elsewhere") is None, "another key file: another key"
    unkeyed = PrepareRecipe(tmp_path / "crmhub.yaml", "s", "contacts", context, True, None, None)
    assert _worker_keyer(unkeyed, tmp_path / "main") is None


def test_a_batch_shared_among_workers_comes_back_whole_in_order_or_with_the_first_error() -> None:
    from concurrent.futures import Future

    from hub.engine.prepare import Prepared, _joined, _shares
    from hub.records import SourceRecord

    records = [SourceRecord(id=str(n), data={}, ref=str(n)) for n in range(7)]
    parts = _shares(records, 3)
    assert [len(p) for p in parts] == [3, 3, 1] and [r for p in parts for r in p] == records
    assert _shares(records[:1], 4) == [records[:1]]

    futures: list[Future[list[Prepared]]] = [Future() for _ in parts]
    joined = _joined(futures)
    for index in (2, 0, 1):  # finishing out of order
        futures[index].set_result([Prepared(detail={"n": r.id}) for r in parts[index]])
    assert [p.detail["n"] for p in joined.result(timeout=1)] == [r.id for r in records]

    failing: list[Future[list[Prepared]]] = [Future(), Future()]
    broken = _joined(failing)
    failing[0].set_exception(RuntimeError("worker died"))
    assert not broken.done(), "the batch waits for every part"
    failing[1].set_result([])
    with pytest.raises(RuntimeError, match="worker died"):
        broken.result(timeout=1)
