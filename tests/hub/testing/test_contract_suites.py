"""The contract suite run against the built-in SQL connector (PostgreSQL included) and the fake connector."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from pydantic import SecretStr

from hub.connectors.api import ConnectorContext
from hub.connectors.sql.config import SqlConfig
from hub.connectors.sql.connector import SqlConnector
from hub.testing import ConnectorContract, ContractHarness, FakeConfig, FakeConnector

RECORDS = [
    {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "ayse@example.com.tr", "address.city": "İstanbul"},
    {"first_name": "Işıl", "last_name": "Öztürk", "email": "isil@example.com.tr", "address.city": "Şanlıurfa"},
    {"first_name": "Robert", "last_name": "'); DROP TABLE contacts;--", "email": "bobby@example.com"},
    {"first_name": "Çağla", "last_name": "Güneş", "email": "cagla@example.com.tr", "address.city": "Ağrı"},
]


NOT_A_DATE = {"last_name": "Kaya", "birth_date": "not a date"}


class TestFakeConnectorContract(ConnectorContract):
    @pytest.fixture
    def harness(self, tmp_path: Path) -> ContractHarness:
        def make(token: str = "right-token-1234") -> FakeConnector:
            config = FakeConfig(store="contract", page_size=2, token=SecretStr(token),
                                expected_token=SecretStr("right-token-1234"), reject_field="job_title",
                                reject_value="Yasak")
            return FakeConnector(config, ConnectorContext(connection="fake", work_dir=tmp_path))

        return ContractHarness(make=make, stream="contacts", records=RECORDS, secrets=["right-token-1234"],
                               make_unauthorised=lambda: make("wrong-token-9876"),
                               invalid_record={"last_name": "Kaya", "job_title": "Yasak"})


class TestSqliteContract(ConnectorContract):
    @pytest.fixture
    def harness(self, tmp_path: Path) -> ContractHarness:
        def make() -> SqlConnector:
            config = SqlConfig(url=f"sqlite:///{tmp_path / 'contract.db'}", page_size=2)
            return SqlConnector(config, ConnectorContext(connection="warehouse", work_dir=tmp_path))

        return ContractHarness(make=make, stream="contacts", records=RECORDS, invalid_record=NOT_A_DATE)


@pytest.fixture
def postgres_table() -> Iterator[str]:
    table = f"contract_{uuid.uuid4().hex[:10]}"
    yield table
    engine = sqlalchemy.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with engine.begin() as con:
        con.execute(sqlalchemy.text(f'DROP TABLE IF EXISTS "{table}"'))
    engine.dispose()


@pytest.mark.postgres
class TestPostgresContract(ConnectorContract):
    @pytest.fixture
    def harness(self, tmp_path: Path, postgres_table: str) -> ContractHarness:
        def make(password: str | None = "pg-secret-5678") -> SqlConnector:
            config = SqlConfig(url="postgresql://postgres@127.0.0.1:5432/test", table=postgres_table, page_size=2,
                               password=SecretStr(password) if password else None)
            return SqlConnector(config, ConnectorContext(connection="warehouse", work_dir=tmp_path))

        return ContractHarness(make=make, stream="contacts", records=RECORDS, invalid_record=NOT_A_DATE,
                               secrets=["pg-secret-5678"])
