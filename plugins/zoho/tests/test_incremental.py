"""Incremental reads: past the 2,000-record page limit with page tokens, late commits, edits and deletes."""

from __future__ import annotations

from crmhub_zoho.sandbox import ZohoSandbox
from crmhub_zoho.sandbox.writes import keyed_fields

from hub.records import Checkpoint, DeletedRecord, SourceRecord, WriteRequest


def seed(sandbox: ZohoSandbox, count: int, *, start: int = 0, modified: int | None = None) -> list[int]:
    keyed = keyed_fields(sandbox.modules["Contacts"])
    with sandbox.store.transaction():
        return [sandbox.store.insert("Contacts", {"Last_Name": f"Kişi {i}", "Crmhub_Id": f"k-{i}"}, keyed,
                                     modified=modified).id for i in range(start, start + count)]


def read(connector, checkpoint=None):
    records: list[SourceRecord] = []
    last = None
    for item in connector.read("Contacts", checkpoint):
        if isinstance(item, Checkpoint):
            last = item
        else:
            records.append(item)
    return records, last


def test_reads_past_2000_records_with_page_tokens_and_resumes_incrementally(make_connector, sandbox) -> None:
    seed(sandbox, 2450, modified=1_700_000_000)
    with make_connector() as connector:
        records, checkpoint = read(connector)
        assert len(records) == 2450 and len({r.id for r in records}) == 2450
        tokens = [p for m, p in sandbox.requests if p == "/crm/v8/Contacts"]
        assert len(tokens) == 13  # 200 per page; pages 11–13 only reachable with page_token
        nothing, same = read(connector, checkpoint)
        assert nothing == [] and same is not None
        seed(sandbox, 3, start=5000)
        more, _ = read(connector, checkpoint)
    assert sorted(r.data["Crmhub_Id"] for r in more) == ["k-5000", "k-5001", "k-5002"]


def test_a_late_commit_behind_the_cursor_is_picked_up_once(make_connector, sandbox) -> None:
    now = sandbox.store.now()
    seed(sandbox, 4, modified=now - 10)
    with make_connector(overlap_seconds=120) as connector:
        first, checkpoint = read(connector)
        late = seed(sandbox, 1, start=100, modified=now - 30)  # committed late, stamped earlier than the cursor
        second, checkpoint2 = read(connector, checkpoint)
        third, _ = read(connector, checkpoint2)
    assert len(first) == 4
    assert [r.id for r in second] == [str(late[0])]
    assert third == []


def test_an_edit_after_the_read_is_read_again_even_behind_the_cursor_id(make_connector, sandbox) -> None:
    start = sandbox.store.now()
    sandbox.store.clock = lambda: start
    with make_connector(page_size=2) as connector:
        connector.write("Contacts", [WriteRequest(f"e-{i}", {"Last_Name": f"Ekin {i}"}) for i in range(3)])
        _, checkpoint = read(connector)
        sandbox.store.clock = lambda: start + 1
        connector.write("Contacts", [WriteRequest("e-0", {"Last_Name": "Ekin Yeni"})])  # the lowest id
        again, _ = read(connector, checkpoint)
    assert [r.data["Last_Name"] for r in again] == ["Ekin Yeni"]


def test_deletes_are_reported_once_and_in_order(make_connector, sandbox) -> None:
    ids = seed(sandbox, 5)
    with make_connector() as connector:
        connector.delete("Contacts", ["k-1"])
        first = list(connector.deleted("Contacts", None))
        connector.delete("Contacts", ["k-3", "k-4"])
        second = list(connector.deleted("Contacts", first[-1]))
    assert [d.id for d in first if isinstance(d, DeletedRecord)] == [str(ids[1])]
    assert sorted(d.id for d in second if isinstance(d, DeletedRecord)) == sorted([str(ids[3]), str(ids[4])])
