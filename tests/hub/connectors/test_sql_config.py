"""The sql connector's configuration, URL handling, registration and SQLite set-up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pydantic
import pytest

from hub.connectors.api import Capability, ConnectorContext
from hub.connectors.sql import SqlConfig, SqlConnector
from hub.connectors.sql.config import display_url, engine_url
from hub.plugins import PluginHost
from hub.records import Checkpoint, SourceRecord, WriteRequest


def url_of(**settings: object) -> str:
    return engine_url(SqlConfig(**settings), Path("/srv/crm")).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@db/crm", "postgresql+psycopg://u@db/crm"),
        ("postgres://u@db/crm", "postgresql+psycopg://u@db/crm"),
        ("mysql://u@db/crm", "mysql+pymysql://u@db/crm?charset=utf8mb4"),
        ("mariadb://u@db/crm", "mariadb+pymysql://u@db/crm?charset=utf8mb4"),
        ("mariadb://u@db/crm?charset=latin5", "mariadb+pymysql://u@db/crm?charset=latin5"),
        ("postgresql+psycopg2://u@db/crm", "postgresql+psycopg2://u@db/crm"),
        ("sqlite:///crm.db", "sqlite:////srv/crm/crm.db"),
        ("sqlite:///data/../crm.db", "sqlite:////srv/crm/crm.db"),
        ("sqlite:////var/lib/crm.db", "sqlite:////var/lib/crm.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_url_gets_its_driver_and_absolute_sqlite_path(given: str, expected: str) -> None:
    assert url_of(url=given) == expected


def test_password_is_merged_into_the_url_but_never_displayed() -> None:
    config = SqlConfig(url="postgresql://crm@db.example/crm", password=pydantic.SecretStr("s3cr3t-Pa55"))
    url = engine_url(config, None)

    assert url.password == "s3cr3t-Pa55"
    assert "s3cr3t-Pa55" not in display_url(url)
    assert "s3cr3t-Pa55" not in repr(config)


@pytest.mark.parametrize(
    "query",
    ["DELETE FROM contacts", "SELECT 1; DROP TABLE contacts", "UPDATE contacts SET x = 1", "  "],
)
def test_query_must_be_one_select(query: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="read-only SELECT"):
        SqlConfig(url="sqlite:///x.db", query=query)


def test_query_may_start_with_comments_or_with_and_loses_its_semicolon() -> None:
    config = SqlConfig(url="sqlite:///x.db", query="-- active ones\nWITH a AS (SELECT 1 AS id) SELECT * FROM a;")
    assert config.query == "-- active ones\nWITH a AS (SELECT 1 AS id) SELECT * FROM a"


def test_unknown_keys_are_refused_and_schema_is_accepted() -> None:
    with pytest.raises(pydantic.ValidationError, match="tabel"):
        SqlConfig.model_validate({"url": "sqlite:///x.db", "tabel": "contacts"})
    assert SqlConfig.model_validate({"url": "sqlite:///x.db", "schema": "crm"}).db_schema == "crm"


def test_the_plugin_registers_the_sql_connector() -> None:
    host = PluginHost.start(builtins=("hub.connectors.sql.plugin",), entry_points=False)

    cls = host.connectors.get("sql")

    assert cls is SqlConnector
    assert {Capability.READ, Capability.WRITE, Capability.INCREMENTAL, Capability.LOOKUP, Capability.DELETE} \
        <= cls.capabilities


def test_relative_sqlite_file_lands_in_the_work_dir_in_wal_mode(tmp_path: Path) -> None:
    sql = SqlConnector(SqlConfig(url="sqlite:///sub/crm.db"), ConnectorContext("t", tmp_path))
    (tmp_path / "sub").mkdir()
    with sql:
        sql.write("contacts", [WriteRequest("a", {"first_name": "Ayşe"})])

    database = tmp_path / "sub" / "crm.db"
    assert database.exists()
    with sqlite3.connect(database) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT first_name FROM contacts WHERE id = 'a'").fetchone()[0] == "Ayşe"


def test_check_reports_an_absent_table_that_will_be_created(tmp_path: Path) -> None:
    sql = SqlConnector(SqlConfig(url="sqlite:///crm.db"), ConnectorContext("t", tmp_path))

    result = sql.check()

    assert result.ok
    assert "created" in result.details["table_status"]
    assert [s.name for s in sql.discover()] == ["contacts"]
    assert "address.city" in sql.discover()[0].fields


def test_companies_stream_gets_its_own_canonical_columns(tmp_path: Path) -> None:
    sql = SqlConnector(SqlConfig(url="sqlite:///crm.db", table="companies", stream="companies"),
                       ConnectorContext("t", tmp_path))
    sql.write("companies", [WriteRequest("c1", {"name": "Anadolu A.Ş.", "annual_revenue.amount": "1250000.5",
                                                "tax_id.value": "1234567890"})])

    row = sql.lookup("companies", ["c1"])["c1"]

    assert row["name"] == "Anadolu A.Ş."
    assert str(row["annual_revenue.amount"]) == "1250000.50"
    assert sql.write("companies", [WriteRequest("c1", {"annual_revenue.amount": 1250000.5})])[0].outcome == \
        "unchanged"


def test_another_stream_name_is_refused(tmp_path: Path) -> None:
    sql = SqlConnector(SqlConfig(url="sqlite:///crm.db"), ConnectorContext("t", tmp_path))
    with pytest.raises(Exception, match="provides stream 'contacts', not 'companies'"):
        sql.lookup("companies", ["x"])


def test_a_sqlite_text_timestamp_that_is_no_timestamp_is_reported_not_fatal(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "crm.db") as raw:
        raw.execute("CREATE TABLE people (id TEXT PRIMARY KEY, first_name TEXT, updated_at TEXT)")
        raw.executemany("INSERT INTO people VALUES (?, ?, ?)", [
            ("a", "A", "2024-01-01 10:00:00.000000"), ("b", "B", "yesterday"), ("c", "C", "2024-01-02T10:00:00Z")])
    sql = SqlConnector(SqlConfig(url="sqlite:///crm.db", table="people"), ConnectorContext("t", tmp_path))

    items = list(sql.read("contacts", None))

    by_id = {item.id: item for item in items if isinstance(item, SourceRecord)}
    assert set(by_id) == {"a", "b", "c"}
    error = by_id["b"].error
    assert error is not None
    assert error.field == "updated_at"
    assert by_id["c"].updated_at is not None
    last = items[-1]
    assert isinstance(last, Checkpoint)
    assert last.cursor["id"] == "c"
