"""``crmhub reconcile`` and two-way ``crmhub sync`` on real file and SQL connectors, through the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hub.cli.app import app
from hub.engine.identity import mint_hub_id
from hub.testing import write_config

runner = CliRunner()
HEADER = "id,first_name,last_name,email,mobile,address.city,address.country\n"


def last_json(output: str) -> dict[str, Any]:
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def invoke(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return last_json(result.stdout)


def migrated(tmp_path: Path) -> Path:
    rows = [f"c{n},Işıl,Öztürk{n},isil{n}@example.com.tr,0532 123 45 {n:02d},Muğla,TR\n" for n in range(12)]
    (tmp_path / "legacy.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    config = write_config(tmp_path, {
        "legacy": {"connector": "csv", "path": "legacy.csv"},
        "warehouse": {"connector": "sql", "url": "sqlite:///warehouse.db", "table": "contacts"},
    }, pipelines={"legacy-to-warehouse": {"source": "legacy", "target": "warehouse", "deletes": "propagate"}})
    assert invoke("migrate", "--from", "legacy", "--to", "warehouse", "-c", str(config))["created"] == 12
    return config


def test_reconcile_csv_against_sqlite_finds_the_drift_and_fix_heals_it(tmp_path: Path) -> None:
    config = migrated(tmp_path)
    assert invoke("reconcile", "legacy", "warehouse", "-c", str(config))["differences"] == 0
    db = sqlite3.connect(tmp_path / "warehouse.db")
    hub = mint_hub_id("legacy", "contacts", "c3")
    db.execute("UPDATE contacts SET address__city = 'Bodrum' WHERE id = ?", (hub,))
    db.execute("UPDATE contacts SET first_name = 'IŞIL' WHERE id = ?", (mint_hub_id("legacy", "contacts", "c4"),))
    db.execute("DELETE FROM contacts WHERE id = ?", (mint_hub_id("legacy", "contacts", "c5"),))
    db.commit()
    db.close()

    found = invoke("reconcile", "legacy", "warehouse", "-c", str(config), "--report", str(tmp_path / "out"))
    healed = invoke("reconcile", "legacy", "warehouse", "-c", str(config), "--fix")
    again = invoke("reconcile", "legacy", "warehouse", "-c", str(config))

    assert found["by_kind"] == {"missing": 1, "field": 1, "consent": 0, "duplicate": 0, "stale_link": 0}
    assert found["field_differences"] == {"address.city": 1}
    assert found["missing"] == {"legacy": 0, "warehouse": 1}
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "differences.csv").exists()
    assert healed["fix"]["ok"] and sum(r["created"] + r["updated"] for r in healed["fix"]["runs"]) == 2
    assert again["differences"] == 0
    shown = runner.invoke(app, ["reconcile", "legacy", "warehouse", "-c", str(config)])
    assert shown.exit_code == 0 and "matched" in shown.stdout and "report.html" in shown.stdout
    assert [h["differences"] for h in again["history"]] == [0, 2, 2, 0]
    rows = sqlite3.connect(tmp_path / "warehouse.db").execute(
        "SELECT address__city FROM contacts WHERE id = ?", (hub,)).fetchall()
    assert rows == [("Muğla",)]


def test_two_way_sync_between_two_sqlite_tables_from_the_command_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "left": {"connector": "sql", "url": "sqlite:///left.db", "table": "people"},
        "right": {"connector": "sql", "url": "sqlite:///right.db", "table": "people"},
    }, pipelines={"lr": {"source": "left", "target": "right", "direction": "both", "conflict": "target_wins"}})
    left = sqlite3.connect(tmp_path / "left.db")
    left.execute("CREATE TABLE people (id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, "
                 "address__city TEXT, updated_at TEXT)")
    left.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", [
        (f"p{n}", "Gül", f"Şen{n}", f"gul{n}@example.com.tr", "Van", "2026-01-01 00:00:00.000000")
        for n in range(4)])
    left.commit()

    first = invoke("sync", "lr", "-c", str(config))
    right = sqlite3.connect(tmp_path / "right.db")
    hub = mint_hub_id("left", "contacts", "p1")
    right.execute("UPDATE people SET address__city = 'Kars', updated_at = '2026-06-01 00:00:00.000000' "
                  "WHERE id = ?", (hub,))
    right.commit()
    left.execute("UPDATE people SET address__city = 'Muş', updated_at = '2026-06-01 00:00:00.000000' "
                 "WHERE id = 'p1'")
    left.execute("UPDATE people SET last_name = 'Şener', updated_at = '2026-06-01 00:00:00.000000' WHERE id = 'p2'")
    left.commit()
    second = invoke("sync", "lr", "-c", str(config))
    quiet = [invoke("sync", "lr", "-c", str(config)) for _ in range(3)]

    assert first["created"] == 4 and first["status"] == "succeeded"
    assert second["status"] == "succeeded"
    assert left.execute("SELECT address__city FROM people WHERE id = 'p1'").fetchall() == [("Kars",)]
    assert right.execute("SELECT address__city FROM people WHERE id = ?", (hub,)).fetchall() == [("Kars",)]
    assert right.execute("SELECT last_name FROM people WHERE id = ?", (mint_hub_id("left", "contacts", "p2"),)
                         ).fetchall() == [("Şener",)]
    assert all(q["created"] == q["updated"] == 0 for q in quiet), quiet
    shown = runner.invoke(app, ["sync", "lr", "-c", str(config)])
    assert shown.exit_code == 0 and "two-way sync lr — succeeded" in shown.stdout
    listed = runner.invoke(app, ["conflicts", "lr", "-c", str(config), "--json"])
    assert listed.exit_code == 0 and last_json(listed.stdout)["open"] == {}
    left.close()
    right.close()
