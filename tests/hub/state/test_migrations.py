"""The schema is built by the migrations, agrees with the table definitions, and upgrades idempotently."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from hub.errors import ConfigError
from hub.state import StateStore, StoreKeys
from hub.state.database import create_state_engine
from hub.state.migrate import HEAD_REVISION, current_revision, head_revision, schema_diff
from hub.state.schema import metadata


def test_open_creates_every_table_through_the_migrations(store: StateStore) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= tables
    assert "hub_state_version" in tables
    with store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_pinned_head_is_the_newest_migration_script() -> None:
    assert head_revision() == HEAD_REVISION, "bump HEAD_REVISION in hub/state/migrate.py with every new migration"


def test_models_and_migrations_agree(store: StateStore) -> None:
    with store.engine.connect() as conn:
        assert schema_diff(conn) == []


def test_schema_diff_notices_a_drift(sqlite_store: StateStore) -> None:
    with sqlite_store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_hub_runs_started"))
    with sqlite_store.engine.connect() as conn:
        diff = schema_diff(conn)
    assert any("ix_hub_runs_started" in str(change) for change in diff)


def test_reopening_an_upgraded_store_keeps_its_data(store_url: str, keys: StoreKeys) -> None:
    with StateStore.open(store_url, keys) as first:
        first.kv_set("ns", "k", "v")
    with StateStore.open(store_url, keys) as second:
        assert second.kv_get("ns", "k") == "v"


def test_sqlite_store_creates_its_directory_and_uses_wal(tmp_path: Path, keys: StoreKeys) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'er' / 'state.db'}"
    with StateStore.open(url, keys) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    assert (tmp_path / "deep" / "er" / "state.db").exists()
    assert stat.S_IMODE((tmp_path / "deep" / "er").stat().st_mode) == 0o700, "the store's own directory is private"


def test_in_memory_sqlite_store_works(keys: StoreKeys) -> None:
    with StateStore.open("sqlite://", keys) as store:
        store.kv_set("ns", "k", "v")
        assert store.kv_get("ns", "k") == "v"


def test_two_processes_opening_a_fresh_file_at_once_do_not_collide(sqlite_url: str, keys: StoreKeys) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        try:
            barrier.wait()
            StateStore.open(sqlite_url, keys).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = create_state_engine(sqlite_url)
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        assert conn.exec_driver_sql("SELECT count(*) FROM hub_audit_head").scalar() == 1
    engine.dispose()


@pytest.mark.parametrize("url", ["mysql://root@localhost/test", "not a url", "postgresql+psycopg2://x@y/z"])
def test_unsupported_urls_are_config_errors(url: str, keys: StoreKeys) -> None:
    with pytest.raises(ConfigError, match="state store"):
        StateStore.open(url, keys)


def test_url_password_is_not_shown(keys: StoreKeys) -> None:
    with pytest.raises(ConfigError) as caught:
        StateStore.open("oracle://admin:hunter22@db/x", keys)
    assert "hunter22" not in str(caught.value)
