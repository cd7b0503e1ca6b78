"""The jsonl connector: flattened reading, malformed lines, resume, and the same upsert target as CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.connectors.api import ConnectorContext
from hub.connectors.files import FileChangedError, JsonlConfig, JsonlConnector
from hub.records import Checkpoint, SourceRecord, WriteRequest


def connector(path: Path, **options: Any) -> JsonlConnector:
    return JsonlConnector(JsonlConfig(path=path, **options), ConnectorContext(connection="j", work_dir=path.parent))


def read_all(conn: JsonlConnector, checkpoint: Checkpoint | None = None) -> tuple[list[SourceRecord], list[Checkpoint]]:
    records: list[SourceRecord] = []
    checkpoints: list[Checkpoint] = []
    for item in conn.read("contacts", checkpoint):
        (checkpoints if isinstance(item, Checkpoint) else records).append(item)
    return records, checkpoints


def lines(*objects: Any) -> bytes:
    return b"".join(
        (o if isinstance(o, bytes) else json.dumps(o, ensure_ascii=False).encode()) + b"\n" for o in objects
    )


def test_nested_objects_read_as_dotted_names_and_nulls_are_absent(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        lines(
            {"id": 7, "first_name": "Işıl", "address": {"city": "Şişli", "street": None}, "custom": {"vip": True}},
            {"id": "8", "email": "", "tags": ["a", "b"], "score": 1.5},
        )
    )
    records, _ = read_all(connector(path))
    assert [(r.id, r.data, r.ref) for r in records] == [
        ("7", {"id": 7, "first_name": "Işıl", "address.city": "Şişli", "custom.vip": True}, "c.jsonl line 1"),
        ("8", {"id": "8", "tags": ["a", "b"], "score": 1.5}, "c.jsonl line 2"),
    ]


def test_malformed_lines_are_reported_at_their_line_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(
        lines({"id": 1, "name": "Işıl"})
        + b'{"id": 2, "name": \n'
        + b"[1, 2]\n"
        + b'{"id": 4, "id": 5}\n'
        + b'{"id": 6, "n": "a\x00"}\n'
        + b'{"id": 7, "n": "\xfd\xfe"}\n'
        + b"\n"
        + lines({"name": "no id"}, {"id": 10})
    )
    records, _ = read_all(connector(path))
    assert [(r.ref, r.error.code if r.error else None) for r in records] == [
        ("m.jsonl line 1", None),
        ("m.jsonl line 2", "row_malformed"),
        ("m.jsonl line 3", "row_malformed"),
        ("m.jsonl line 4", "row_malformed"),
        ("m.jsonl line 5", "nul_byte"),
        ("m.jsonl line 6", "encoding_error"),
        ("m.jsonl line 8", "missing_id"),
        ("m.jsonl line 9", None),
    ]
    assert "invalid JSON" in records[1].error.message  # type: ignore[union-attr]
    assert "'id' appears twice" in records[3].error.message  # type: ignore[union-attr]
    assert records[6].data == {"name": "no id"}


def test_a_file_whose_first_object_has_no_id_gets_line_ids(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_bytes(lines({"name": "a"}, {"name": "b"}))
    records, _ = read_all(connector(path))
    assert [r.id for r in records] == ["line:1", "line:2"]


def test_oversized_value(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(lines({"id": 1, "note": "ş" * 700}, {"id": 2}))
    records, _ = read_all(connector(path, max_field_bytes=1024))
    assert [(r.error.code, r.error.field) if r.error else None for r in records] == [("field_too_large", "note"), None]


def test_resume_and_refusal_of_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(lines(*({"id": i} for i in range(9))))
    conn = connector(path, checkpoint_every=4)
    records, checkpoints = read_all(conn)
    assert [c.cursor["records"] for c in checkpoints] == [4, 8, 9]
    resumed, _ = read_all(conn, checkpoints[0])
    assert [r.id for r in resumed] == [r.id for r in records[4:]]
    path.write_bytes(path.read_bytes().replace(b'{"id": 1}', b'{"id": 9}'))
    with pytest.raises(FileChangedError):
        read_all(conn, checkpoints[0])


def test_round_trip_nests_dotted_names_and_reads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    fields = {"first_name": "Ağrı", "address.city": "İzmir", "custom.note": "=1+2", "custom.n": 3}
    with connector(path) as conn:
        conn.write("contacts", [WriteRequest("hub-1", fields)])
    assert json.loads(path.read_bytes()) == {
        "id": "hub-1",
        "first_name": "Ağrı",
        "address": {"city": "İzmir"},
        "custom": {"note": "=1+2", "n": 3},
    }
    records, _ = read_all(connector(path))
    assert records[0].data == {"id": "hub-1", **fields}


def test_colliding_names_are_written_flat(tmp_path: Path) -> None:
    path = tmp_path / "flat.jsonl"
    with connector(path) as conn:
        conn.write("contacts", [WriteRequest("k", {"custom": "x", "custom.a": "y"})])
    assert json.loads(path.read_bytes()) == {"id": "k", "custom": "x", "custom.a": "y"}
    assert read_all(connector(path))[0][0].data == {"id": "k", "custom": "x", "custom.a": "y"}


def test_idempotent_writes_updates_compaction_and_lookup(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    batch = [WriteRequest(f"k{i}", {"first_name": f"Ad {i}", "custom.rank": i}) for i in range(3)]
    with connector(path) as conn:
        assert {r.outcome.value for r in conn.write("contacts", batch)} == {"created"}
        assert {r.outcome.value for r in conn.write("contacts", batch)} == {"unchanged"}
        assert [r.outcome.value for r in conn.write("contacts", [WriteRequest("k0", {"custom.rank": 9})])] == [
            "updated"
        ]
        assert conn.lookup("contacts", ["k0", "zz"]) == {"k0": {"id": "k0", "first_name": "Ad 0", "custom.rank": 9}}
    assert [json.loads(line)["id"] for line in path.read_bytes().splitlines()] == ["k0", "k1", "k2"]
    with connector(path) as conn:
        assert {r.outcome.value for r in conn.write("contacts", batch[1:])} == {"unchanged"}


def test_a_torn_last_line_is_cut_off_on_the_next_write(tmp_path: Path) -> None:
    path = tmp_path / "torn.jsonl"
    with connector(path) as conn:
        conn.write("contacts", [WriteRequest("a", {"first_name": "A"})])
    with path.open("ab") as handle:
        handle.write(b'{"id":"b","first_na')
    with connector(path) as conn:
        assert [r.outcome.value for r in conn.write("contacts", [WriteRequest("b", {"first_name": "B"})])] == [
            "created"
        ]
    assert [json.loads(line)["id"] for line in path.read_bytes().splitlines()] == ["a", "b"]


def test_discover_lists_the_fields_of_the_first_objects(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(lines({"id": 1, "address": {"city": "Van"}}, {"id": 2, "custom": {"x": 1}}))
    (info,) = connector(path).discover()
    assert list(info.fields) == ["id", "address.city", "custom.x"]
    assert info.fields["address.city"].max_length == 100
