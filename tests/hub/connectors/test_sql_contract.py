"""The connector contract suite run against the sql connector on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest
import sqlalchemy as sa

from hub.connectors.api import ConnectorContext
from hub.connectors.sql import SqlConfig, SqlConnector
from hub.testing import ConnectorContract, ContractHarness

PASSWORD = "Yanlis-Parola-4821"
RECORDS = [
    {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "ayse@example.com.tr", "address.city": "İzmir",
     "custom.segment": "KOBİ"},
    {"first_name": "İsmail", "last_name": "Öztürk", "email": "ismail@example.com.tr", "birth_date": "1980-02-29"},
    {"first_name": "Çağla", "last_name": "Şen", "phone": "+905321234567", "consent.email": "granted"},
]
URLS = {
    "postgres": "postgresql://postgres@127.0.0.1:5432/test",
    "mariadb": "mariadb://root@127.0.0.1:3306/test",
}


def _same(written: dict[str, Any], found: dict[str, Any]) -> bool:
    return all(str(found.get(k)) == str(v) for k, v in written.items())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def sql_harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContractHarness]:
    table = f"crmhub_c_{uuid.uuid4().hex[:12]}"
    url = URLS.get(request.param, "sqlite:///contract.db")
    context = ConnectorContext("contract", tmp_path)

    def make() -> SqlConnector:
        return SqlConnector(SqlConfig(url=url, table=table, page_size=2), context)

    def make_unauthorised() -> SqlConnector:
        return SqlConnector(SqlConfig(url=URLS["mariadb"].replace("root@", "crmhub_nobody@"), table=table,
                                      password=pydantic.SecretStr(PASSWORD)), context)

    yield ContractHarness(
        make=make, stream="contacts", records=RECORDS, secrets=[PASSWORD], compare=_same,
        make_unauthorised=make_unauthorised if request.param == "mariadb" else None,
        invalid_record={"first_name": "Geçersiz", "birth_date": "31.02.1990"},
    )
    if request.param != "sqlite":
        engine = make().engine
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


class TestSqlContacts(ConnectorContract):
    """Every contract test, once per backend."""

    @pytest.fixture
    def harness(self, sql_harness: ContractHarness) -> ContractHarness:
        return sql_harness
