"""The quarantine: payloads encrypted at rest, listed without payloads, statuses, retention purge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from hub.errors import FatalError
from hub.state import QuarantineItem, StateLookupError, StateStore, StoreKeys
from hub.state import quarantine as quarantine_module
from hub.state.schema import quarantine as quarantine_table

MARKER = "MARKER-ayse.yilmaz@örnek.com.tr-10000000146"


def _hold(store: StateStore, pipeline: str = "nightly", refs: tuple[str, ...] = ("line 5",)) -> str:
    token = store.acquire_lease(pipeline, "host-a:101", 600)
    run_id = store.start_run(pipeline, "csv", "hubspot", ["contacts"], False, token)
    items = [
        QuarantineItem(
            ref,
            f"C-{ref}",
            "csv",
            [{"field": "email", "code": "email.invalid", "message": "not an address"}],
            {"email": MARKER, "name": "Ayşe Yılmaz", "age": 41, "tags": ["vip"]},
        )
        for ref in refs
    ]
    store.commit_batch(run_id, pipeline, "contacts", [], [], items, None, token)
    store.release_lease(pipeline, token)
    return run_id


def test_filing_a_record_whose_entry_is_open_refreshes_it_and_other_records_get_their_own(store: StateStore) -> None:
    first = _hold(store, refs=("line 5", "line 9"))
    five, _ = store.list_quarantine()
    second = _hold(store, refs=("line 5", "line 12"))

    entries = store.list_quarantine()
    assert [(e.ref, e.run_id) for e in entries] == [("line 5", second), ("line 9", first), ("line 12", second)]
    assert entries[0].id == five.id and entries[0].created_at == five.created_at
    assert entries[0].updated_at >= five.updated_at
    assert store.get_quarantine(five.id).payload == store.get_quarantine(entries[2].id).payload
    assert store.list_quarantine(pipeline="other") == []
    _hold(store, pipeline="other", refs=("line 5",))  # another pipeline's record at the same place is another
    assert len(store.list_quarantine()) == 4


def test_payload_round_trips_and_listing_has_no_payload(store: StateStore) -> None:
    run_id = _hold(store)
    [listed] = store.list_quarantine()
    assert listed.payload is None
    assert listed.reasons == [{"field": "email", "code": "email.invalid", "message": "not an address"}]
    assert (listed.pipeline, listed.stream, listed.connection, listed.source_id) == (
        "nightly",
        "contacts",
        "csv",
        "C-line 5",
    )
    entry = store.get_quarantine(listed.id)
    assert entry.run_id == run_id
    assert entry.payload == {"email": MARKER, "name": "Ayşe Yılmaz", "age": 41, "tags": ["vip"]}
    assert MARKER not in repr(entry), "payloads stay out of reprs (and so out of logs)"


def test_payload_is_ciphertext_in_the_database(store: StateStore) -> None:
    _hold(store)
    with store.engine.connect() as conn:
        stored = conn.execute(select(quarantine_table.c.payload)).scalar_one()
    assert MARKER.encode() not in bytes(stored)
    assert "Ayşe".encode() not in bytes(stored)


def test_marker_is_absent_from_the_raw_sqlite_files(
    sqlite_url: str, keys: StoreKeys, raw_sqlite_bytes: Callable[[str], bytes]
) -> None:
    with StateStore.open(sqlite_url, keys) as store:
        _hold(store)
        store.kv_set("hubspot", "refresh_token", MARKER)
        assert store.get_quarantine(1).payload is not None
        raw_while_open = raw_sqlite_bytes(sqlite_url)
    raw = raw_sqlite_bytes(sqlite_url)
    assert b"email.invalid" in raw_while_open + raw, "the files are the right ones: clear reason codes are there"
    for needle in (MARKER.encode(), "ayse.yilmaz@örnek".encode(), "Ayşe Yılmaz".encode(), b"10000000146"):
        assert needle not in raw
        assert needle not in raw_while_open


def test_another_key_cannot_read_the_payload(store_url: str) -> None:
    with StateStore.open(store_url, StoreKeys.ephemeral()) as store:
        _hold(store)
    with StateStore.open(store_url, StoreKeys.ephemeral()) as store, pytest.raises(FatalError, match="another key"):
        store.get_quarantine(1)


def test_statuses_filter_the_listing(store: StateStore) -> None:
    _hold(store, refs=("line 1", "line 2", "line 3"))
    _hold(store, pipeline="weekly", refs=("line 9",))
    ids = [e.id for e in store.list_quarantine(pipeline="nightly")]
    assert len(ids) == 3
    store.set_quarantine_status(ids[:2], "resolved", note="fixed in the source by Gülşen")
    assert [e.id for e in store.list_quarantine(pipeline="nightly")] == ids[2:]
    resolved = store.list_quarantine("resolved")
    assert [e.id for e in resolved] == ids[:2]
    assert resolved[0].note == "fixed in the source by Gülşen"
    assert resolved[0].updated_at >= resolved[0].created_at
    assert len(store.list_quarantine()) == 2, "the weekly entry is still open"
    assert len(store.list_quarantine(limit=1)) == 1


def test_bad_status_and_unknown_ids_are_refused(store: StateStore) -> None:
    _hold(store)
    [entry] = store.list_quarantine()
    with pytest.raises(ValueError, match="discarded"):
        store.set_quarantine_status([entry.id], "deleted")
    with pytest.raises(StateLookupError, match="no quarantine entries 999"):
        store.set_quarantine_status([entry.id, 999], "retried")
    assert store.list_quarantine()[0].status == "open", "nothing changes when one id is unknown"
    with pytest.raises(StateLookupError, match="no quarantine entry 999"):
        store.get_quarantine(999)


def test_purge_drops_old_payloads_and_keeps_entries(store: StateStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real_now = quarantine_module.utcnow
    monkeypatch.setattr(quarantine_module, "utcnow", lambda: real_now() - dt.timedelta(days=40))
    _hold(store, refs=("old 1", "old 2"))
    monkeypatch.setattr(quarantine_module, "utcnow", real_now)
    _hold(store, refs=("new 1",))

    assert store.purge_quarantine_payloads(older_than_days=30) == 2
    assert store.purge_quarantine_payloads(older_than_days=30) == 0, "purging is idempotent"
    entries = {e.ref: e for e in store.list_quarantine()}
    assert set(entries) == {"old 1", "old 2", "new 1"}
    purged: Any = store.get_quarantine(entries["old 1"].id)
    assert purged.payload is None
    assert purged.purged is True
    assert purged.reasons[0]["code"] == "email.invalid"
    assert store.get_quarantine(entries["new 1"].id).payload is not None
    with pytest.raises(ValueError, match="negative"):
        store.purge_quarantine_payloads(-1)
