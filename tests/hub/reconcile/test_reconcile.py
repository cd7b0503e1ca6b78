"""Reconciliation after a migration: exactly the injected drift is found, ``--fix`` heals it, nothing else moves."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from hub.app import open_hub
from hub.engine.identity import mint_hub_id
from hub.reconcile import Kind, Reconciler, ReconcileRequest
from hub.testing import fake_store, put_records, run_migration, write_config
from tests.hub.reconcile.conftest import make_config, person, reconcile
from tests.hub.reconcile.test_cli import invoke, migrated


def hub(n: int) -> str:
    return mint_hub_id("src", "contacts", f"s{n}")


def inject_drift() -> None:
    """Edits, deletes and duplicates on each side, plus changes that are spelling only."""
    src, dst = fake_store("src")["contacts"], fake_store("dst")["contacts"]
    src["s1"]["job_title"] = "Satış Müdürü"                      # edited in the source
    dst[hub(2)]["address.city"] = "Ankara"                       # edited in the target
    dst[hub(3)]["mobile"] = "+90 (532) 123-4567"                 # the same number, formatted
    dst[hub(3)]["first_name"] = "  ÇAĞLA "                       # the same name, case and spaces
    dst[hub(4)]["consent.email"] = "withdrawn"                   # consent disagreement
    del dst[hub(5)]                                              # deleted in the target
    del src["s6"]                                                # deleted in the source
    put_records("src", "contacts", {"x1": person(7, first_name="Çağla Nur")})   # duplicate in the source
    put_records("dst", "contacts", {
        "d-dup": {**person(8), "email": "CAGLA8@example.com.tr", "job_title": "CFO"},  # duplicate in the target
        "d-new": person(100),                                                          # created in the target only
    })


def found(outcome: object) -> set[tuple[str, str | None, str | None, str | None]]:
    return {(f.kind.value, f.hub_id, f.system, f.field) for f in outcome.comparison.findings}  # type: ignore[attr-defined]


def test_clean_migration_reconciles_to_zero_differences(migrated: Path) -> None:
    outcome = reconcile(migrated)

    assert outcome.summary["differences"] == 0
    assert outcome.summary["matched"] == 20
    assert outcome.summary["records"] == {"src": 20, "dst": 20}


def test_injected_drift_is_found_exactly_and_spelling_is_not_a_difference(migrated: Path) -> None:
    inject_drift()

    outcome = reconcile(migrated)

    assert found(outcome) == {
        ("field", hub(1), None, "job_title"),
        ("field", hub(2), None, "address.city"),
        ("consent", hub(4), None, "consent.email"),
        ("missing", hub(5), "dst", None),
        ("missing", hub(6), "src", None),
        ("missing", None, "src", None),
        ("duplicate", hub(7), "src", None),
        ("duplicate", hub(8), "dst", None),
    }
    summary = outcome.summary
    assert summary["matched"] == 15  # 1, 2 and 4 differ; 5 and 6 are on one side; 3 only looks different
    assert summary["differing"] == 3
    assert summary["missing"] == {"src": 2, "dst": 1}
    assert summary["duplicates"] == {"src": 1, "dst": 1}
    assert summary["field_differences"] == {"address.city": 1, "consent.email": 1, "job_title": 1}
    assert summary["consent_disagreements"] == 1
    by_field = {f.field: f for f in outcome.comparison.findings if f.field}
    assert by_field["address.city"].values == {"src": "İzmir", "dst": "Ankara"}
    assert by_field["address.city"].kept == "src"  # source_wins
    notes = {f.system: f.note for f in outcome.comparison.findings if f.kind is Kind.MISSING and f.hub_id}
    assert "deleted" in notes["dst"] and "deleted" in notes["src"]


def test_fix_heals_under_source_wins_and_a_second_reconcile_reports_zero(migrated: Path) -> None:
    inject_drift()

    healed = reconcile(migrated, fix=True)
    again = reconcile(migrated)

    assert healed.fix is not None and healed.fix["ok"], healed.fix
    assert again.summary["differences"] == 0, [f.as_dict() for f in again.comparison.findings]
    dst = fake_store("dst")["contacts"]
    assert dst[hub(2)]["address.city"] == "İzmir"           # the source's value won
    assert dst[hub(1)]["job_title"] == "Satış Müdürü"        # the source's edit arrived
    assert dst[hub(4)]["consent.email"] == "granted"
    assert hub(5) in dst                                      # re-created where it was deleted
    assert hub(6) not in dst                                  # deleted where the owner deleted it
    assert dst[hub(3)]["first_name"] == "  ÇAĞLA "            # a spelling-only difference is left alone
    assert dst[hub(8)]["job_title"] == "CFO"                 # the duplicate filled a blank of its person
    src = fake_store("src")["contacts"]
    assert any(row.get("email") == "cagla100@example.com.tr" for row in src.values())  # target-only record copied


def test_dry_run_fix_previews_and_changes_nothing(migrated: Path) -> None:
    inject_drift()
    before = json.dumps([fake_store("src"), fake_store("dst")], sort_keys=True, default=str)

    preview = reconcile(migrated, fix=True, dry_run=True)
    after = reconcile(migrated)

    assert json.dumps([fake_store("src"), fake_store("dst")], sort_keys=True, default=str) == before
    assert preview.fix is not None and preview.fix["dry_run"]
    assert sum(r["updated"] + r["created"] for r in preview.fix["runs"]) >= 3
    assert after.summary["differences"] == preview.summary["differences"] == 8


def test_reports_are_written_and_the_csv_is_formula_safe(migrated: Path) -> None:
    fake_store("dst")["contacts"][hub(1)]["job_title"] = "=HYPERLINK(\"http://evil\")"

    outcome = reconcile(migrated)

    folder = outcome.report_dir
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((folder / "differences.csv").read_text(encoding="utf-8").splitlines()))
    assert summary["differences"] == len(rows) == 1
    assert rows[0]["value:dst"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["kept"] == "src"
    assert (folder / "report.html").read_text(encoding="utf-8").count("<script>") == 1


def test_history_records_drift_over_time(migrated: Path) -> None:
    reconcile(migrated)
    fake_store("dst")["contacts"][hub(1)]["job_title"] = "CTO"
    second = reconcile(migrated)

    assert [h["differences"] for h in second.summary["history"]] == [0, 1]


def test_target_wins_keeps_the_target_value(tmp_path: Path) -> None:
    config = make_config(tmp_path, conflict="target_wins")
    put_records("src", "contacts", {f"s{n}": person(n) for n in range(3)})
    run_migration(config, "src", "dst", pipeline="src-to-dst")
    fake_store("dst")["contacts"][hub(1)]["address.city"] = "Ankara"

    reconcile(config, fix=True)

    assert fake_store("src")["contacts"]["s1"]["address.city"] == "Ankara"
    assert reconcile(config).summary["differences"] == 0


def test_workers_read_and_compare_in_processes_with_the_same_result(tmp_path: Path) -> None:
    """Worker processes cannot see the in-memory fake, so this runs on a CSV and a SQLite table."""
    config = migrated(tmp_path)
    db = sqlite3.connect(tmp_path / "warehouse.db")
    db.execute("UPDATE contacts SET address__city = 'Bodrum' WHERE id = ?",
               (mint_hub_id("legacy", "contacts", "c3"),))
    db.commit()
    db.close()

    one = invoke("reconcile", "legacy", "warehouse", "-c", str(config))
    two = invoke("reconcile", "legacy", "warehouse", "-c", str(config), "--workers", "2")

    keys = ("matched", "differing", "missing", "field_differences", "duplicates", "stale_links", "differences")
    assert {k: one[k] for k in keys} == {k: two[k] for k in keys}
    assert two["field_differences"] == {"address.city": 1} and two["matched"] == 11


def test_three_systems_are_compared_together(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src"},
        "dst": {"connector": "fake", "store": "dst"},
        "copy": {"connector": "fake", "store": "copy"},
    }, pipelines={"src-to-dst": {"source": "src", "target": "dst"}})
    put_records("src", "contacts", {f"s{n}": person(n) for n in range(4)})
    run_migration(config, "src", "dst")
    run_migration(config, "src", "copy")
    fake_store("copy")["contacts"][hub(2)]["address.city"] = "Kars"
    del fake_store("dst")["contacts"][hub(3)]

    with open_hub(config) as session:
        outcome = Reconciler(session).run(ReconcileRequest(["src", "dst", "copy"], report_dir=tmp_path / "r"))

    assert found(outcome) == {("field", hub(2), None, "address.city"), ("missing", hub(3), "dst", None)}
    city = next(f for f in outcome.comparison.findings if f.field)
    assert city.values == {"src": "İzmir", "dst": "İzmir", "copy": "Kars"} and city.kept == "src"
    assert outcome.summary["matched"] == 2


def test_a_second_hub_record_of_one_person_is_left_to_identity_resolution(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    put_records("src", "contacts", {"s1": person(1), "s2": person(2)})
    run_migration(config, "src", "dst", pipeline="src-to-dst", dedup=False)
    put_records("src", "contacts", {"s9": person(1, first_name="Çağla Nur")})  # the same person, ...
    run_migration(config, "src", "dst", pipeline="x", dedup=False)             # ... loaded as a new hub record

    outcome = reconcile(config)

    second = max(hub(1), mint_hub_id("src", "contacts", "s9"))  # the larger hub id is the one reported
    duplicates = {(f.system, f.hub_id, f.action.value) for f in outcome.comparison.findings if f.kind is Kind.DUPLICATE}
    assert duplicates == {("src", second, "review"), ("dst", second, "review")}  # once in each system
    assert outcome.summary["by_kind"]["missing"] == 0  # both hub records are in both systems
    assert reconcile(config, fix=True).fix["left_for_review"] == 2  # type: ignore[index]
