"""Testing kit for connectors and pipelines: the contract suite, a fake connector with faults, run helpers."""

from hub.testing.contract import ConnectorContract, ContractHarness
from hub.testing.fake import FakeConfig, FakeConnector, fake_calls, fake_store, put_records, reset_fake_stores
from hub.testing.runs import run_migration, write_config

__all__ = [
    "ConnectorContract",
    "ContractHarness",
    "FakeConfig",
    "FakeConnector",
    "fake_calls",
    "fake_store",
    "put_records",
    "reset_fake_stores",
    "run_migration",
    "write_config",
]
