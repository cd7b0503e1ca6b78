"""How the sql connector classifies database errors, and that no password or value leaks into messages."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg.errors
import pydantic
import pymysql.err
import pytest
import sqlalchemy as sa

from hub.connectors.api import ConnectorContext
from hub.connectors.sql import SqlConfig, SqlConnector
from hub.connectors.sql.failures import Failure, as_hub_error, classify, safe_reason
from hub.errors import AuthError, ConfigError, RetriableError, SchemaError
from hub.records import WriteOutcome, WriteRequest

PASSWORD = "Gizli-Parola-7319"


def wrapped(orig: BaseException, kind: type[sa.exc.DBAPIError] = sa.exc.OperationalError) -> sa.exc.DBAPIError:
    return kind("INSERT INTO contacts VALUES (?)", ["ali@example.com"], orig)


@pytest.mark.parametrize(
    ("orig", "kind", "expected"),
    [
        (sqlite3.OperationalError("database is locked"), sa.exc.OperationalError, Failure.RETRIABLE),
        (sqlite3.OperationalError("no such table: contacts"), sa.exc.OperationalError, Failure.SCHEMA),
        (sqlite3.IntegrityError("NOT NULL constraint failed: t.x"), sa.exc.IntegrityError, Failure.REJECTED),
        (psycopg.errors.SerializationFailure("could not serialize"), sa.exc.OperationalError, Failure.RETRIABLE),
        (psycopg.errors.DeadlockDetected("deadlock detected"), sa.exc.OperationalError, Failure.RETRIABLE),
        (psycopg.errors.UndefinedTable("relation does not exist"), sa.exc.ProgrammingError, Failure.SCHEMA),
        (psycopg.errors.StringDataRightTruncation("value too long"), sa.exc.DataError, Failure.REJECTED),
        (psycopg.errors.InvalidPassword("password authentication failed"), sa.exc.OperationalError, Failure.AUTH),
        (pymysql.err.OperationalError(1213, "Deadlock found"), sa.exc.OperationalError, Failure.RETRIABLE),
        (pymysql.err.OperationalError(1205, "Lock wait timeout"), sa.exc.OperationalError, Failure.RETRIABLE),
        (pymysql.err.OperationalError(2003, "Can't connect"), sa.exc.OperationalError, Failure.RETRIABLE),
        (pymysql.err.OperationalError(1045, "Access denied"), sa.exc.OperationalError, Failure.AUTH),
        (pymysql.err.DataError(1406, "Data too long for column 'email'"), sa.exc.DataError, Failure.REJECTED),
        (pymysql.err.ProgrammingError(1146, "Table 'x' doesn't exist"), sa.exc.ProgrammingError, Failure.SCHEMA),
    ],
)
def test_database_errors_are_classified_by_what_to_do_next(
    orig: BaseException, kind: type[sa.exc.DBAPIError], expected: Failure
) -> None:
    assert classify(wrapped(orig, kind)) is expected


def test_hub_errors_follow_the_classification() -> None:
    assert isinstance(as_hub_error(wrapped(sqlite3.OperationalError("database is locked")), "w"), RetriableError)
    assert isinstance(as_hub_error(wrapped(pymysql.err.OperationalError(1045, "no")), "w"), AuthError)
    assert isinstance(as_hub_error(wrapped(pymysql.err.OperationalError(1049, "no")), "w"), ConfigError)
    assert isinstance(as_hub_error(wrapped(psycopg.errors.UndefinedColumn("c")), "w"), SchemaError)


@pytest.mark.parametrize(
    "orig",
    [
        pymysql.err.IntegrityError(1062, "Duplicate entry 'ali@example.com' for key 'email'"),
        pymysql.err.DataError(1366, "Incorrect string value: '\\xF0\\x9F' for column `first_name` at row 1"),
        psycopg.errors.InvalidDatetimeFormat('invalid input syntax for type date: "ali@example.com"'),
    ],
)
def test_reasons_keep_the_cause_but_not_the_value(orig: BaseException) -> None:
    reason = safe_reason(wrapped(orig, sa.exc.DataError))

    assert "ali@example.com" not in reason
    assert "\\xF0" not in reason
    assert "INSERT" not in reason  # never SQLAlchemy's statement text either
    assert reason


@pytest.mark.postgres
def test_an_unreachable_server_is_retriable_and_never_shows_the_password(tmp_path: Path) -> None:
    config = SqlConfig(url="postgresql://crm@127.0.0.1:1/crm", password=pydantic.SecretStr(PASSWORD))
    sql = SqlConnector(config, ConnectorContext("t", tmp_path))

    with pytest.raises(RetriableError) as caught:
        sql.lookup("contacts", ["a"])
    assert PASSWORD not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)
    problems = sql.check().problems
    assert problems
    assert all(PASSWORD not in p for p in problems)


@pytest.mark.postgres
def test_a_missing_postgres_database_is_a_config_error(tmp_path: Path) -> None:
    sql = SqlConnector(SqlConfig(url=f"postgresql://postgres@127.0.0.1:5432/no_such_{uuid.uuid4().hex[:8]}"),
                       ConnectorContext("t", tmp_path))
    with pytest.raises(ConfigError, match="does not exist"):
        sql.lookup("contacts", ["a"])


@pytest.mark.mariadb
def test_a_rejected_password_is_an_auth_error_without_the_password(tmp_path: Path) -> None:
    config = SqlConfig(url="mariadb://crmhub_nobody@127.0.0.1:3306/test", password=pydantic.SecretStr(PASSWORD))
    sql = SqlConnector(config, ConnectorContext("t", tmp_path))

    with pytest.raises(AuthError) as caught:
        sql.write("contacts", [WriteRequest("a", {"first_name": "A"})])
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in (caught.value.detail or "")
    assert not sql.check().ok


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres),
                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def strict_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlConnector]:
    url = "postgresql://postgres@127.0.0.1:5432/test" if request.param == "postgres" \
        else "mariadb://root@127.0.0.1:3306/test"
    sql = SqlConnector(SqlConfig(url=url, table=f"crmhub_e_{uuid.uuid4().hex[:12]}"), ConnectorContext("t", tmp_path))
    yield sql
    with sql.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {sql.settings.table}")
    sql.close()


def test_a_value_too_long_for_a_strict_server_fails_only_its_record(strict_server: SqlConnector) -> None:
    sql = strict_server
    results = sql.write("contacts", [WriteRequest("ok", {"language": "tr"}),
                                     WriteRequest("long", {"language": "x" * 40}),
                                     WriteRequest("ok2", {"language": "en-GB"})])

    by_key = {r.key: r for r in results}
    assert by_key["ok"].outcome is WriteOutcome.CREATED
    assert by_key["ok2"].outcome is WriteOutcome.CREATED
    assert by_key["long"].outcome is WriteOutcome.FAILED
    assert by_key["long"].code == "db_rejected"
    assert "x" * 40 not in (by_key["long"].message or "")
    assert set(sql.lookup("contacts", ["ok", "long", "ok2"])) == {"ok", "ok2"}


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres),
                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def own_schema(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A uniquely named schema (a database on MariaDB) on a real server, dropped afterwards."""
    schema = f"crmhub_s_{uuid.uuid4().hex[:10]}"
    if request.param == "postgres":
        url, admin = "postgresql://postgres@127.0.0.1:5432/test", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    else:
        url, admin = "mariadb://root@127.0.0.1:3306/test", "mariadb+pymysql://root@127.0.0.1:3306/test"
    engine = sa.create_engine(admin)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE {'SCHEMA' if request.param == 'postgres' else 'DATABASE'} {schema}")
    yield url, schema
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP {'SCHEMA' if request.param == 'postgres' else 'DATABASE'} {schema}"
                             f"{' CASCADE' if request.param == 'postgres' else ''}")
    engine.dispose()


def test_a_table_in_its_own_schema_is_created_written_and_read(own_schema: tuple[str, str], tmp_path: Path) -> None:
    url, schema = own_schema
    sql = SqlConnector(SqlConfig.model_validate({"url": url, "schema": schema}), ConnectorContext("t", tmp_path))
    try:
        results = sql.write("contacts", [WriteRequest("a", {"first_name": "Şule"})])
        assert results[0].outcome is WriteOutcome.CREATED
        assert sql.discover()[0].native_name == f"{schema}.contacts"
        read = [item for item in sql.read("contacts", None) if not hasattr(item, "cursor")]
        assert [getattr(r, "id", None) for r in read] == ["a"]
        missing = SqlConnector(SqlConfig.model_validate({"url": url, "schema": schema + "_x"}),
                               ConnectorContext("t", tmp_path))
        with pytest.raises((SchemaError, ConfigError), match=schema + "_x"):
            missing.write("contacts", [WriteRequest("a", {"first_name": "x"})])
        missing.close()
    finally:
        sql.close()
