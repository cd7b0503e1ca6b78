"""The file connectors through the real engine: a Turkish legacy export migrated to a CSV target, twice."""

from __future__ import annotations

from pathlib import Path

from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector
from hub.records import Checkpoint
from hub.testing.runs import run_migration, write_config

EXPORT = (
    "id;first_name;last_name;email;address.city\r\n"
    "1;Işıl;Öztürk;isil@example.com;Şişli\r\n"
    "2;Ağrı;Çelik\r\n"
    "3;Gülşen;Ünal;g@example.com;Muğla\r\n"
)


def test_a_cp1254_export_migrates_to_csv_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_bytes(EXPORT.encode("cp1254"))
    config = write_config(
        tmp_path,
        {
            "legacy": {"connector": "csv", "path": "customers.csv"},
            "out": {"connector": "csv", "path": "out/contacts.csv"},
        },
    )
    first = run_migration(config, "legacy", "out")
    assert (first["status"], first["read"], first["created"], first["quarantined"]) == ("succeeded", 3, 2, 1)
    target = CsvConnector(
        CsvConfig(path=tmp_path / "out" / "contacts.csv"), ConnectorContext(connection="out", work_dir=tmp_path)
    )
    written = [item for item in target.read("contacts", None) if not isinstance(item, Checkpoint)]
    assert [(r.data["first_name"], r.data["address.city"]) for r in written] == [("Işıl", "Şişli"), ("Gülşen", "Muğla")]
    again = run_migration(config, "legacy", "out", restart=True)
    assert (again["status"], again["created"], again["unchanged"], again["quarantined"]) == ("succeeded", 0, 2, 1)
