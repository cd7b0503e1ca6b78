"""Malformed CSV rows become records with an error at the right line; the rows after them are still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector
from hub.records import Checkpoint, SourceRecord

HEADER = b"id,name,city\r\n"
GOOD_BEFORE = b"1,Ali,Ankara\r\n"
GOOD_AFTER = b"3,Veli,Bursa\r\n4,Ay\xc5\x9fe,\xc4\xb0zmir\r\n"


def read(path: Path, **options: Any) -> list[SourceRecord]:
    conn = CsvConnector(CsvConfig(path=path, **options), ConnectorContext(connection="f", work_dir=path.parent))
    return [item for item in conn.read("contacts", None) if not isinstance(item, Checkpoint)]


def check_bad_third_line(path: Path, code: str, **options: Any) -> SourceRecord:
    records = read(path, **options)
    bad = [r for r in records if r.error is not None]
    assert len(bad) == 1, [(r.ref, r.error) for r in bad]
    assert bad[0].ref == f"{path.name} line 3"
    assert bad[0].error is not None and bad[0].error.code == code
    assert bad[0].data == {}
    good = [r.data for r in records if r.error is None]
    assert good == [
        {"id": "1", "name": "Ali", "city": "Ankara"},
        {"id": "3", "name": "Veli", "city": "Bursa"},
        {"id": "4", "name": "Ayşe", "city": "İzmir"},
    ]
    return bad[0]


@pytest.mark.parametrize("row", [b"2,Kaya\r\n", b"2,Kaya,Van,extra\r\n"], ids=["fewer", "more"])
def test_ragged_rows(tmp_path: Path, row: bytes) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + row + GOOD_AFTER)
    bad = check_bad_third_line(path, "row_malformed")
    assert "header has 3" in bad.error.message  # type: ignore[union-attr]


def test_text_after_a_closing_quote(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b'2,"Kaya"x,Van\r\n' + GOOD_AFTER)
    bad = check_bad_third_line(path, "row_malformed")
    assert "quote" in bad.error.message  # type: ignore[union-attr]


def test_unterminated_quote_in_the_middle_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b'2,"Kaya,Van\r\n' + GOOD_AFTER)
    check_bad_third_line(path, "row_malformed")


def test_unterminated_quote_running_into_a_later_quoted_cell(tmp_path: Path) -> None:
    path = tmp_path / "u2.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b'2,"Kaya,Van\r\n' + GOOD_AFTER + b'5,"Can",Rize\r\n')
    records = read(path)
    assert [(r.ref, r.error.code if r.error else None) for r in records] == [
        ("u2.csv line 2", None),
        ("u2.csv line 3", "row_malformed"),
        ("u2.csv line 4", None),
        ("u2.csv line 5", None),
        ("u2.csv line 6", None),
    ]
    assert records[-1].data == {"id": "5", "name": "Can", "city": "Rize"}


def test_unterminated_quote_running_past_the_field_limit(tmp_path: Path) -> None:
    filler = b"".join(b"%d,Ad,Il\r\n" % i for i in range(10, 400))
    path = tmp_path / "run.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b'2,"Kaya,Van\r\n' + GOOD_AFTER + filler)
    records = read(path, max_field_bytes=1024)
    bad = [r for r in records if r.error]
    assert [(r.ref, r.error.code) for r in bad] == [("run.csv line 3", "field_too_large")]  # type: ignore[union-attr]
    assert len(records) == 4 + 390


def test_a_quote_inside_an_unquoted_cell_is_kept_literally(tmp_path: Path) -> None:
    path = tmp_path / "lit.csv"
    path.write_bytes(HEADER + b'1,5" ekran,Van\r\n')
    assert read(path)[0].data["name"] == '5" ekran'


def test_nul_byte(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b"2,Ka\x00ya,Van\r\n" + GOOD_AFTER)
    check_bad_third_line(path, "nul_byte")


def test_nul_byte_inside_a_multiline_cell_is_reported_at_the_row_start(tmp_path: Path) -> None:
    path = tmp_path / "n2.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b'2,"Ka\r\ny\x00a",Van\r\n' + GOOD_AFTER)
    bad = check_bad_third_line(path, "nul_byte")
    assert "line 4" in bad.error.message  # type: ignore[union-attr]


def test_undecodable_bytes_in_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b"2,Kaya \xfd\xfe,Van\r\n" + GOOD_AFTER)
    check_bad_third_line(path, "encoding_error")


def test_a_field_over_max_field_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b"2,Kaya," + "ş".encode() * 700 + b"\r\n" + GOOD_AFTER)
    bad = check_bad_third_line(path, "field_too_large", max_field_bytes=1024)
    assert bad.error is not None and bad.error.field == "city"


def test_a_quoted_multiline_field_over_max_field_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big2.csv"
    note = b"\r\n".join([b"x" * 300] * 5)
    path.write_bytes(HEADER + GOOD_BEFORE + b'2,Kaya,"' + note + b'"\r\n' + GOOD_AFTER)
    records = read(path, max_field_bytes=1024)
    assert [(r.ref, r.error.field if r.error else None) for r in records if r.error] == [("big2.csv line 3", "city")]
    assert [r.id for r in records if not r.error] == ["1", "3", "4"]


def test_empty_id_cell_is_a_missing_id_record_that_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b",Kaya,Van\r\n" + GOOD_AFTER)
    records = read(path)
    bad = [r for r in records if r.error]
    assert [(r.ref, r.error.code, r.error.field, r.data) for r in bad] == [  # type: ignore[union-attr]
        ("m.csv line 3", "missing_id", "id", {"name": "Kaya", "city": "Van"})
    ]
    assert len(records) == 4


def test_a_bare_carriage_return_inside_an_unquoted_cell(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b"2,Ka\rya,Van\r\n" + GOOD_AFTER)
    check_bad_third_line(path, "row_malformed")


def test_several_malformed_rows_in_a_row(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(HEADER + b'1,"A"b,c\r\n2,x\r\n3,\x00,z\r\n4,"open\r\n5,ok,ok\r\n')
    records = read(path)
    assert [(r.ref, r.error.code if r.error else None) for r in records] == [
        ("s.csv line 2", "row_malformed"),
        ("s.csv line 3", "row_malformed"),
        ("s.csv line 4", "nul_byte"),
        ("s.csv line 5", "row_malformed"),
        ("s.csv line 6", None),
    ]


def test_one_very_long_line_names_its_oversized_cell(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(HEADER + GOOD_BEFORE + b"2," + b"k" * 5000 + b",Van\r\n" + GOOD_AFTER)
    bad = check_bad_third_line(path, "field_too_large", max_field_bytes=1024)
    assert bad.error is not None and bad.error.field == "name"
