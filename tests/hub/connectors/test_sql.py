"""The sql connector's behaviour on every backend: SQLite always, PostgreSQL and MariaDB on localhost.

The server backends are real servers (marked ``postgres`` / ``mariadb``); a server that is down
makes these tests fail, not skip. Every test works in its own uniquely named table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hub.connectors.api import ConnectorContext
from hub.connectors.sql import SqlConfig, SqlConnector
from hub.errors import SchemaError
from hub.records import Checkpoint, SourceRecord, WriteOutcome, WriteRequest

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
MARIADB_URL = "mariadb://root@127.0.0.1:3306/test"
UTC = dt.UTC
T0 = dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


@dataclass
class Backend:
    """One database to test against, handing out connectors on fresh tables and dropping them after."""

    name: str
    url: str
    work_dir: Path
    admin: sa.Engine
    tables: list[str] = field(default_factory=list)
    connectors: list[SqlConnector] = field(default_factory=list)

    def new_table(self) -> str:
        table = f"crmhub_t_{uuid.uuid4().hex[:12]}"
        self.tables.append(table)
        return table

    def connector(self, **settings: Any) -> SqlConnector:
        settings.setdefault("url", self.url)
        if "query" not in settings:
            settings.setdefault("table", self.tables[-1] if self.tables else self.new_table())
        connector = SqlConnector(SqlConfig(**settings), ConnectorContext("test-sql", self.work_dir))
        connector.open()
        self.connectors.append(connector)
        return connector

    def execute(self, *statements: str) -> None:
        with self.admin.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    def close(self) -> None:
        for connector in self.connectors:
            connector.close()
        with self.admin.begin() as conn:
            for table in self.tables:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        self.admin.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        url, admin_url = "sqlite:///crm.db", f"sqlite:///{tmp_path / 'crm.db'}"
    elif request.param == "postgres":
        url, admin_url = PG_URL, PG_URL.replace("postgresql://", "postgresql+psycopg://")
    else:
        url, admin_url = MARIADB_URL, MARIADB_URL.replace("mariadb://", "mariadb+pymysql://") + "?charset=utf8mb4"
    backend = Backend(request.param, url, tmp_path, sa.create_engine(admin_url))
    yield backend
    backend.close()


def contact(key: str, **fields: Any) -> WriteRequest:
    return WriteRequest(key=key, fields=fields)


def outcomes(results: list[Any]) -> dict[str, str]:
    return {r.key: r.outcome.value for r in results}


def records(items: list[SourceRecord | Checkpoint]) -> list[SourceRecord]:
    return [i for i in items if isinstance(i, SourceRecord)]


def checkpoints(items: list[SourceRecord | Checkpoint]) -> list[Checkpoint]:
    return [i for i in items if isinstance(i, Checkpoint)]


# Table creation and upserts ----------------------------------------------------------------------------
def test_write_creates_the_canonical_table_when_absent(db: Backend) -> None:
    sql = db.connector()
    assert sql.lookup("contacts", ["a"]) == {}  # looking up does not create it
    assert not sa.inspect(db.admin).has_table(db.tables[-1])

    results = sql.write("contacts", [contact("a", first_name="Ayşe", **{"address.city": "İzmir"})])

    assert outcomes(results) == {"a": "created"}
    columns = {c["name"] for c in sa.inspect(db.admin).get_columns(db.tables[-1])}
    assert {"id", "first_name", "address__city", "consent__email", "custom", "updated_at"} <= columns
    info = sql.discover()[0]
    assert info.fields["address.city"].max_length == 100
    assert info.cursor_field == "updated_at"
    assert info.fields["birth_date"].type == "date"


def test_upsert_reports_created_updated_unchanged_exactly(db: Backend) -> None:
    sql = db.connector()
    batch = [contact(f"c{i}", first_name=f"Name {i}", email=f"n{i}@example.com") for i in range(4)]

    assert set(outcomes(sql.write("contacts", batch)).values()) == {"created"}
    assert set(outcomes(sql.write("contacts", batch)).values()) == {"unchanged"}

    batch[1] = contact("c1", first_name="Renamed", email="n1@example.com")
    again = sql.write("contacts", [*batch, contact("c9", first_name="New")])
    assert outcomes(again) == {"c0": "unchanged", "c1": "updated", "c2": "unchanged", "c3": "unchanged",
                               "c9": "created"}
    assert sql.lookup("contacts", ["c1"])["c1"]["first_name"] == "Renamed"


def test_a_key_repeated_in_one_batch_is_created_once_then_updated(db: Backend) -> None:
    sql = db.connector()
    results = sql.write("contacts", [contact("d", first_name="One"), contact("d", first_name="Two"),
                                     contact("d", first_name="Two")])

    assert [r.outcome for r in results] == [WriteOutcome.CREATED, WriteOutcome.UPDATED, WriteOutcome.UNCHANGED]
    assert sql.lookup("contacts", ["d"])["d"]["first_name"] == "Two"


def test_absent_fields_are_left_untouched(db: Backend) -> None:
    sql = db.connector()
    sql.write("contacts", [contact("a", first_name="Ali", email="ali@example.com", **{"custom.tier": "gold"})])

    results = sql.write("contacts", [contact("a", first_name="Veli")])

    assert outcomes(results) == {"a": "updated"}
    row = sql.lookup("contacts", ["a"])["a"]
    assert row["first_name"] == "Veli"
    assert row["email"] == "ali@example.com"
    assert row["custom.tier"] == "gold"


def test_updated_at_is_stamped_on_change_only(db: Backend) -> None:
    sql = db.connector()
    before = dt.datetime.now(UTC).replace(microsecond=0)
    sql.write("contacts", [contact("a", first_name="Ali")])
    stamped = sql.lookup("contacts", ["a"])["a"]["updated_at"]
    assert stamped >= before

    sql.write("contacts", [contact("a", first_name="Ali")])
    assert sql.lookup("contacts", ["a"])["a"]["updated_at"] == stamped

    sql.write("contacts", [contact("a", first_name="Ali", updated_at=T0)])
    assert sql.lookup("contacts", ["a"])["a"]["updated_at"] == T0


# Values ----------------------------------------------------------------------------------------------------
INJECTIONS = [
    "'; DROP TABLE contacts; --",
    "Robert'); DELETE FROM contacts WHERE ('1'='1",
    '" OR 1=1 --',
    "%s %(name)s :name ? \\' \\\\",
]


def test_sql_looking_values_round_trip_verbatim(db: Backend) -> None:
    sql = db.connector()
    batch = [contact(f"x{i}", first_name=value, **{"custom.note": value}) for i, value in enumerate(INJECTIONS)]
    batch.append(contact("'; DROP TABLE x; --", first_name="key with quotes"))

    assert set(outcomes(sql.write("contacts", batch)).values()) == {"created"}

    found = sql.lookup("contacts", [r.key for r in batch])
    for i, value in enumerate(INJECTIONS):
        assert found[f"x{i}"]["first_name"] == value
        assert found[f"x{i}"]["custom.note"] == value
    assert found["'; DROP TABLE x; --"]["first_name"] == "key with quotes"
    assert set(outcomes(sql.write("contacts", batch)).values()) == {"unchanged"}


def test_json_custom_fields_round_trip_and_merge(db: Backend) -> None:
    sql = db.connector()
    sql.write("contacts", [contact("j", **{"custom.segment": "KOBİ", "custom.score": 7, "custom.tags": ["a", "b"],
                                           "external_ids.hubspot": "501"})])
    row = sql.lookup("contacts", ["j"])["j"]
    assert row["custom.segment"] == "KOBİ"
    assert row["custom.score"] == 7
    assert row["custom.tags"] == ["a", "b"]
    assert row["external_ids.hubspot"] == "501"

    assert outcomes(sql.write("contacts", [contact("j", **{"custom.score": 7})])) == {"j": "unchanged"}
    assert outcomes(sql.write("contacts", [contact("j", **{"custom.score": 8, "custom.tags": None})])) == {
        "j": "updated"}
    row = sql.lookup("contacts", ["j"])["j"]
    assert row["custom.score"] == 8
    assert row["custom.segment"] == "KOBİ"
    assert "custom.tags" not in row


def test_turkish_text_round_trips(db: Backend) -> None:
    sql = db.connector()
    names = {"first_name": "İlkay Işıl", "last_name": "ŞÜKRÜOĞLU Çağrı", "address.city": "Ağrı 🌄",
             "custom.not": "ığüşöç İĞÜŞÖÇ"}
    sql.write("contacts", [contact("t", **names)])

    row = sql.lookup("contacts", ["t"])["t"]
    assert {k: row[k] for k in names} == names
    read = records(list(sql.read("contacts", None)))
    assert read[0].data["last_name"] == "ŞÜKRÜOĞLU Çağrı"
    assert outcomes(sql.write("contacts", [contact("t", **names)])) == {"t": "unchanged"}


def test_datetimes_are_stored_in_utc_and_naive_ones_taken_as_utc(db: Backend) -> None:
    sql = db.connector()
    istanbul = dt.timezone(dt.timedelta(hours=3))
    sql.write("contacts", [
        contact("aware", created_at=dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=istanbul)),
        contact("naive", created_at=dt.datetime(2024, 5, 1, 12, 0)),
        contact("text", created_at="2024-05-01T12:00:00Z", birth_date="1990-02-28"),
    ])

    rows = sql.lookup("contacts", ["aware", "naive", "text"])
    assert rows["aware"]["created_at"] == dt.datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert rows["aware"]["created_at"].utcoffset() == dt.timedelta(0)
    assert rows["naive"]["created_at"] == dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert rows["text"]["created_at"] == dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert rows["text"]["birth_date"] == dt.date(1990, 2, 28)
    same_instant = dt.datetime(2024, 5, 1, 15, 0, tzinfo=istanbul)
    assert outcomes(sql.write("contacts", [contact("naive", created_at=same_instant)])) == {"naive": "unchanged"}


def test_a_column_keeping_whole_seconds_does_not_make_every_write_a_change(db: Backend) -> None:
    table = db.new_table()
    db.execute(f"CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, created_at TIMESTAMP(0) NULL, "
               f"updated_at TIMESTAMP(6) NULL)")
    sql = db.connector(table=table)
    moment = dt.datetime(2024, 5, 1, 12, 0, 0, 654321, tzinfo=UTC)

    assert outcomes(sql.write("contacts", [contact("s", created_at=moment)])) == {"s": "created"}
    assert outcomes(sql.write("contacts", [contact("s", created_at=moment)])) == {"s": "unchanged"}

    stored = sql.lookup("contacts", ["s"])["s"]["created_at"]
    assert stored.replace(microsecond=0) == moment.replace(microsecond=0)
    assert stored.utcoffset() == dt.timedelta(0)


def test_typed_values_compare_exactly(db: Backend) -> None:
    sql = db.connector()
    fields = {"consent.processing_restricted": "true", "birth_date": dt.date(1985, 1, 31), "language": "tr"}
    sql.write("contacts", [contact("v", **fields)])

    row = sql.lookup("contacts", ["v"])["v"]
    assert row["consent.processing_restricted"] is True
    assert row["birth_date"] == dt.date(1985, 1, 31)
    assert outcomes(sql.write("contacts", [contact("v", **{**fields, "consent.processing_restricted": True})])) \
        == {"v": "unchanged"}


# Failures ------------------------------------------------------------------------------------------------
def test_a_rejected_row_fails_alone_and_the_rest_is_written(db: Backend) -> None:
    table = db.new_table()
    db.execute(f"CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100) NOT NULL, "
               f"email VARCHAR(254), updated_at TIMESTAMP NULL)")
    sql = db.connector(table=table)
    batch = [contact("ok1", first_name="A"), contact("bad", first_name=None, email="b@example.com"),
             contact("ok2", first_name="C"), contact("bad-date", first_name="D", updated_at="31/12/2024")]

    results = sql.write("contacts", batch)

    assert outcomes(results) == {"ok1": "created", "bad": "failed", "ok2": "created", "bad-date": "failed"}
    failed = {r.key: r for r in results if r.outcome is WriteOutcome.FAILED}
    assert {r.code for r in failed.values()} == {"db_rejected"}
    assert f"{table} id=bad" in (failed["bad"].message or "")
    assert "b@example.com" not in (failed["bad"].message or "")
    assert "updated_at" in (failed["bad-date"].message or "")
    assert set(sql.lookup("contacts", ["ok1", "ok2", "bad"])) == {"ok1", "ok2"}


def test_several_rejected_rows_in_a_large_batch_are_each_found(db: Backend) -> None:
    table = db.new_table()
    db.execute(f"CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100) NOT NULL, "
               f"updated_at TIMESTAMP NULL)")
    sql = db.connector(table=table)
    bad = {"k007", "k031", "k032", "k099"}
    batch = [contact(f"k{i:03d}", first_name=None if f"k{i:03d}" in bad else "ok") for i in range(100)]
    batch.append(contact("k001", first_name="again"))  # a repeated key keeps its order after the split

    results = sql.write("contacts", batch)

    assert len(results) == len(batch)
    assert {r.key for r in results if r.outcome is WriteOutcome.FAILED} == bad
    assert [r.outcome.value for r in results if r.key == "k001"] == ["created", "updated"]
    assert len(sql.lookup("contacts", [r.key for r in batch])) == 96
    assert sql.lookup("contacts", ["k001"])["k001"]["first_name"] == "again"


def test_a_field_without_a_column_is_a_schema_error(db: Backend) -> None:
    sql = db.connector()
    with pytest.raises(SchemaError, match="favourite_colour"):
        sql.write("contacts", [contact("a", favourite_colour="blue")])


def test_missing_table_without_create_table_is_a_schema_error(db: Backend) -> None:
    sql = db.connector(create_table=False)
    with pytest.raises(SchemaError, match="does not exist"):
        sql.write("contacts", [contact("a", first_name="A")])
    result = sql.check()
    assert not result.ok
    assert "does not exist" in result.problems[0]


# Lookup and delete ---------------------------------------------------------------------------------------
def test_lookup_returns_current_values_of_existing_keys_only(db: Backend) -> None:
    sql = db.connector()
    sql.write("contacts", [contact("a", first_name="A", **{"address.city": "Bursa"}), contact("b", first_name="B")])

    found = sql.lookup("contacts", ["a", "b", "missing", "a"])

    assert set(found) == {"a", "b"}
    assert found["a"]["address.city"] == "Bursa"
    assert found["a"]["id"] == "a"


def test_delete_removes_rows_and_is_idempotent(db: Backend) -> None:
    sql = db.connector()
    sql.write("contacts", [contact("a", first_name="A"), contact("b", first_name="B")])

    assert outcomes(sql.delete("contacts", ["a", "zz"])) == {"a": "deleted", "zz": "unchanged"}
    assert outcomes(sql.delete("contacts", ["a"])) == {"a": "unchanged"}
    assert set(sql.lookup("contacts", ["a", "b"])) == {"b"}


# Incremental reading ----------------------------------------------------------------------------------
def _seed(sql: SqlConnector, count: int, at: dt.datetime, prefix: str = "r") -> list[str]:
    keys = [f"{prefix}{i:03d}" for i in range(count)]
    sql.write("contacts", [contact(k, first_name=k, updated_at=at) for k in keys])
    return keys


def test_equal_timestamps_across_page_boundaries_are_neither_missed_nor_repeated(db: Backend) -> None:
    sql = db.connector(page_size=3)
    keys = _seed(sql, 8, T0) + _seed(sql, 2, T0 + dt.timedelta(seconds=1), prefix="s")

    items = list(sql.read("contacts", None))

    assert [r.id for r in records(items)] == keys
    cps = checkpoints(items)
    assert len(cps) == 4
    assert cps[0].cursor == {"updated_at": T0.isoformat(), "id": "r002"}
    assert cps[-1].cursor == {"updated_at": (T0 + dt.timedelta(seconds=1)).isoformat(), "id": "s001"}
    assert all(r.ref == f"{db.tables[-1]} id={r.id}" and r.updated_at is not None for r in records(items))


def test_resuming_from_any_checkpoint_yields_exactly_the_remaining_records(db: Backend) -> None:
    sql = db.connector(page_size=4)
    keys = _seed(sql, 10, T0)
    items = list(sql.read("contacts", None))

    for position, item in enumerate(items):
        if isinstance(item, Checkpoint):
            seen = [r.id for r in records(items[:position])]
            rest = [r.id for r in records(list(sql.read("contacts", item)))]
            assert seen + rest == keys


def test_a_later_run_reads_only_what_changed_since_its_checkpoint(db: Backend) -> None:
    sql = db.connector()
    _seed(sql, 5, T0)
    last = checkpoints(list(sql.read("contacts", None)))[-1]

    later = T0 + dt.timedelta(minutes=5)
    sql.write("contacts", [contact("r001", first_name="changed", updated_at=later),
                           contact("new", first_name="new", updated_at=later)])
    items = list(sql.read("contacts", last))

    assert [r.id for r in records(items)] == ["new", "r001"]
    assert records(items)[1].data["first_name"] == "changed"
    assert records(list(sql.read("contacts", checkpoints(items)[-1]))) == []


def test_overlap_picks_up_a_late_commit_without_repeating_the_cursor_row(db: Backend) -> None:
    plain = db.connector()
    _seed(plain, 3, T0)
    last = checkpoints(list(plain.read("contacts", None)))[-1]
    late = T0 - dt.timedelta(seconds=5)
    plain.write("contacts", [contact("late", first_name="late", updated_at=late)])

    assert records(list(plain.read("contacts", last))) == []
    overlapping = db.connector(table=db.tables[-1], overlap_seconds=10)
    items = list(overlapping.read("contacts", last))

    ids = [r.id for r in records(items)]
    assert "late" in ids
    assert "r002" not in ids  # the row at the cursor itself
    assert checkpoints(items)[-1].cursor == last.cursor  # never moves backwards


def test_rows_without_updated_at_are_read_first_by_id(db: Backend) -> None:
    table = db.new_table()
    db.execute(
        f"CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100), updated_at TIMESTAMP NULL)",
        f"INSERT INTO {table} (id, first_name, updated_at) VALUES ('n2', 'x', NULL), ('n1', 'x', NULL), "
        f"('n3', 'x', NULL), ('t1', 'x', '2024-01-01 00:00:00')",
    )
    sql = db.connector(table=table, page_size=2)

    items = list(sql.read("contacts", None))

    assert [r.id for r in records(items)] == ["n1", "n2", "n3", "t1"]
    assert checkpoints(items)[0].cursor == {"updated_at": None, "id": None, "null_after": "n2"}
    resumed = list(sql.read("contacts", checkpoints(items)[0]))
    assert [r.id for r in records(resumed)] == ["n3", "t1"]
    final = checkpoints(items)[-1]
    assert "null_after" not in final.cursor
    assert [r.id for r in records(list(sql.read("contacts", final)))] == ["n1", "n2", "n3"]
    once = db.connector(table=table, reread_null_updated_at=False)
    assert records(list(once.read("contacts", final))) == []


def _table_with_broken_json(db: Backend, last_row: str) -> str:
    """A table whose row ``b`` holds JSON that cannot be read, after row ``a`` and before ``last_row``."""
    table = db.new_table()
    db.execute(
        f"CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100), custom TEXT, "
        f"updated_at TIMESTAMP NULL)",
        f"INSERT INTO {table} (id, first_name, custom, updated_at) VALUES "
        f"('a', 'A', '{{\"k\": 1}}', '2024-01-01 00:00:00'), ('b', 'B', '{{broken', '2024-01-01 00:00:01'), "
        f"{last_row}",
    )
    return table


def test_an_unreadable_stored_value_makes_a_malformed_record_and_can_be_overwritten(db: Backend) -> None:
    table = _table_with_broken_json(db, "('c', 'C', NULL, '2024-01-01 00:00:02')")
    sql = db.connector(table=table, page_size=2)

    read = records(list(sql.read("contacts", None)))

    assert [r.id for r in read] == ["a", "b", "c"]
    broken = read[1]
    assert broken.error is not None
    assert (broken.error.field, broken.error.code) == ("custom", "value_unreadable")
    assert broken.ref == f"{table} id=b"
    assert broken.data == {}
    assert read[0].data["custom.k"] == 1
    assert read[2].error is None
    assert outcomes(sql.write("contacts", [contact("b", **{"custom.k": 2})])) == {"b": "updated"}
    assert sql.lookup("contacts", ["b"])["b"]["custom.k"] == 2


def test_a_snapshot_holds_every_row_once_unreadable_and_untimed_ones_included(db: Backend) -> None:
    table = _table_with_broken_json(db, "('n', 'Işıl', NULL, NULL)")
    sql = db.connector(table=table, page_size=1)

    snapshot = {r.id: r for r in sql.snapshot("contacts")}
    read = {r.id: r for r in records(list(sql.read("contacts", None)))}

    assert sorted(snapshot) == sorted(read) == ["a", "b", "n"]
    assert snapshot["a"].data == read["a"].data
    assert snapshot["a"].data["custom.k"] == 1
    assert snapshot["a"].updated_at == read["a"].updated_at == dt.datetime(2024, 1, 1, tzinfo=UTC)
    broken = snapshot["b"]
    assert broken.error is not None
    assert (broken.error.code, broken.ref, broken.data) == ("value_unreadable", f"{table} id=b", {})
    assert (snapshot["n"].data["first_name"], snapshot["n"].updated_at) == ("Işıl", None)
    query = db.connector(query=f"SELECT id, first_name FROM {table} WHERE id <> 'b'")
    assert sorted(r.id for r in query.snapshot("contacts")) == ["a", "n"]


def test_each_page_seeks_the_timestamp_index_on_both_columns(tmp_path: Path) -> None:
    """Pages after the first start at ``(updated_at, id)`` in the index, not at every row of that timestamp."""
    backend = Backend("sqlite", "sqlite:///crm.db", tmp_path, sa.create_engine(f"sqlite:///{tmp_path / 'crm.db'}"))
    try:
        sql = backend.connector(page_size=2)
        _seed(sql, 5, T0)
        pages: list[tuple[str, Any]] = []
        sa.event.listen(sql.engine, "before_cursor_execute",
                        lambda _c, _cur, statement, params, *_: pages.append((statement, params)))
        assert len(records(list(sql.read("contacts", None)))) == 5
        seeks = [(s, p) for s, p in pages if "ORDER BY updated_at" in s and "(updated_at, id) >" in s]
        assert len(seeks) == 2  # pages 2 and 3
        with backend.admin.connect() as conn:
            for statement, params in seeks:
                plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
                assert "(updated_at,id)>(?,?)" in plan, (statement, plan)
    finally:
        backend.close()


def test_a_table_without_updated_at_is_read_by_id(db: Backend) -> None:
    table = db.new_table()
    db.execute(f"CREATE TABLE {table} (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100))",
               f"INSERT INTO {table} (id, first_name) VALUES ('b', 'B'), ('a', 'A'), ('c', 'C')")
    sql = db.connector(table=table, page_size=2)

    items = list(sql.read("contacts", None))

    assert [r.id for r in records(items)] == ["a", "b", "c"]
    assert checkpoints(items)[-1].cursor == {"id": "c"}
    assert records(items)[0].updated_at is None
    assert records(list(sql.read("contacts", checkpoints(items)[0]))) == records(items)[2:]


def test_a_query_is_read_incrementally_and_cannot_be_written(db: Backend) -> None:
    sql = db.connector()
    _seed(sql, 4, T0)
    query = db.connector(query=f"SELECT id, first_name, updated_at FROM {db.tables[-1]} WHERE id <> 'r001'",
                         page_size=2)

    items = list(query.read("contacts", None))

    assert [r.id for r in records(items)] == ["r000", "r002", "r003"]
    assert records(items)[0].ref == "query id=r000"
    assert records(items)[0].updated_at == T0
    assert set(query.discover()[0].fields) == {"id", "first_name", "updated_at"}
    with pytest.raises(Exception, match="cannot be written"):
        query.write("contacts", [contact("x", first_name="x")])
