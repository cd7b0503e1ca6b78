"""The csv connector as a target: canonical headers, lossless round trip, idempotent upserts, compaction."""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector, FileFormatError
from hub.model.common import ConsentStatus
from hub.model.streams import stream_fields
from hub.records import Checkpoint, SourceRecord, WriteOutcome, WriteRequest

CONTACTS = [
    {
        "first_name": "Işıl",
        "last_name": "Öztürk",
        "email": "isil@example.com.tr",
        "phone": "+905321234567",
        "address.city": "Şişli",
        "address.country": "TR",
        "consent.email": "granted",
        "custom.note": '=HYPERLINK("http://evil")',
    },
    {
        "first_name": "'Ağrı'",
        "last_name": "-Çelik",
        "company": '@Acme; Ltd, "Şube"\r\nİkinci satır',
        "custom.balance": "-12.50",
        "custom.formula": "'=already quoted",
        "external_ids.hubspot": "501",
    },
    {"first_name": "Gülşen", "custom.tab": "\tindented", "custom.plus": "+cmd|' /C calc'!A0", "custom.cr": "\rx"},
]


def connector(path: Path, **options: Any) -> CsvConnector:
    return CsvConnector(CsvConfig(path=path, **options), ConnectorContext(connection="out", work_dir=path.parent))


def requests(rows: list[dict[str, Any]], prefix: str = "hub") -> list[WriteRequest]:
    return [WriteRequest(key=f"{prefix}-{i}", fields=dict(row)) for i, row in enumerate(rows)]


def read_back(path: Path, **options: Any) -> list[SourceRecord]:
    conn = connector(path, **options)
    return [item for item in conn.read("contacts", None) if not isinstance(item, Checkpoint)]


def outcomes(results: list[Any]) -> list[str]:
    return [r.outcome.value for r in results]


def test_round_trip_is_lossless_with_turkish_text_and_formula_looking_cells(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        assert outcomes(conn.write("contacts", requests(CONTACTS))) == ["created"] * 3
    records = read_back(path)
    assert [r.id for r in records] == ["hub-0", "hub-1", "hub-2"]
    assert [r.error for r in records] == [None, None, None]
    for record, written in zip(records, CONTACTS, strict=True):
        assert record.data == {"id": record.id, **written}


def test_dangerous_cells_are_neutralised_on_disk_and_numbers_are_not(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS))
    text = path.read_bytes().decode()
    assert "'=HYPERLINK" in text
    assert "\"'@Acme" in text
    assert "''=already quoted" in text
    assert "'\tindented" in text
    assert "'+cmd|" in text
    assert ",+905321234567," in text
    assert ",-12.50," in text
    assert "'-Çelik" in text


def test_header_is_canonical_order_then_extra_fields_in_first_seen_order(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS))
    header = path.read_bytes().split(b"\r\n", 1)[0].decode().split(",")
    canonical = [name for name, spec in stream_fields("contacts").items() if spec.type != "map"]
    assert header[: len(canonical)] == canonical
    assert header[len(canonical) :] == [
        "custom.note",
        "custom.balance",
        "custom.formula",
        "external_ids.hubspot",
        "custom.tab",
        "custom.plus",
        "custom.cr",
    ]


def test_file_is_utf8_without_bom_with_crlf_by_default_and_bom_on_request(tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    for path, options in ((plain, {}), (excel, {"bom": True})):
        with connector(path, **options) as conn:
            conn.write("contacts", requests(CONTACTS[:1]))
    assert plain.read_bytes().startswith(b"id,")
    assert plain.read_bytes().endswith(b"\r\n")
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert read_back(excel)[0].data["first_name"] == "Işıl"


def test_typed_values_are_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "typed.csv"
    fields = {
        "birth_date": dt.date(1990, 4, 23),
        "updated_at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "consent.email": ConsentStatus.DENIED,
        "consent.processing_restricted": False,
        "custom.amount": decimal.Decimal("12.50"),
        "custom.count": 3,
        "custom.tags": ["a", "ş"],
    }
    with connector(path) as conn:
        conn.write("contacts", [WriteRequest("k", fields)])
    assert read_back(path)[0].data == {
        "id": "k",
        "birth_date": "1990-04-23",
        "updated_at": "2024-01-02T03:04:05+00:00",
        "consent.email": "denied",
        "consent.processing_restricted": "false",
        "custom.amount": "12.50",
        "custom.count": "3",
        "custom.tags": '["a", "ş"]',
    }


def test_writing_the_same_requests_again_is_all_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS))
        assert outcomes(conn.write("contacts", requests(CONTACTS))) == ["unchanged"] * 3
    with connector(path) as conn:
        assert outcomes(conn.write("contacts", requests(CONTACTS))) == ["unchanged"] * 3
    assert len(read_back(path)) == 3


