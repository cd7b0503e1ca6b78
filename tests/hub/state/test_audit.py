"""The audit chain: verifies when intact, names the first bad entry after tampering, never forks."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from hub.state import AuditEvent, StateStore, StoreKeys


def _fill(store: StateStore, count: int = 6) -> None:
    store.audit("run.started", None, {"pipeline": "nightly"}, run_id="a" * 32)
    store.audit_many(
        [
            AuditEvent("record.created", f"{i:032x}", {"connection": "hubspot", "şehir": "İzmir"})
            for i in range(count - 1)
        ]
    )


def _drop_guards(engine: Engine) -> None:
    """What someone with direct database access can do: remove the append-only triggers."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION hub_audit_append_only() CASCADE"))
        else:
            conn.execute(text("DROP TRIGGER hub_audit_no_update"))
            conn.execute(text("DROP TRIGGER hub_audit_no_delete"))


def test_empty_and_intact_chains_verify(store: StateStore) -> None:
    assert store.verify_audit().ok
    assert store.verify_audit().checked == 0
    _fill(store)
    result = store.verify_audit()
    assert result.ok
    assert result.checked == 6
    assert result.first_bad_id is None


def test_the_log_refuses_updates_and_deletes(store: StateStore) -> None:
    _fill(store)
    for statement in ("UPDATE hub_audit SET event = 'x' WHERE id = 2", "DELETE FROM hub_audit WHERE id = 2"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert store.verify_audit().ok


def test_altered_details_are_named(store: StateStore) -> None:
    _fill(store)
    _drop_guards(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("""UPDATE hub_audit SET details = '{"connection":"zoho"}' WHERE id = 4"""))
    result = store.verify_audit()
    assert not result.ok
    assert result.first_bad_id == 4
    assert result.checked == 3
    assert "entry 4" in result.reason
    assert "altered" in result.reason


def test_altered_subject_is_named(store: StateStore) -> None:
    _fill(store)
    _drop_guards(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE hub_audit SET subject = :s WHERE id = 3"), {"s": "f" * 32})
    result = store.verify_audit()
    assert (result.ok, result.first_bad_id) == (False, 3)


def test_deleted_middle_entry_is_named(store: StateStore) -> None:
    _fill(store)
    _drop_guards(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM hub_audit WHERE id = 3"))
    result = store.verify_audit()
    assert not result.ok
    assert result.first_bad_id == 3
    assert result.reason == "entry 3 missing before entry 4"


def test_truncated_tail_is_detected(store: StateStore) -> None:
    _fill(store)
    _drop_guards(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM hub_audit WHERE id >= 5"))
    result = store.verify_audit()
    assert not result.ok
    assert result.first_bad_id == 5
    assert "missing from the end" in result.reason


def test_appending_after_verification_keeps_the_chain(store: StateStore) -> None:
    _fill(store, 3)
    assert store.verify_audit().ok
    _fill(store, 3)
    assert store.verify_audit().checked == 6


def test_subject_that_looks_like_an_email_is_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="pseudonym"):
        store.audit("consent.changed", "ayse@example.com", {})
    assert store.verify_audit().checked == 0


def test_concurrent_writers_never_fork_the_chain(store_url: str, keys: StoreKeys) -> None:
    stores = [StateStore.open(store_url, keys) for _ in range(4)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def write(store: StateStore, n: int) -> None:
        barrier.wait()
        try:
            for i in range(10):
                store.audit_many([AuditEvent("record.updated", f"{n:016x}{i:016x}", {"i": i}) for _ in range(3)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = stores[0].verify_audit()
    for opened in stores:
        opened.close()
    assert result.ok
    assert result.checked == 4 * 10 * 3
