"""``crmhub gdpr export``: complete across a file and an SQL connection, with consent, recipients and audit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import run_migration
from tests.hub.gdpr.conftest import AYSE

runner = CliRunner()


def export(config: Path, fmt: str, out: Path | None = None) -> str:
    args = ["gdpr", "export", AYSE["email"], "--format", fmt, "--config", str(config)]
    result = runner.invoke(app, [*args, "--output", str(out)] if out else args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8") if out else result.stdout


def test_export_holds_every_system_the_consent_history_the_recipients_and_the_audit_trail(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")

    data = json.loads(export(shop, "json"))

    systems = {s["connection"]: s for s in data["systems"]}
    [in_shop] = systems["shop"]["records"]
    assert (in_shop["key"], in_shop["fields"]["email"]) == ("1", AYSE["email"])
    [in_warehouse] = systems["warehouse"]["records"]
    assert in_warehouse["key"] == data["hub_ids"][0]
    assert in_warehouse["canonical"]["national_id.value"] == AYSE["tckn"]
    [consent] = data["consent"]
    assert (consent["channel"], consent["status"], consent["notice_version"]) == ("email", "granted", "aydinlatma-v3")
    assert [r["connection"] for r in data["recipients"]] == ["warehouse"]
    events = {e["event"] for e in data["audit"]}
    assert {"consent.allowed", "consent.recorded"} <= events
    assert data["requests"] == [] or all(r["kind"] == "export" for r in data["requests"])


def test_csv_export_is_formula_safe_and_readable(shop: Path, tmp_path: Path) -> None:
    run_migration(shop, "shop", "warehouse")

    text = export(shop, "csv", tmp_path / "ayse.csv")

    rows = list(csv.DictReader(io.StringIO(text)))
    titles = [r["value"] for r in rows if r["field"] == "job_title"]
    assert titles and all(t.startswith("'=HYPERLINK") for t in titles)
    assert not any(r["value"][:1] in ("=", "@", "\t", "\r") for r in rows)
    assert {r["section"] for r in rows} >= {"subject", "system", "record", "consent", "recipients", "audit"}
    assert (tmp_path / "ayse.csv").stat().st_mode & 0o077 == 0


def test_an_export_is_itself_a_request_on_record(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    export(shop, "json")
    data = json.loads(export(shop, "json"))
    assert [r["kind"] for r in data["requests"]] == ["export"]
    assert data["requests"][0]["status"] == "completed"