def test_update_sets_only_given_fields_and_none_clears(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS))
        results = conn.write("contacts", [WriteRequest("hub-0", {"last_name": "Yılmaz", "email": None})])
        assert outcomes(results) == ["updated"]
        found = conn.lookup("contacts", ["hub-0", "hub-9"])
    assert set(found) == {"hub-0"}
    expected = {"id": "hub-0", **CONTACTS[0], "last_name": "Yılmaz"}
    del expected["email"]
    assert found["hub-0"] == expected


def test_a_subset_equal_to_what_is_stored_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS))
        assert outcomes(conn.write("contacts", [WriteRequest("hub-0", {"first_name": "Işıl"})])) == ["unchanged"]


def test_update_then_close_compacts_to_one_row_per_key_in_first_appearance_order(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS))
        conn.write("contacts", [WriteRequest("hub-0", {"first_name": "Ayşe"})])
        conn.write(
            "contacts", [WriteRequest("hub-0", {"first_name": "Fatma"}), WriteRequest("hub-3", {"first_name": "Ece"})]
        )
        before = read_back(path)
        assert [r.id for r in before] == ["hub-0", "hub-1", "hub-2", "hub-0", "hub-0", "hub-3"]
    after = read_back(path)
    assert [r.id for r in after] == ["hub-0", "hub-1", "hub-2", "hub-3"]
    assert after[0].data["first_name"] == "Fatma"
    assert not list(tmp_path.glob(".*tmp"))


CRASHING_WRITER = """
import os, sys
from pathlib import Path
from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector
from hub.records import WriteRequest
path = Path(sys.argv[1])
conn = CsvConnector(CsvConfig(path=path), ConnectorContext(connection="out", work_dir=path.parent))
conn.open()
conn.write("contacts", [WriteRequest(f"hub-{i}", {"first_name": f"Ad {i}"}) for i in range(3)])
conn.write("contacts", [WriteRequest("hub-1", {"first_name": "Yeni"})])
os._exit(0)  # dies before close(): no compaction
"""


def test_crash_before_compaction_leaves_no_duplicate_keys_after_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(path)], check=True, timeout=60)
    assert [r.id for r in read_back(path)] == ["hub-0", "hub-1", "hub-2", "hub-1"]
    with connector(path) as conn:
        assert conn.lookup("contacts", ["hub-1"])["hub-1"]["first_name"] == "Yeni"
        assert outcomes(conn.write("contacts", [WriteRequest("hub-1", {"first_name": "Yeni"})])) == ["unchanged"]
    records = read_back(path)
    assert [r.id for r in records] == ["hub-0", "hub-1", "hub-2"]
    assert records[1].data["first_name"] == "Yeni"


def test_a_torn_last_line_from_a_crash_mid_write_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS[:2]))
    with path.open("ab") as handle:
        handle.write(b'hub-9,"Yar')
    with connector(path) as conn:
        assert outcomes(conn.write("contacts", [WriteRequest("hub-9", {"first_name": "Tam"})])) == ["created"]
    assert [r.id for r in read_back(path)] == ["hub-0", "hub-1", "hub-9"]
    assert (tmp_path / ".out.csv.torn").read_bytes() == b'hub-9,"Yar\n'


