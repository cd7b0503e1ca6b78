"""Rate limits: one limiter per account, tiers, search's own limit, Retry-After, daily allowance, zero 429s.

The ten-second window is shortened to one second (in the connector and the sandbox alike) so a run through several
windows takes seconds; the logic is the same.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING

import pytest
import urllib3
from crmhub_hubspot import limits as client_limits
from crmhub_hubspot.limits import AccountLimiter, forget_limiters
from crmhub_hubspot.sandbox import limits as sandbox_limits
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException

from hub.errors import QuotaExhaustedError, RetriableError
from hub.records import Checkpoint, SourceRecord, WriteOutcome, WriteRequest

if TYPE_CHECKING:
    from conftest import ConnectorFactory, SandboxFactory





@pytest.fixture
def short_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_limits, "TEN_SECONDS", 1.0)
    monkeypatch.setattr(sandbox_limits, "TEN_SECONDS", 1.0)
    forget_limiters()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def send(limiter: AccountLimiter, *, search: bool = False) -> None:
    """One request: take a slot, get the answer at once."""
    limiter.release(limiter.acquire(search=search))


def test_limiter_holds_the_request_that_would_overflow_the_window() -> None:
    clock = FakeClock()
    limiter = AccountLimiter(3, 5, None, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        send(limiter)
    assert clock.slept == []
    send(limiter)
    assert clock.slept
    assert sum(clock.slept) >= 10.0  # waited for the oldest request to leave the window


def test_a_slow_answer_keeps_its_slot_until_ten_seconds_after_it_arrived() -> None:
    clock = FakeClock()
    limiter = AccountLimiter(1, 5, None, clock=clock, sleep=clock.sleep)
    slow = limiter.acquire()
    clock.now += 3.0  # the answer takes three seconds: HubSpot may have counted the request late
    limiter.release(slow)
    send(limiter)
    assert clock.now - 100.0 >= 13.0  # ten seconds after the *answer*, not after the send


def test_search_has_its_own_secondly_limit() -> None:
    clock = FakeClock()
    limiter = AccountLimiter(100, 5, None, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        send(limiter, search=True)
    send(limiter)  # a plain request is not held by the search limit
    assert clock.slept == []
    send(limiter, search=True)
    assert sum(clock.slept) >= 1.0


def test_headers_teach_the_real_tier_and_a_429_holds_everyone() -> None:
    clock = FakeClock()
    limiter = AccountLimiter(190, 5, None, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "80"})
    assert limiter.per_10s == 100
    limiter.hold(2.0)
    send(limiter)
    assert sum(clock.slept) >= 2.0


def test_daily_reserve_stops_before_the_allowance_is_spent() -> None:
    limiter = AccountLimiter(None, None, 1000, daily_reserve=10)
    limiter.observe({"X-HubSpot-RateLimit-Daily-Remaining": "11"})
    send(limiter)
    with pytest.raises(QuotaExhaustedError, match="resumes from its checkpoint") as caught:
        send(limiter)
    assert caught.value.resume_after is not None


def test_run_at_the_tier_rate_gets_no_429(short_window: None, make_sandbox: SandboxFactory,
                                          make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(requests_per_10s=10)
    connector = make_connector(sandbox, tier="starter", requests_per_10s=10)
    for i in range(35):
        result = connector.write("contacts", [WriteRequest(f"r{i}", {"email": f"r{i}@example.com"})])[0]
        assert result.outcome == WriteOutcome.CREATED
    assert sandbox.limits.rejected == 0
    assert connector.client.limiter.waited_s > 0  # it did have to wait: the limit was reached


def test_every_worker_and_stream_shares_the_account_limiter(short_window: None, make_sandbox: SandboxFactory,
                                                            make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(requests_per_10s=8)
    workers = [make_connector(sandbox, tier="starter", requests_per_10s=8, account_id="portal-1")
               for _ in range(3)]
    assert len({id(w.client.limiter) for w in workers}) == 1
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            connector = workers[n]
            stream = "companies" if n == 2 else "contacts"
            for i in range(8):
                fields = {"name": f"Firma {i}"} if stream == "companies" else {"email": f"w{n}-{i}@example.com"}
                connector.write(stream, [WriteRequest(f"w{n}-{i}", fields)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sandbox.limits.rejected == 0


def test_headers_teach_the_limit_to_a_misconfigured_connection(
        short_window: None, make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(requests_per_10s=3)
    connector = make_connector(sandbox)  # configured as unlimited
    for i in range(8):
        connector.write("contacts", [WriteRequest(f"m{i}", {"email": f"m{i}@example.com"})])
    assert connector.client.limiter.per_10s == 3
    assert sandbox.limits.rejected == 0


def test_a_429_is_retriable_with_retry_after_and_holds_the_next_request(
        short_window: None, make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(requests_per_10s=3)
    connector = make_connector(sandbox)
    connector.discover()
    time.sleep(1.1)  # the connection's own requests have left the (one-second) window
    other = HubSpot(access_token=sandbox.token, host=sandbox.url, retry=urllib3.util.Retry(total=0))
    with contextlib.suppress(ApiException):  # another app on the same account spends the window
        for _ in range(3):
            other.crm.contacts.basic_api.get_page()
    with pytest.raises(RetriableError, match="TEN_SECONDLY_ROLLING") as caught:
        connector.write("contacts", [WriteRequest("x0", {"email": "x0@example.com"})])
    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= 1
    rejected = sandbox.limits.rejected
    result = connector.write("contacts", [WriteRequest("x0", {"email": "x0@example.com"})])  # the engine's retry
    assert result[0].outcome == WriteOutcome.CREATED
    assert sandbox.limits.rejected == rejected  # held until Retry-After passed: not sent early


def test_daily_limit_stops_the_run_cleanly(make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(daily_limit=12)
    connector = make_connector(sandbox, daily_reserve=3)

    def run() -> None:
        for i in range(20):
            connector.write("contacts", [WriteRequest(f"d{i}", {"email": f"d{i}@example.com"})])

    with pytest.raises(QuotaExhaustedError):
        run()
    assert sandbox.limits.rejected == 0
    assert sandbox.limits.daily_used == 12 - 3


def test_incremental_read_keeps_to_five_searches_a_second(make_sandbox: SandboxFactory,
                                                          make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(tier="pro")
    connector = make_connector(sandbox, tier="pro", overlap_s=0, properties={"contacts": ["email"]})
    with sandbox.store.lock:
        for i in range(1800):
            sandbox.store.create("contacts", {"email": f"q{i}@example.com"})
    origin = Checkpoint("contacts", {"phase": "incremental", "ts": 0, "id": ""})
    records = [r for r in connector.read("contacts", origin) if isinstance(r, SourceRecord)]
    assert len(records) == 1800
    assert sandbox.counts["search"] >= 9
    assert sandbox.limits.rejected == 0
