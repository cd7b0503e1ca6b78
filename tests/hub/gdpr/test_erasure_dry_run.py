"""``crmhub gdpr erase --dry-run``: says what would be erased and suppressed, and changes nothing anywhere."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import run_migration
from tests.hub.gdpr.conftest import AYSE, cli, store_text, warehouse_rows

runner = CliRunner()


def test_a_dry_run_lists_systems_records_and_suppression_entries_and_changes_nothing(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    store_before, rows_before = store_text(shop), warehouse_rows(shop)
    export_before = (shop.parent / "customers.csv").read_bytes()

    code, plan = cli(shop, "gdpr", "erase", AYSE["email"], "--dry-run")

    assert code == 0, plan
    assert plan["dry_run"] is True and plan["found"] is True
    [hub_id] = plan["hub_ids"]  # type: ignore[misc]
    systems = {s["connection"]: s for s in plan["systems"]}  # type: ignore[attr-defined]
    assert (systems["warehouse"]["mechanism"], systems["warehouse"]["records"]) == ("delete", [hub_id])
    assert (systems["shop"]["mechanism"], systems["shop"]["records"]) == ("manual", ["1"])
    kinds = sorted(e["id_type"] for e in plan["suppression_entries"])  # type: ignore[attr-defined]
    assert kinds == ["email", "hub_id", "national_id", "phone"]
    assert AYSE["email"] not in json.dumps(plan), "the plan names the person by pseudonyms and record ids only"

    assert store_text(shop) == store_before, "not a row of the state store changed, the audit log included"
    assert warehouse_rows(shop) == rows_before
    assert (shop.parent / "customers.csv").read_bytes() == export_before

    _, done = cli(shop, "gdpr", "erase", AYSE["email"])
    assert done["suppression_entries"] == len(plan["suppression_entries"])  # type: ignore[arg-type]
    assert [s["connection"] for s in done["systems"]] == sorted(systems)  # type: ignore[attr-defined]

    _, again = cli(shop, "gdpr", "erase", AYSE["email"], "--dry-run")
    assert again["found"] is False and again["systems"] == []
    assert again["suppression_entries"] == [] and again["already_suppressed"] == 1


def test_the_dry_run_table_says_nothing_was_changed(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    result = runner.invoke(app, ["gdpr", "erase", AYSE["email"], "--dry-run", "--config", str(shop)])
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was erased" in result.stdout
    assert "warehouse" in result.stdout and "national_id" in result.stdout
    assert warehouse_rows(shop) != []
