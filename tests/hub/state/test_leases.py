"""Leases: one holder at a time, expired leases taken over with a higher token, stale tokens fenced off."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from hub.errors import LeaseHeldError
from hub.state import RecordOutcome, StateStore, StoreKeys
from hub.state import leases as lease_module


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    """A settable clock for the lease module: ``clock[0]`` is "now"."""
    now = [dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(lease_module, "utcnow", lambda: now[0])
    return now


def test_first_acquisition_gets_token_one(store: StateStore) -> None:
    assert store.acquire_lease("nightly", "host-a:101", 60) == 1


def test_second_acquirer_is_refused_naming_holder_and_since(store: StateStore, clock: list[dt.datetime]) -> None:
    store.acquire_lease("nightly", "host-a:101", 600)
    clock[0] += dt.timedelta(seconds=90)
    with pytest.raises(LeaseHeldError) as caught:
        store.acquire_lease("nightly", "host-b:202", 600)
    message = str(caught.value)
    assert "'host-a:101'" in message
    assert "since 2026-03-01 09:00:00 UTC" in message
    assert "expires in 510 s" in message
    # Other names are independent.
    assert store.acquire_lease("weekly", "host-b:202", 600) == 1


def test_expired_lease_is_taken_over_with_a_higher_token(store: StateStore, clock: list[dt.datetime]) -> None:
    old = store.acquire_lease("nightly", "host-a:101", 30)
    clock[0] += dt.timedelta(seconds=31)
    new = store.acquire_lease("nightly", "host-b:202", 30)
    assert new == old + 1
    with pytest.raises(LeaseHeldError, match=r"stale: the lease moved on to token 2 held by 'host-b:202'"):
        store.renew_lease("nightly", old, 30)


def test_renewal_keeps_the_lease_alive(store: StateStore, clock: list[dt.datetime]) -> None:
    token = store.acquire_lease("nightly", "host-a:101", 30)
    for _ in range(3):
        clock[0] += dt.timedelta(seconds=20)
        store.renew_lease("nightly", token, 30)
    with pytest.raises(LeaseHeldError, match="host-a:101"):
        store.acquire_lease("nightly", "host-b:202", 30)


def test_expired_lease_nobody_took_can_still_be_renewed(store: StateStore, clock: list[dt.datetime]) -> None:
    token = store.acquire_lease("nightly", "host-a:101", 30)
    clock[0] += dt.timedelta(seconds=45)
    store.renew_lease("nightly", token, 30)
    with pytest.raises(LeaseHeldError):
        store.acquire_lease("nightly", "host-b:202", 30)


def test_release_frees_the_lease_and_tokens_keep_growing(store: StateStore) -> None:
    first = store.acquire_lease("nightly", "host-a:101", 600)
    store.release_lease("nightly", first)
    second = store.acquire_lease("nightly", "host-b:202", 600)
    assert second == first + 1
    store.release_lease("nightly", first)  # a stale release does not free the new holder's lease
    with pytest.raises(LeaseHeldError, match="host-b:202"):
        store.acquire_lease("nightly", "host-c:303", 600)
    with pytest.raises(LeaseHeldError, match="token 2 held by 'host-b:202'"):
        store.renew_lease("nightly", first, 10)


def test_renewing_a_released_lease_is_refused(store: StateStore) -> None:
    token = store.acquire_lease("nightly", "host-a:101", 600)
    store.release_lease("nightly", token)
    with pytest.raises(LeaseHeldError, match="already released"):
        store.renew_lease("nightly", token, 600)
    with pytest.raises(LeaseHeldError, match="never acquired"):
        store.renew_lease("unknown", 1, 600)


def test_stale_token_cannot_commit_or_save_a_checkpoint(store: StateStore, clock: list[dt.datetime]) -> None:
    old = store.acquire_lease("nightly", "host-a:101", 30)
    run_id = store.start_run("nightly", "csv", "hubspot", ["contacts"], False, old)
    clock[0] += dt.timedelta(seconds=31)
    new = store.acquire_lease("nightly", "host-b:202", 30)
    outcome = RecordOutcome(1, "line 2", "1", "hub-1", "created", "t-1")
    with pytest.raises(LeaseHeldError, match=r"fencing token 1 .* is stale"):
        store.commit_batch(run_id, "nightly", "contacts", [outcome], [], [], {"after": 1}, old)
    with pytest.raises(LeaseHeldError, match="stale"):
        store.save_checkpoint("nightly", "__phase__", {"phase": "done"}, old)
    assert store.count_outcomes(run_id) == {}
    assert store.get_checkpoint("nightly", "contacts") is None

    store.commit_batch(run_id, "nightly", "contacts", [outcome], [], [], {"after": 1}, new)
    assert store.get_checkpoint("nightly", "contacts") == {"after": 1}


def test_commit_without_a_lease_is_refused(store: StateStore) -> None:
    with pytest.raises(LeaseHeldError, match="never acquired"):
        store.commit_batch("0" * 32, "nightly", "contacts", [], [], [], {"after": 1}, 1)


def test_lease_needs_a_positive_ttl(store: StateStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.acquire_lease("nightly", "host-a:101", 0)


def test_concurrent_acquirers_get_exactly_one_lease(store_url: str, keys: StoreKeys) -> None:
    """Eight connections race for one lease: one wins, the others are refused, none errors otherwise."""
    stores = [StateStore.open(store_url, keys) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    tokens: list[int] = []
    refused: list[str] = []
    other: list[BaseException] = []

    def race(store: StateStore, n: int) -> None:
        barrier.wait()
        try:
            tokens.append(store.acquire_lease("nightly", f"worker-{n}", 60))
        except LeaseHeldError as exc:
            refused.append(str(exc))
        except BaseException as exc:
            other.append(exc)

    threads = [threading.Thread(target=race, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened in stores:
        opened.close()
    assert other == []
    assert tokens == [1]
    assert len(refused) == 7


def test_a_holder_declared_gone_loses_its_live_lease_at_once(store: StateStore) -> None:
    first = store.acquire_lease("nightly", "host-a:101:1.0", 600)
    asked: list[str] = []

    def still_running(holder: str) -> bool:
        asked.append(holder)
        return False

    with pytest.raises(LeaseHeldError, match=r"host-a:101:1\.0"):
        store.acquire_lease("nightly", "host-a:202:2.0", 600, holder_gone=still_running)
    assert asked == ["host-a:101:1.0"]
    second = store.acquire_lease("nightly", "host-a:202:2.0", 600, holder_gone=lambda holder: True)
    assert second == first + 1
    with pytest.raises(LeaseHeldError, match="stale"):
        store.renew_lease("nightly", first, 600)
