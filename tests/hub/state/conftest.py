"""Fixtures: a state store on a fresh SQLite file and on a private schema of the local PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from hub.state import StateStore, StoreKeys

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def keys() -> StoreKeys:
    return StoreKeys.ephemeral()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'state.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a schema made for this test and dropped afterwards.

    No skip when the server is down: the connection error fails the test, as the brief demands.
    """
    schema = f"crmhub_state_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_DSN}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    url = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str, keys: StoreKeys) -> Iterator[StateStore]:
    """A migrated store, on SQLite and on PostgreSQL (the tests using it run on both)."""
    with StateStore.open(store_url, keys) as opened:
        yield opened


@pytest.fixture
def sqlite_store(sqlite_url: str, keys: StoreKeys) -> Iterator[StateStore]:
    with StateStore.open(sqlite_url, keys) as opened:
        yield opened


def _sqlite_file_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.fixture
def raw_sqlite_bytes() -> Callable[[str], bytes]:
    """Every byte SQLite keeps for a URL: the database file plus its WAL and shared-memory files."""
    return _sqlite_file_bytes
