"""Reading through the connector: full loads, deletions, resumable checkpoints, windowed incremental search."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pytest
from crmhub_hubspot import reader as reader_module
from crmhub_hubspot.connector import HubSpotConnector
from crmhub_hubspot.sandbox import HubSpotSandbox
from crmhub_hubspot.sandbox.store import iso_ms

from hub.records import Checkpoint, SourceRecord, WriteRequest

if TYPE_CHECKING:
    from conftest import ConnectorFactory, SandboxFactory





def seed(sandbox: HubSpotSandbox, count: int, start: int = 0) -> list[str]:
    """Put ``count`` contacts straight into the sandbox's store (fast; reads are under test, not writes)."""
    with sandbox.store.lock:
        return [sandbox.store.create("contacts", {"email": f"r{i}@example.com", "firstname": f"Ad{i}"}).id
                for i in range(start, start + count)]


def restamp(sandbox: HubSpotSandbox, ids: list[str], start_ms: int, step_ms: int) -> None:
    """Give the records modification times ``start_ms + i * step_ms`` (the seed writes them all at once)."""
    with sandbox.store.lock:
        for i, obj_id in enumerate(ids):
            obj = sandbox.store.portal("contacts").records[obj_id]
            obj.updated_ms = start_ms + i * step_ms
            obj.properties["lastmodifieddate"] = iso_ms(obj.updated_ms)
        sandbox.store.version += 1


def split(items: Iterable[SourceRecord | Checkpoint]) -> tuple[list[SourceRecord], list[Checkpoint]]:
    records: list[SourceRecord] = []
    checkpoints: list[Checkpoint] = []
    for item in items:
        (records if isinstance(item, SourceRecord) else checkpoints).append(item)  # type: ignore[arg-type]
    return records, checkpoints


def test_full_read_yields_every_record_then_switches_to_incremental(connector: HubSpotConnector,
                                                                    sandbox: HubSpotSandbox) -> None:
    ids = seed(sandbox, 250)
    records, checkpoints = split(connector.read("contacts", None))
    assert [r.id for r in records] == ids
    assert records[0].data["firstname"] == "Ad0"
    assert records[0].ref == f"HubSpot contacts {ids[0]}"
    assert records[0].updated_at is not None
    assert checkpoints[-1].cursor["phase"] == "incremental"


def test_full_read_resumes_from_a_mid_list_checkpoint_without_repeats(connector: HubSpotConnector,
                                                                      sandbox: HubSpotSandbox) -> None:
    ids = seed(sandbox, 350)
    seen: list[str] = []
    resume_at: Checkpoint | None = None
    for item in connector.read("contacts", None):
        if isinstance(item, SourceRecord):
            seen.append(item.id)
        elif item.cursor.get("phase") == "list" and len(seen) >= 200:
            resume_at = item
            break  # the run is killed here
    assert resume_at is not None
    rest, _ = split(connector.read("contacts", resume_at))
    assert seen + [r.id for r in rest] == ids


def test_archived_records_are_reported_by_deleted_since_a_checkpoint(connector: HubSpotConnector,
                                                                    sandbox: HubSpotSandbox) -> None:
    ids = seed(sandbox, 5)
    with sandbox.store.lock:
        sandbox.store.archive("contacts", sandbox.store.portal("contacts").records[ids[1]])
    records, _ = split(connector.read("contacts", None))
    assert [r.id for r in records] == [i for i in ids if i != ids[1]]  # live records only
    first = list(connector.deleted("contacts", None))
    assert [(d.id, d.deleted_at is not None) for d in first if not isinstance(d, Checkpoint)] == [(ids[1], True)]
    since = first[-1]
    assert isinstance(since, Checkpoint)
    time.sleep(0.005)
    with sandbox.store.lock:
        sandbox.store.archive("contacts", sandbox.store.portal("contacts").records[ids[3]])
    later = [d.id for d in connector.deleted("contacts", since) if not isinstance(d, Checkpoint)]
    assert later == [ids[3]]


def test_incremental_read_returns_only_changes_after_the_cursor(make_sandbox: SandboxFactory,
                                                               make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, overlap_s=0)
    seed(sandbox, 20)
    time.sleep(0.005)  # the seed is older than the full read's start
    _, checkpoints = split(connector.read("contacts", None))
    changed = connector.write("contacts", [WriteRequest("n1", {"email": "r3@example.com", "jobtitle": "Müdür"}),
                                           WriteRequest("n2", {"email": "yeni@example.com"})])
    with sandbox.store.lock:
        sandbox.store.archive("contacts", sandbox.store.portal("contacts").records[seed(sandbox, 1, 99)[0]])
    records, after = split(connector.read("contacts", checkpoints[-1]))
    assert sorted(r.id for r in records) == sorted(str(c.target_id) for c in changed)
    assert [r.data["jobtitle"] for r in records if r.data.get("email") == "r3@example.com"] == ["Müdür"]
    assert after[-1].cursor["ts"] >= checkpoints[-1].cursor["ts"]


