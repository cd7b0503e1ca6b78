"""Reading through the connector: full and incremental reads, ties on the cursor, late commits, deletes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crmhub_salesforce.reading import ReadCursor
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.sandbox.catalog import CONTACT
from crmhub_salesforce.sandbox.values import format_datetime, parse_datetime

from hub.records import Checkpoint, SourceRecord


def _bulk_load(sf: Any, keys: list[str]) -> None:
    """One Bulk job: every record is saved in one transaction, so they all share one SystemModstamp."""
    sf.bulk2.Contact.upsert(records=[{"Crmhub_Id__c": k, "LastName": f"L {k}"} for k in keys],
                            external_id_field="Crmhub_Id__c", wait=0.02)


def _drain(connector: Any, checkpoint: Checkpoint | None) -> tuple[list[SourceRecord], Checkpoint | None]:
    records, last = [], checkpoint
    for item in connector.read("Contact", checkpoint):
        if isinstance(item, Checkpoint):
            last = item
        else:
            records.append(item)
    return records, last


def test_full_read_pages_and_checkpoints_after_each_page(sandbox: SalesforceSandbox, make_connector: Any,
                                                         sf: Any) -> None:
    _bulk_load(sf, [f"r-{i:03d}" for i in range(450)])
    connector = make_connector(sandbox, query_batch_size=200)

    items = list(connector.read("Contact", None))

    kinds = ["cp" if isinstance(i, Checkpoint) else "rec" for i in items]
    assert kinds == ["rec"] * 200 + ["cp"] + ["rec"] * 200 + ["cp"] + ["rec"] * 50 + ["cp"]
    records = [i for i in items if isinstance(i, SourceRecord)]
    assert len({r.id for r in records}) == 450
    assert records[0].ref == f"Contact {records[0].id}"
    assert records[0].data["LastName"].startswith("L r-")
    assert records[0].updated_at is not None
    assert not any(r.deleted for r in records)


def test_records_sharing_a_stamp_across_a_page_boundary_resume_exactly_once(sandbox: SalesforceSandbox,
                                                                            make_connector: Any, sf: Any) -> None:
    _bulk_load(sf, [f"t-{i:03d}" for i in range(250)])
    stamps = {r["SystemModstamp"] for r in sf.query_all("SELECT SystemModstamp FROM Contact")["records"]}
    assert len(stamps) == 1  # the whole page boundary sits inside one timestamp
    connector = make_connector(sandbox, query_batch_size=200)

    stream = connector.read("Contact", None)
    first_page = []
    for item in stream:
        if isinstance(item, Checkpoint):
            checkpoint = item
            break
        first_page.append(item)
    stream.close()  # the run dies after the first page's checkpoint
    rest, _ = _drain(make_connector(sandbox, query_batch_size=200), checkpoint)

    ids = [r.id for r in first_page] + [r.id for r in rest]
    assert len(first_page) == 200
    assert len(ids) == len(set(ids)) == 250


def test_incremental_read_yields_exactly_the_changed_and_deleted(sandbox: SalesforceSandbox, make_connector: Any,
                                                                 sf: Any) -> None:
    _bulk_load(sf, [f"i-{i:03d}" for i in range(300)])
    connector = make_connector(sandbox, query_batch_size=200)
    _, checkpoint = _drain(connector, None)

    sf.Contact.upsert("Crmhub_Id__c/i-005", {"Title": "Yeni unvan"})
    sf.Contact.upsert("Crmhub_Id__c/i-250", {"Title": "Başka"})
    gone = sf.Contact.get_by_custom_id("Crmhub_Id__c", "i-100")["Id"]
    sf.Contact.delete(gone)
    sf.Contact.upsert("Crmhub_Id__c/i-new", {"LastName": "Yeni"})
    changed, checkpoint = _drain(connector, checkpoint)
    nothing, _ = _drain(connector, checkpoint)

    assert sorted((r.data["Crmhub_Id__c"], r.deleted) for r in changed) == [
        ("i-005", False), ("i-100", True), ("i-250", False), ("i-new", False)]
    assert nothing == []


def test_a_late_commit_behind_the_cursor_is_picked_up_once(sandbox: SalesforceSandbox, make_connector: Any,
                                                           sf: Any) -> None:
    _bulk_load(sf, ["a", "b"])
    connector = make_connector(sandbox)
    _, checkpoint = _drain(connector, None)
    assert checkpoint is not None
    cursor_stamp = parse_datetime(checkpoint.cursor["modstamp"])

    sf.Contact.upsert("Crmhub_Id__c/late", {"LastName": "Geç"})
    late_id = sf.Contact.get_by_custom_id("Crmhub_Id__c", "late")["Id"]
    sandbox.store.backdate(CONTACT, late_id, format_datetime(cursor_stamp - dt.timedelta(seconds=30)))
    found, checkpoint = _drain(connector, checkpoint)
    again, _ = _drain(connector, checkpoint)

    assert [r.id for r in found] == [late_id]
    assert again == []


def test_without_an_overlap_window_a_late_commit_is_missed(sandbox: SalesforceSandbox, make_connector: Any,
                                                           sf: Any) -> None:
    _bulk_load(sf, ["a"])
    connector = make_connector(sandbox, overlap_seconds=0)
    _, checkpoint = _drain(connector, None)
    sf.Contact.upsert("Crmhub_Id__c/late", {"LastName": "Geç"})
    late_id = sf.Contact.get_by_custom_id("Crmhub_Id__c", "late")["Id"]
    assert checkpoint is not None
    older = parse_datetime(checkpoint.cursor["modstamp"]) - dt.timedelta(seconds=30)
    sandbox.store.backdate(CONTACT, late_id, format_datetime(older))

    found, _ = _drain(connector, checkpoint)

    assert found == []


def test_cursor_window_is_bounded_by_a_floor() -> None:
    cursor = ReadCursor()
    stamp = "2024-05-01T10:00:00.000+0000"
    for i in range(10):
        cursor.note(stamp, f"003{i:015d}")
    cursor.note("2024-05-01T10:00:01.000+0000", "003999999999999999")

    cursor.prune(overlap=300, cap=4)

    assert sum(len(v) for v in cursor.seen.values()) == 4
    assert cursor.floor == (stamp, f"003{6:015d}")
    assert cursor.already(stamp, f"003{2:015d}")  # under the floor: done
    assert cursor.already(stamp, f"003{8:015d}")  # still in the window
    assert not cursor.already("2024-05-01T10:00:02.000+0000", "003000000000000001")
    restored = ReadCursor.from_checkpoint(Checkpoint("Contact", cursor.to_dict()))
    assert restored == cursor


def test_deleted_reads_the_delete_log_minute_by_minute(sandbox: SalesforceSandbox, make_connector: Any,
                                                       sf: Any) -> None:
    sf.Contact.upsert("Crmhub_Id__c/x", {"LastName": "X"})
    record_id = sf.Contact.get_by_custom_id("Crmhub_Id__c", "x")["Id"]
    sf.Contact.delete(record_id)
    sandbox.store.backdate_deletion(CONTACT, record_id,
                                    format_datetime(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)))
    connector = make_connector(sandbox)

    items = list(connector.deleted("Contact", None))
    checkpoint = items[-1]
    again = list(connector.deleted("Contact", checkpoint))

    assert [d.id for d in items[:-1]] == [record_id]
    assert isinstance(checkpoint, Checkpoint)
    assert again == [Checkpoint("Contact", checkpoint.cursor)]  # less than a minute later: nothing to ask
