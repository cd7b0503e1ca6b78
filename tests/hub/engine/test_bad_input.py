"""Bad input end to end, CSV → SQLite: nothing crashes, each bad record is quarantined with its line, the rest land."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub.app import open_hub
from hub.testing import run_migration, write_config

HEADER = "id,first_name,last_name,email,mobile,birth_date,address.city\r\n"
GOOD = [
    "1,Ayşe,Yılmaz,ayse@example.com.tr,0532 123 45 67,1985-03-02,İstanbul",
    "2,Işıl,Öztürk,isil@example.com.tr,+90 (533) 765-4321,,Şanlıurfa",
    "3,Robert,\"Robert'); DROP TABLE contacts;--\",bobby@example.com,,,Ağrı",
    "4,Çağla,\"Güneş, Jr.\",cagla@example.com.tr,,,\"İzmir\"",
]


def build_export(path: Path) -> dict[str, tuple[int, str]]:
    """Write the export; return the bad records' expected line and reason code by id."""
    lines = [HEADER.strip(), *GOOD]
    bad: dict[str, tuple[int, str]] = {}

    def add(record_id: str, row: str, code: str) -> None:
        lines.append(row)
        bad[record_id] = (len(lines), code)

    add("5", "5,Ahmet,Kaya,ahmet@,0532 123 45 67,,Ankara", "email_invalid")
    add("6", "6,Mehmet,Demir,mehmet@example.com,123,,Bursa", "phone_invalid")
    add("7", "7,Fatma,Şahin,fatma@example.com,,2020-02-31,Muğla", "type_invalid")
    add("8", "8,Emine,Arslan,emine@example.com,,,Ankara,extra,cells", "row_malformed")
    add("9", "9,Hatice,Koç", "row_malformed")
    add("1", "1,Ayşe,Başka,baska@example.com,,,Van", "duplicate_source_id")
    lines.append("10,Zeynep,Kurt,zeynep@example.com,,,Ko\x00nya")
    bad["10"] = (len(lines), "nul_byte")
    lines.append("11,Elif,Kara,elif@example.com,,," + "x" * (1024 * 1024 + 10))
    bad["11"] = (len(lines), "field_too_large")
    lines.append("12,Uğur,Bulut,ugur@example.com,,,Eskişehir")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return bad


def test_bad_rows_are_quarantined_with_their_line_and_everything_else_migrates(tmp_path: Path) -> None:
    bad = build_export(tmp_path / "customers.csv")
    config = write_config(tmp_path, {
        "legacy": {"connector": "csv", "path": "customers.csv"},
        "warehouse": {"connector": "sql", "url": "sqlite:///warehouse.db", "table": "contacts"},
    })

    summary = run_migration(config, "legacy", "warehouse")

    assert summary["status"] == "succeeded", summary
    assert summary["created"] == len(GOOD) + 1
    assert summary["quarantined"] == len(bad)
    assert summary["read"] == summary["created"] + summary["quarantined"]
    with open_hub(config) as hub:
        entries = hub.store.list_quarantine(limit=100)
    found = {}
    for entry in entries:
        line = int(entry.ref.rsplit("line ", 1)[1])
        found[line] = {reason["code"] for reason in entry.reasons}
    for record_id, (line, code) in bad.items():
        assert code in found.get(line, set()), (record_id, line, code, found)

    with sqlite3.connect(tmp_path / "warehouse.db") as con:
        names = {row[0] for row in con.execute("SELECT last_name FROM contacts")}
        cities = {row[0] for row in con.execute("SELECT address__city FROM contacts")}
    assert "Robert'); DROP TABLE contacts;--" in names
    assert {"Yılmaz", "Öztürk", "Güneş, Jr.", "Bulut"} <= names
    assert {"İstanbul", "Şanlıurfa", "Ağrı", "Eskişehir"} <= cities


def test_a_windows_1254_export_keeps_its_turkish_letters(tmp_path: Path) -> None:
    rows = [HEADER.strip(), *GOOD[:2], "12,Gülşen,Ağaoğlu,gulsen@example.com.tr,,,Çanakkale"]
    (tmp_path / "customers.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1254"))
    config = write_config(tmp_path, {
        "legacy": {"connector": "csv", "path": "customers.csv"},
        "warehouse": {"connector": "sql", "url": "sqlite:///warehouse.db"},
    })

    summary = run_migration(config, "legacy", "warehouse")

    assert summary["created"] == 3
    with sqlite3.connect(tmp_path / "warehouse.db") as con:
        people = set(con.execute("SELECT first_name, last_name, address__city FROM contacts"))
    assert ("Gülşen", "Ağaoğlu", "Çanakkale") in people
    assert ("Işıl", "Öztürk", "Şanlıurfa") in people