def test_overlap_finds_late_indexed_changes_without_repeating_the_rest(connector: HubSpotConnector,
                                                                        sandbox: HubSpotSandbox) -> None:
    ids = seed(sandbox, 3)
    _, checkpoints = split(connector.read("contacts", None))
    cursor_ts = checkpoints[-1].cursor["ts"]
    again, more = split(connector.read("contacts", checkpoints[-1]))  # overlap_s defaults to 60 s
    assert again == []  # the overlap holds only records already yielded
    late = seed(sandbox, 1, 50)
    restamp(sandbox, late, cursor_ts - 10_000, 0)  # committed before the cursor, indexed only now
    with sandbox.store.lock:
        sandbox.store.update("contacts", sandbox.store.portal("contacts").records[ids[0]], {"jobtitle": "Şef"})
    found, _ = split(connector.read("contacts", more[-1]))
    assert sorted(r.id for r in found) == sorted([late[0], ids[0]])


def test_windows_split_when_a_query_would_pass_the_result_cap(make_sandbox: SandboxFactory,
                                                              make_connector: ConnectorFactory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_module, "RESULT_CAP", 40)
    sandbox = make_sandbox()
    connector = make_connector(sandbox, overlap_s=0)
    origin = Checkpoint("contacts", {"phase": "incremental", "ts": 0, "id": ""})
    ids = seed(sandbox, 300)
    restamp(sandbox, ids, 1_700_000_000_000, 7)
    totals: list[int] = []
    real_search = connector._reader._search_window

    def spy(stream: str, low: int, high: int, *, after_id: int) -> dict[str, object]:
        answer = real_search(stream, low, high, after_id=after_id)
        if after_id == 0:
            totals.append(int(answer["total"]))  # type: ignore[call-overload]
        return answer

    monkeypatch.setattr(connector._reader, "_search_window", spy)
    records, checkpoints = split(connector.read("contacts", origin))
    assert sorted(r.id for r in records) == sorted(ids)
    assert len(records) == len(set(r.id for r in records))  # disjoint windows: no repeats
    assert max(totals) > 40  # the first window overflowed …
    windows_read = [t for t in totals if t <= 40]
    assert sum(windows_read) == 300  # … and was split until every window fit
    assert len(windows_read) <= 300 // 30  # split where the cap falls, not blindly in halves
    stamps = [c.cursor["ts"] for c in checkpoints]
    assert stamps == sorted(stamps)


def test_incremental_sync_over_ten_thousand_changes_in_one_window(make_sandbox: SandboxFactory,
                                                                  make_connector: ConnectorFactory,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = make_sandbox(search_per_second=None)
    connector = make_connector(sandbox, overlap_s=0, properties={"contacts": ["email", "firstname"]})
    ids = seed(sandbox, 10_500)
    start = int(time.time() * 1000) - 60_000
    restamp(sandbox, ids, start, 1)  # 10,500 changes within 10.5 s, all after the cursor
    origin = Checkpoint("contacts", {"phase": "incremental", "ts": start - 1, "id": ""})
    totals: list[int] = []
    real_search = connector._reader._search_window

    def spy(stream: str, low: int, high: int, *, after_id: int) -> dict[str, object]:
        answer = real_search(stream, low, high, after_id=after_id)
        if after_id == 0:
            totals.append(int(answer["total"]))  # type: ignore[call-overload]
        return answer

    monkeypatch.setattr(connector._reader, "_search_window", spy)
    records, _ = split(connector.read("contacts", origin))
    assert Counter(r.id for r in records) == Counter(ids)  # every change once, none past the cap lost
    assert totals[0] == 10_500  # the whole range would overflow one query …
    assert max(totals[1:]) <= 10_000  # … so it was split where the 10,000th result falls
    assert sum(totals[1:]) == 10_500


def test_same_millisecond_records_resume_by_id(make_sandbox: SandboxFactory,
                                               make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox()
    connector = make_connector(sandbox, overlap_s=0)
    ids = seed(sandbox, 2500)
    restamp(sandbox, ids, 1_700_000_000_000, 0)  # everything modified in the same millisecond
    origin = Checkpoint("contacts", {"phase": "incremental", "ts": 0, "id": ""})
    first: list[str] = []
    resume_at = None
    for item in connector.read("contacts", origin):
        if isinstance(item, SourceRecord):
            first.append(item.id)
        elif len(first) == 1000:
            resume_at = item
            break
    assert resume_at is not None
    assert resume_at.cursor["ts"] == 1_700_000_000_000
    rest, _ = split(connector.read("contacts", resume_at))
    assert first + [r.id for r in rest] == ids


def test_wide_objects_move_properties_to_a_post_body_instead_of_a_414(make_sandbox: SandboxFactory,
                                                                      make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(wide_properties=600)
    connector = make_connector(sandbox)
    with sandbox.store.lock:
        sandbox.store.create("contacts", {"email": "w@example.com", "custom_wide_property_number_0599": "son"})
    records, _ = split(connector.read("contacts", None))
    assert records[0].data["custom_wide_property_number_0599"] == "son"
    assert records[0].data["email"] == "w@example.com"


def test_contacts_carry_their_company_key(connector: HubSpotConnector) -> None:
    connector.write("companies", [WriteRequest("co-9", {"name": "Boğaziçi Lojistik"})])
    connector.write("contacts", [WriteRequest("c-9", {"email": "c9@example.com", "company_key": "co-9"})])
    records, _ = split(connector.read("contacts", None))
    assert records[0].data["company_key"] == "co-9"
