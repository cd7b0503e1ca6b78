"""The GDPR scenario a connector joins: two people migrated from a CSV, then ``crmhub gdpr export`` and ``erase``.

A connector's test migrates :data:`PEOPLE_CSV` into its sandbox with :func:`migrate_people`, checks what
``export_json`` / ``export_rows`` show of its system, erases :data:`EMAIL` with :func:`erase` and ends with
:func:`assert_erased_for_good`. Ayşe's job title looks like a formula, so CSV exports prove they neutralise it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hub.testing.runs import run_migration, write_config

__all__ = ["EMAIL", "FORMULA", "OTHER", "PEOPLE_CSV", "assert_erased_for_good", "assert_holds_ayse", "erase",
           "erase_ayse", "executable_cells", "export_json", "export_rows", "held_by", "migrate_people", "record_cells",
           "safe_cells", "the_record"]

EMAIL = "ayse.yilmaz@example.com.tr"
"""The person who asks: e-mail granted, phone denied, under a contract."""
OTHER = "mehmet@example.com.tr"
"""Someone else, who must be neither exported nor erased."""
FORMULA = '=HYPERLINK("http://evil.example")'
PEOPLE_CSV = (
    "id,first_name,last_name,email,job_title,consent.email,consent.phone,consent.legal_basis,consent.source,"
    "consent.captured_at,consent.notice_version,consent.capture_method\n"
    f'1,Ayşe,Yılmaz,{EMAIL},"{FORMULA.replace(chr(34), chr(34) * 2)}",granted,denied,contract,sözleşme 4411,'
    "2025-03-01T10:00:00+03:00,aydinlatma-v3,web form\n"
    f"2,Mehmet,Öztürk,{OTHER},Muhasebe,granted,,consent,web form /kayit,2025-02-01T10:00:00+03:00,aydinlatma-v3,"
    "web form\n"
)
_EXECUTABLE = ("=", "@", "\t", "\r")


def migrate_people(folder: Path, connection: str, settings: dict[str, Any]) -> Path:
    """Write :data:`PEOPLE_CSV` as connection ``people``, migrate it into ``connection``; the config's path."""
    (folder / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    config = write_config(folder, {"people": {"connector": "csv", "path": "people.csv"}, connection: settings})
    first = run_migration(config, "people", connection)
    assert (first["created"], first["quarantined"]) == (2, 0), first
    return config


def _invoke(config: Path, *args: str) -> str:
    from hub.cli.app import app

    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    if not result.stdout.strip():
        raise AssertionError(f"crmhub {' '.join(args[:2])} printed nothing: {result.output!r} {result.exception!r}")
    return result.stdout


def export_json(config: Path, subject: str = EMAIL) -> dict[str, Any]:
    """``crmhub gdpr export SUBJECT --format json``, parsed."""
    parsed: dict[str, Any] = json.loads(_invoke(config, "gdpr", "export", subject, "--format", "json"))
    return parsed


def export_rows(config: Path, subject: str = EMAIL) -> list[dict[str, str]]:
    """``crmhub gdpr export SUBJECT --format csv``: one dict per row (section, system, record, field, value)."""
    return list(csv.DictReader(io.StringIO(_invoke(config, "gdpr", "export", subject, "--format", "csv"))))


def erase(config: Path, subject: str = EMAIL, *extra: str) -> dict[str, dict[str, Any]]:
    """``crmhub gdpr erase SUBJECT --json`` (``extra``: ``--dry-run`` …): each system's answer by connection."""
    lines = _invoke(config, "gdpr", "erase", subject, *extra, "--json").strip().splitlines()
    return {s["connection"]: s for s in json.loads(lines[-1])["systems"]}


def held_by(export: dict[str, Any], connection: str) -> dict[str, Any]:
    """The export's entry for one connection: ``status``, ``message`` and ``records``."""
    [system] = [s for s in export["systems"] if s["connection"] == connection]
    return dict(system)


def the_record(export: dict[str, Any], connection: str) -> dict[str, Any]:
    """The one record ``connection`` answered with (``key``, ``fields``, ``canonical``); it must have answered."""
    held = held_by(export, connection)
    if held["status"] != "acknowledged" or len(held["records"]) != 1:
        raise AssertionError(f"{connection} should hold exactly one record: {held}")
    record: dict[str, Any] = held["records"][0]
    return record


def assert_holds_ayse(export: dict[str, Any], connection: str) -> dict[str, Any]:
    """``connection`` answered the export with Ayşe's one record, under her hub id, with her values; that record."""
    record = the_record(export, connection)
    canonical = record["canonical"]
    assert record["key"] == export["hub_ids"][0], "found by the hub id it was written under"
    assert (canonical["email"], canonical["first_name"], canonical["last_name"]) == (EMAIL, "Ayşe", "Yılmaz")
    assert canonical["job_title"] == FORMULA, "the JSON export shows what the system holds, unaltered"
    assert [r["connection"] for r in export["recipients"]] == [connection]
    assert {(c["channel"], c["status"]) for c in export["consent"]} == {("email", "granted"), ("phone", "denied")}
    return record


def record_cells(rows: list[dict[str, str]], connection: str) -> dict[str, str]:
    """A CSV export's record cells for one connection, by field name."""
    return {r["field"]: r["value"] for r in rows if r["section"] == "record" and r["system"] == connection}


def safe_cells(config: Path, connection: str) -> dict[str, str]:
    """Export Ayşe as CSV; check no cell would run as a formula and nobody else is in it; her cells there."""
    rows = export_rows(config)
    assert executable_cells(rows) == []
    assert OTHER not in json.dumps(rows, ensure_ascii=False), "nobody else's record is exported"
    held = record_cells(rows, connection)
    assert held, f"the CSV export holds no record of {connection}"
    return held


def erase_ayse(config: Path, connection: str, mechanism: str) -> str:
    """Erase Ayşe; ``connection`` acknowledges with ``mechanism`` (the CSV waits for a person); her hub id."""
    [hub_id] = export_json(config)["hub_ids"]
    systems = erase(config)
    assert (systems[connection]["mechanism"], systems[connection]["status"]) == (mechanism, "acknowledged"), systems
    assert systems["people"]["status"] == "manual", "a CSV is erased by hand"
    return str(hub_id)


def executable_cells(rows: list[dict[str, str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula (OWASP: leading ``=``, ``@``, tab or CR)."""
    return [value for row in rows for value in row.values() if value[:1] in _EXECUTABLE]


def assert_erased_for_good(config: Path, connection: str, hub_id: str) -> None:
    """After erasing :data:`EMAIL`: crmhub no longer knows her, ``connection`` holds nothing under her hub id,
    and migrating the CSV that still holds her again suppresses her instead of recreating her."""
    after = export_json(config)
    assert after["hub_ids"] == [], "crmhub no longer knows the address"
    assert after["consent"] == []
    # Asked by the hub id, the system is searched for the key the record was written under.
    held = held_by(export_json(config, hub_id), connection)
    assert (held["status"], held["records"]) == ("acknowledged", []), held
    again = run_migration(config, "people", connection, restart=True)
    assert (again["suppressed"], again["created"], again["updated"]) == (1, 0, 0), again
