"""The encrypted key-value store."""

from __future__ import annotations

from sqlalchemy import select

from hub.state import StateStore
from hub.state.schema import kv as kv_table


def test_round_trip_overwrite_and_delete(store: StateStore) -> None:
    assert store.kv_get("hubspot:prod", "access_token") is None
    store.kv_set("hubspot:prod", "access_token", "pat-na1-1111")
    store.kv_set("hubspot:prod", "refresh_token", "ref-2222")
    store.kv_set("zoho:eu", "access_token", "1000.zzzz")
    assert store.kv_get("hubspot:prod", "access_token") == "pat-na1-1111"
    store.kv_set("hubspot:prod", "access_token", "pat-na1-3333 ğüşiöç")
    assert store.kv_get("hubspot:prod", "access_token") == "pat-na1-3333 ğüşiöç"
    assert store.kv_get("zoho:eu", "access_token") == "1000.zzzz"
    store.kv_delete("hubspot:prod", "access_token")
    store.kv_delete("hubspot:prod", "access_token")
    assert store.kv_get("hubspot:prod", "access_token") is None
    assert store.kv_get("hubspot:prod", "refresh_token") == "ref-2222"


def test_values_are_encrypted_at_rest(store: StateStore) -> None:
    store.kv_set("salesforce", "session", "00D-SESSION-MARKER")
    with store.engine.connect() as conn:
        stored = conn.execute(select(kv_table.c.value)).scalar_one()
    assert b"SESSION-MARKER" not in bytes(stored)
    assert store.kv_get("salesforce", "session") == "00D-SESSION-MARKER"
