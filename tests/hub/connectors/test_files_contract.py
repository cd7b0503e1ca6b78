"""Both file connectors pass the connector contract suite every connector runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.connectors.api import ConnectorContext
from hub.connectors.files import CsvConfig, CsvConnector, JsonlConfig, JsonlConnector
from hub.testing.contract import ConnectorContract, ContractHarness

RECORDS = [
    {"first_name": "Işıl", "last_name": "Öztürk", "email": "isil@example.com.tr", "address.city": "Şişli"},
    {"first_name": "Ağrı", "last_name": "Çelik", "phone": "+905321234567", "custom.note": "=1+2"},
    {"first_name": "Gülşen", "last_name": "Ünal", "custom.balance": "-12.50"},
]


class TestCsvContract(ConnectorContract):
    @pytest.fixture
    def harness(self, tmp_path: Path) -> ContractHarness:
        context = ConnectorContext(connection="csv", work_dir=tmp_path)
        config = CsvConfig(path=tmp_path / "contacts.csv", checkpoint_every=2)
        return ContractHarness(
            make=lambda: CsvConnector(config, context),
            stream="contacts",
            records=RECORDS,
            invalid_record={"first_name": "NUL\0byte"},
        )


class TestJsonlContract(ConnectorContract):
    @pytest.fixture
    def harness(self, tmp_path: Path) -> ContractHarness:
        context = ConnectorContext(connection="jsonl", work_dir=tmp_path)
        config = JsonlConfig(path=tmp_path / "contacts.jsonl", checkpoint_every=2, max_field_bytes=1024)
        return ContractHarness(
            make=lambda: JsonlConnector(config, context),
            stream="contacts",
            records=RECORDS,
            invalid_record={"custom.blob": "x" * 2000},
        )
