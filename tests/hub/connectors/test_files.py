"""The csv connector as a source: encodings, delimiters, values, ids, checkpoints and resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector, FileChangedError, FileFormatError, JsonlConnector
from hub.errors import FatalError
from hub.model.fields import FieldType
from hub.records import Checkpoint, SourceRecord

TURKISH = "id;ad;şehir\r\n1;Işıl Öztürk;Şişli\r\n2;Ağrı Çağlayan;İzmir\r\n3;Gülşen Ünal;Muğla\r\n"


def connector(path: Path, **options: Any) -> CsvConnector:
    return CsvConnector(CsvConfig(path=path, **options), ConnectorContext(connection="file", work_dir=path.parent))


def read_all(conn: CsvConnector, checkpoint: Checkpoint | None = None) -> tuple[list[SourceRecord], list[Checkpoint]]:
    records: list[SourceRecord] = []
    checkpoints: list[Checkpoint] = []
    for item in conn.read(conn.config.stream, checkpoint):
        (checkpoints if isinstance(item, Checkpoint) else records).append(item)
    return records, checkpoints


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1254", "iso8859_9"])
def test_turkish_text_reads_the_same_in_every_supported_encoding(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "customers.csv", TURKISH, encoding)
    records, _ = read_all(connector(path))
    assert [r.data for r in records] == [
        {"id": "1", "ad": "Işıl Öztürk", "şehir": "Şişli"},
        {"id": "2", "ad": "Ağrı Çağlayan", "şehir": "İzmir"},
        {"id": "3", "ad": "Gülşen Ünal", "şehir": "Muğla"},
    ]
    assert all(r.error is None for r in records)


def test_cp1254_is_picked_over_look_alike_code_pages_for_a_short_turkish_file(tmp_path: Path) -> None:
    path = write(tmp_path / "k.csv", "id,name\n1,Işıl\n", "cp1254")
    records, _ = read_all(connector(path))
    assert records[0].data["name"] == "Işıl"


def test_utf8_is_kept_when_the_head_is_ascii_and_the_tail_is_not(tmp_path: Path) -> None:
    rows = "".join(f"{i},Ali Veli\n" for i in range(20000)) + "99999,Ağrı Şişli\n"
    path = write(tmp_path / "big.csv", "id,name\n" + rows)
    records, _ = read_all(connector(path))
    assert records[-1].data == {"id": "99999", "name": "Ağrı Şişli"}
    assert all(r.error is None for r in records)


def test_a_configured_encoding_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "id,name\n1,Şişli\n", "cp1254")
    records, _ = read_all(connector(path, encoding="iso-8859-9"))
    assert records[0].data["name"] == "Şişli"


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", "id,name\n1,Ali\n", "utf-16")
    with pytest.raises(FileFormatError, match="UTF-16"):
        read_all(connector(path))


def test_classic_mac_line_ends_are_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path / "mac.csv", "id,name\r1,Ali\r2,Veli\r")
    with pytest.raises(FileFormatError, match="CR only"):
        read_all(connector(path))


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["id", "name", "amount"]) + "\n" + delimiter.join(["1", "Ali", '"12,50"']) + "\n"
    records, _ = read_all(connector(write(tmp_path / "d.csv", text)))
    assert records[0].data == {"id": "1", "name": "Ali", "amount": "12,50"}


def test_a_configured_delimiter_is_used(tmp_path: Path) -> None:
    records, _ = read_all(connector(write(tmp_path / "d.csv", "id;a,b\n1;x,y\n"), delimiter=";"))
    assert records[0].data == {"id": "1", "a,b": "x,y"}


def test_values_empty_cells_headers_and_quoted_newlines(tmp_path: Path) -> None:
    text = ' id , address.city ,custom.note\r\n7,,"line one\r\nline two, with comma"\r\n8,Bursa,\r\n'
    records, _ = read_all(connector(write(tmp_path / "v.csv", text)))
    assert [(r.id, r.data, r.ref) for r in records] == [
        ("7", {"id": "7", "custom.note": "line one\r\nline two, with comma"}, "v.csv line 2"),
        ("8", {"id": "8", "address.city": "Bursa"}, "v.csv line 4"),
    ]


def test_without_an_id_column_ids_are_line_numbers(tmp_path: Path) -> None:
    records, _ = read_all(connector(write(tmp_path / "n.csv", 'name\nAli\n\n"Veli\nUslu"\nAyşe\n')))
    assert [r.id for r in records] == ["line:2", "line:4", "line:6"]


def test_blank_and_all_empty_rows_are_skipped(tmp_path: Path) -> None:
    records, _ = read_all(connector(write(tmp_path / "b.csv", "id;name\n\n1;Ali\n;;\n;\n2;Veli\n")))
    assert [(r.id, r.ref) for r in records] == [("1", "b.csv line 3"), ("2", "b.csv line 6")]


def test_a_trailing_delimiter_with_nothing_after_it_is_not_ragged(tmp_path: Path) -> None:
    records, _ = read_all(connector(write(tmp_path / "t.csv", "id;name\n1;Ali;\n")))
    assert records[0].error is None
    assert records[0].data == {"id": "1", "name": "Ali"}


def test_updated_at_column_is_parsed_as_aware_datetime(tmp_path: Path) -> None:
    text = "id,modified\n1,2024-03-01T10:00:00+03:00\n2,2024-03-02 08:00\n3,yesterday\n"
    records, _ = read_all(connector(write(tmp_path / "u.csv", text), updated_at_column="modified"))
    assert records[0].updated_at is not None and records[0].updated_at.utcoffset() is not None
    assert records[1].updated_at is not None and records[1].updated_at.tzinfo is not None
    assert records[2].error is not None and records[2].error.code == "invalid_timestamp"
    assert records[2].error.field == "modified"


def test_repeated_headers_are_refused_naming_them(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "id,email,name,email\n1,a,b,c\n")
    with pytest.raises(FileFormatError, match="'email'"):
        read_all(connector(path))


def test_reading_an_empty_file_yields_only_a_checkpoint(tmp_path: Path) -> None:
    records, checkpoints = read_all(connector(write(tmp_path / "e.csv", "")))
    assert records == []
    assert len(checkpoints) == 1


def test_a_stream_the_file_does_not_provide_is_a_config_error(tmp_path: Path) -> None:
    conn = connector(write(tmp_path / "s.csv", "id\n1\n"))
    with pytest.raises(FatalError, match="companies"):
        list(conn.read("companies", None))


# Checkpoints and resume ---------------------------------------------------------------------------
def numbered(tmp_path: Path, count: int, name: str = "c.csv") -> Path:
    body = "".join(f'{i},"Ad {i}\nikinci satır"\n' if i % 7 == 0 else f"{i},Ad {i}\n" for i in range(1, count + 1))
    return write(tmp_path / name, "id,name\n" + body)


def test_checkpoints_every_n_records_and_at_the_end(tmp_path: Path) -> None:
    records, checkpoints = read_all(connector(numbered(tmp_path, 25), checkpoint_every=10))
    assert len(records) == 25
    assert [c.cursor["records"] for c in checkpoints] == [10, 20, 25]
    assert checkpoints[-1].cursor["offset"] == (tmp_path / "c.csv").stat().st_size


@pytest.mark.parametrize("index", [0, 1, 2])
def test_resume_yields_exactly_the_remaining_records(tmp_path: Path, index: int) -> None:
    conn = connector(numbered(tmp_path, 25), checkpoint_every=10)
    records, checkpoints = read_all(conn)
    covered = checkpoints[index].cursor["records"]
    resumed, tail = read_all(conn, checkpoints[index])
    assert [(r.id, r.ref) for r in resumed] == [(r.id, r.ref) for r in records[covered:]]
    assert tail[-1].cursor["records"] == 25


def test_a_checkpoint_survives_a_json_round_trip(tmp_path: Path) -> None:
    conn = connector(numbered(tmp_path, 25), checkpoint_every=10)
    records, checkpoints = read_all(conn)
    stored = Checkpoint("contacts", json.loads(json.dumps(checkpoints[0].cursor)))
    resumed, _ = read_all(conn, stored)
    assert [r.id for r in resumed] == [r.id for r in records[10:]]


def test_resume_continues_line_ids_and_refs(tmp_path: Path) -> None:
    conn = connector(write(tmp_path / "l.csv", "name\n" + "".join(f"n{i}\n" for i in range(10))), checkpoint_every=4)
    records, checkpoints = read_all(conn)
    resumed, _ = read_all(conn, checkpoints[0])
    assert [r.id for r in resumed] == [r.id for r in records[4:]]
    assert resumed[0].ref == "l.csv line 6"


def test_resume_after_the_file_grew_reads_the_new_rows(tmp_path: Path) -> None:
    path = numbered(tmp_path, 5)
    conn = connector(path)
    _, checkpoints = read_all(conn)
    with path.open("ab") as handle:
        handle.write(b"6,Yeni\n")
    resumed, _ = read_all(conn, checkpoints[-1])
    assert [r.id for r in resumed] == ["6"]


def test_resume_on_a_changed_file_is_refused(tmp_path: Path) -> None:
    path = numbered(tmp_path, 30)
    conn = connector(path, checkpoint_every=10)
    _, checkpoints = read_all(conn)
    path.write_bytes(path.read_bytes().replace(b"Ad 3\n", b"Ad 9\n"))
    with pytest.raises(FileChangedError, match="changed since the checkpoint"):
        read_all(conn, checkpoints[1])


def test_resume_on_a_shrunk_file_is_refused(tmp_path: Path) -> None:
    path = numbered(tmp_path, 30)
    conn = connector(path, checkpoint_every=10)
    _, checkpoints = read_all(conn)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(FileChangedError, match="shrank"):
        read_all(conn, checkpoints[1])


def test_a_foreign_checkpoint_is_refused(tmp_path: Path) -> None:
    conn = connector(numbered(tmp_path, 3))
    with pytest.raises(FileChangedError, match="not a file checkpoint"):
        read_all(conn, Checkpoint("contacts", {"page": 3}))


# check / discover ---------------------------------------------------------------------------------
def test_check_reports_a_missing_file_with_its_path(tmp_path: Path) -> None:
    result = connector(tmp_path / "nowhere" / "missing.csv").check()
    assert not result.ok
    assert str(tmp_path / "nowhere" / "missing.csv") in result.problems[0]


def test_a_missing_file_in_a_writable_folder_checks_as_a_future_target_and_cannot_be_read(tmp_path: Path) -> None:
    conn = connector(tmp_path / "later.csv")
    result = conn.check()
    assert result.ok
    assert result.details["exists"] is False
    assert str(tmp_path / "later.csv") in result.details["note"]
    with pytest.raises(FileFormatError, match="file not found"):
        read_all(conn)
    (info,) = conn.discover()
    assert list(info.fields)[:3] == ["id", "first_name", "last_name"]


def test_check_reports_a_broken_header(tmp_path: Path) -> None:
    result = connector(write(tmp_path / "h.csv", "id,id\n")).check()
    assert not result.ok
    assert "repeats" in result.problems[0]


def test_discover_gives_canonical_specs_for_canonical_headers(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", "id,birth_date,consent.email,custom.segment,Müşteri No\n")
    (info,) = connector(path).discover()
    assert info.name == "contacts"
    assert info.fields["birth_date"].type == FieldType.DATE
    assert info.fields["consent.email"].type == FieldType.ENUM
    assert info.fields["custom.segment"].type == FieldType.STRING
    assert info.fields["Müşteri No"].type == FieldType.STRING
    assert list(info.fields) == ["id", "birth_date", "consent.email", "custom.segment", "Müşteri No"]


def test_relative_paths_resolve_against_the_config_directory(tmp_path: Path) -> None:
    write(tmp_path / "rel.csv", "id\n1\n")
    context = ConnectorContext(connection="f", work_dir=tmp_path, options={"config_dir": str(tmp_path)})
    conn = CsvConnector(CsvConfig(path=Path("rel.csv")), context)
    assert conn.path == tmp_path / "rel.csv"
    assert conn.check().ok


def test_unknown_config_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        CsvConfig.model_validate({"path": "x.csv", "delimeter": ";"})


def test_registered_as_a_builtin_plugin() -> None:
    from hub.connectors.api import ConnectorRegistry
    from hub.connectors.files import plugin

    registry = ConnectorRegistry()
    plugin.hub_register_connectors(registry)
    assert registry.get("csv") is CsvConnector
    assert registry.get("jsonl") is JsonlConnector
