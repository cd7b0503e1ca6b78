"""A shop's CSV export (file) migrated into a warehouse (SQLite through the SQL connector)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, inspect, select
from typer.testing import CliRunner

from hub.app import open_hub
from hub.cli.app import app
from hub.testing import write_config

AYSE = {"email": "ayse.yilmaz@example.com.tr", "phone": "+905321234567", "tckn": "10000000146"}
HEADER = ("id,first_name,last_name,email,mobile,national_id.value,consent.email,consent.captured_at,consent.source,"
          "consent.notice_version,consent.iys_status,job_title\n")
ROWS = (
    f"1,Ayşe,Yılmaz,{AYSE['email']},{AYSE['phone']},{AYSE['tckn']},granted,2025-03-01T10:00:00+03:00,"
    "web form /kayit,aydinlatma-v3,granted,\"=HYPERLINK(\"\"http://evil.example\"\")\"\n"
    "2,Mehmet,Öztürk,mehmet@example.com.tr,+905339876543,,denied,,,,,Muhasebe\n"
    # the same person again with a mistyped TCKN: quarantined, payload and all
    f"3,Ayşe,Yılmaz,{AYSE['email']},{AYSE['phone']},12345678901,,,,,,\n"
)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """Config with ``shop`` (CSV, cannot delete) and ``warehouse`` (SQLite, can delete and look up)."""
    (tmp_path / "customers.csv").write_text(HEADER + ROWS, encoding="utf-8")
    return write_config(tmp_path, {
        "shop": {"connector": "csv", "path": "customers.csv"},
        "warehouse": {"connector": "sql", "url": "sqlite:///warehouse.db", "table": "contacts",
                      "classification": "sales", "region": "TR"},
    })


def warehouse_rows(config: Path) -> list[dict[str, Any]]:
    con = sqlite3.connect(config.parent / "warehouse.db")
    con.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in con.execute("SELECT * FROM contacts")]
    finally:
        con.close()


def store_text(config: Path) -> str:
    """Every table of the state store as text, with quarantined payloads decrypted: what an attacker could read."""
    chunks = []
    with open_hub(config) as hub, hub.store.engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            table = Table(name, MetaData(), autoload_with=conn)
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            value = hub.store.keys.decrypt(value).decode("utf-8")
                        except Exception:
                            value = value.decode("latin-1")
                    chunks.append(str(value))
    return json.dumps(chunks, ensure_ascii=False)


def raw_identifiers_in(text: str) -> list[str]:
    """Which of Ayşe's identifiers appear in ``text`` (in any common spelling)."""
    needles = [AYSE["email"], AYSE["email"].upper(), AYSE["phone"], AYSE["phone"].lstrip("+"), "5321234567",
               AYSE["tckn"]]
    return [n for n in needles if n in text]


def cli(config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``crmhub ARGS --config CONFIG --json``; return the exit code and the last JSON line."""
    result = CliRunner().invoke(app, [*args, "--config", str(config), "--json"])
    lines = result.stdout.strip().splitlines()
    return result.exit_code, (json.loads(lines[-1]) if lines else {"output": result.output,
                                                                    "exception": repr(result.exception)})