def test_a_file_without_a_final_line_end_gets_one_before_the_first_appended_row(tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_bytes(b"id,first_name\r\n1,Ali")
    with connector(path) as conn:
        assert outcomes(conn.write("contacts", [WriteRequest("2", {"first_name": "Veli"})])) == ["created"]
    assert [r.data for r in read_back(path)] == [{"id": "1", "first_name": "Ali"}, {"id": "2", "first_name": "Veli"}]


def test_a_new_custom_field_in_a_later_batch_widens_the_header_without_losing_values(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        conn.write("contacts", requests(CONTACTS[:2]))
        conn.write("contacts", [WriteRequest("hub-5", {"first_name": "Can", "custom.segment": "VIP"})])
        assert outcomes(conn.write("contacts", requests(CONTACTS[:2]))) == ["unchanged", "unchanged"]
    records = {r.id: r.data for r in read_back(path)}
    assert records["hub-5"] == {"id": "hub-5", "first_name": "Can", "custom.segment": "VIP"}
    assert records["hub-1"] == {"id": "hub-1", **CONTACTS[1]}


def test_same_key_twice_in_one_batch_keeps_the_last(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        results = conn.write(
            "contacts", [WriteRequest("k", {"first_name": "A"}), WriteRequest("k", {"last_name": "B"})]
        )
        assert outcomes(results) == ["created", "updated"]
    assert [r.data for r in read_back(path)] == [{"id": "k", "first_name": "A", "last_name": "B"}]


def test_values_that_cannot_read_back_fail_alone(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with connector(path, max_field_bytes=1024) as conn:
        results = conn.write(
            "contacts",
            [
                WriteRequest("ok", {"first_name": "Ali"}),
                WriteRequest("nul", {"first_name": "A\0li"}),
                WriteRequest("big", {"custom.note": "ş" * 600}),
                WriteRequest("", {"first_name": "Keyless"}),
            ],
        )
    assert [(r.key, r.outcome, r.code) for r in results] == [
        ("ok", WriteOutcome.CREATED, None),
        ("nul", WriteOutcome.FAILED, "invalid_value"),
        ("big", WriteOutcome.FAILED, "field_too_large"),
        ("", WriteOutcome.FAILED, "missing_key"),
    ]
    assert "first_name" in (results[1].message or "")
    assert "A\0li" not in (results[1].message or "")
    assert [r.id for r in read_back(path)] == ["ok"]


def test_lookup_on_a_missing_file_finds_nothing_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    with connector(path) as conn:
        assert conn.lookup("contacts", ["a"]) == {}
    assert not path.exists()


def test_an_existing_cp1254_semicolon_file_is_rewritten_as_utf8_on_first_write(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("id;first_name;address.city\r\n1;Işıl;Şişli\r\n".encode("cp1254"))
    with connector(path) as conn:
        assert outcomes(conn.write("contacts", [WriteRequest("1", {"first_name": "Işıl"})])) == ["unchanged"]
        assert outcomes(conn.write("contacts", [WriteRequest("2", {"first_name": "Ağrı"})])) == ["created"]
    assert path.read_bytes().decode("utf-8").splitlines()[0] == "id,first_name,address.city"
    assert [r.data for r in read_back(path)] == [
        {"id": "1", "first_name": "Işıl", "address.city": "Şişli"},
        {"id": "2", "first_name": "Ağrı"},
    ]


def test_an_existing_file_with_unreadable_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"id,first_name\r\n1,Ali,extra\r\n2,Veli\r\n")
    with connector(path) as conn, pytest.raises(FileFormatError, match=r"broken\.csv line 2"):
        conn.write("contacts", [WriteRequest("3", {"first_name": "Can"})])


def test_an_existing_file_without_the_key_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nokey.csv"
    path.write_bytes(b"first_name\r\nAli\r\n")
    with connector(path) as conn, pytest.raises(FileFormatError, match="'id' column"):
        conn.lookup("contacts", ["x"])


def test_a_non_canonical_stream_gets_its_columns_from_the_records(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    with connector(path, stream="deals") as conn:
        conn.write("deals", [WriteRequest("d1", {"title": "Satış", "amount": "10"})])
    assert path.read_bytes().startswith(b"id,title,amount\r\n")


@pytest.mark.parametrize("name", ["", " padded", "custom.x\0y"])
def test_a_field_name_that_cannot_be_a_column_fails_alone(tmp_path: Path, name: str) -> None:
    path = tmp_path / "out.csv"
    with connector(path) as conn:
        results = conn.write("contacts", [WriteRequest("a", {name: "v"}), WriteRequest("b", {"first_name": "B"})])
    assert [(r.outcome.value, r.code) for r in results] == [("failed", "invalid_field"), ("created", None)]
    assert [r.data for r in read_back(path)] == [{"id": "b", "first_name": "B"}]


def test_lookups_alone_never_change_the_file(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    original = "id;first_name\r\n1;Işıl\r\n1;Işık\r\n2;Ali".encode("cp1254") + b'\r\n3;"torn'
    path.write_bytes(original)
    with connector(path) as conn:
        assert conn.lookup("contacts", ["1", "2", "3"]) == {
            "1": {"id": "1", "first_name": "Işık"},
            "2": {"id": "2", "first_name": "Ali"},
        }
    assert path.read_bytes() == original
    assert not (tmp_path / ".legacy.csv.torn").exists()
