"""Connections: clear failures, transient trouble as RetriableError, several processes on one SQLite file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from hub.errors import FatalError, RetriableError
from hub.state import StateStore, StoreKeys
from hub.state import database as database_module
from hub.state.migrate import VERSION_TABLE


def test_unreachable_postgres_is_a_fatal_error_without_the_password(keys: StoreKeys) -> None:
    with pytest.raises(FatalError, match="cannot open the state store at postgresql://crm:") as caught:
        StateStore.open("postgresql://crm:S3cretPw@127.0.0.1:1/test", keys)
    assert "S3cretPw" not in str(caught.value)


def test_store_written_by_a_newer_crmhub_is_refused(sqlite_url: str, keys: StoreKeys) -> None:
    with StateStore.open(sqlite_url, keys) as store, store.engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999_future'"))
    with pytest.raises(FatalError, match="revision 9999_future, which this crmhub does not know"):
        StateStore.open(sqlite_url, keys)


def test_sqlite_busy_beyond_the_timeout_is_retriable(
    sqlite_url: str, keys: StoreKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_S", 0.05)
    with StateStore.open(sqlite_url, keys) as store:
        blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(RetriableError, match="state store busy") as caught:
                store.kv_set("ns", "k", "v")
            assert caught.value.retry_after == 1.0
            assert store.kv_get("ns", "k") is None, "readers are not blocked by a writer in WAL mode"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.kv_set("ns", "k", "v")
        assert store.kv_get("ns", "k") == "v"


_WORKER = """
import sys
from hub.errors import LeaseHeldError
from hub.state import AuditEvent, StateStore, StoreKeys

with StateStore.open(sys.argv[1], StoreKeys.ephemeral()) as store:
    try:
        print("token", store.acquire_lease("nightly", f"worker-{sys.argv[2]}", 600))
    except LeaseHeldError:
        print("held")
    for i in range(20):
        store.audit_many([AuditEvent("record.updated", f"{i:032x}", {"worker": sys.argv[2]})])
"""


def test_processes_sharing_a_sqlite_file_agree_on_lease_and_audit_chain(sqlite_url: str, keys: StoreKeys) -> None:
    StateStore.open(sqlite_url, keys).close()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, sqlite_url, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[3],
        )
        for n in range(3)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], [err for _, err in outputs]
    results = sorted(out.strip() for out, _ in outputs)
    assert results == ["held", "held", "token 1"]
    with StateStore.open(sqlite_url, keys) as store:
        verification = store.verify_audit()
    assert verification.ok
    assert verification.checked == 60
