"""The engine's promise: every record ends as exactly one outcome, nothing lost, nothing duplicated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.app import open_hub
from hub.errors import LeaseHeldError
from hub.testing import fake_store, put_records, run_migration, write_config
from tests.hub.engine.conftest import contact

COUNTED = ("created", "updated", "merged", "unchanged", "quarantined", "suppressed")


def assert_balanced(summary: dict[str, object]) -> None:
    assert summary["read"] == sum(int(summary[k]) for k in COUNTED), summary  # type: ignore[call-overload]


def target_rows() -> dict[str, dict[str, object]]:
    return fake_store("dst").get("contacts", {})


def test_migration_creates_every_record_once_and_a_rerun_changes_nothing(config: Path) -> None:
    put_records("src", "contacts", {f"s{n}": contact(n) for n in range(10)})

    first = run_migration(config, "src", "dst")
    again = run_migration(config, "src", "dst", restart=True)

    assert first["status"] == "succeeded"
    assert (first["read"], first["created"]) == (10, 10)
    assert_balanced(first)
    assert len(target_rows()) == 10
    assert {row["email"] for row in target_rows().values()} == {f"cagla{n}@example.com.tr" for n in range(10)}
    assert (again["read"], again["unchanged"], again["created"]) == (10, 10, 0)


def test_incremental_run_reads_only_what_changed(config: Path) -> None:
    put_records("src", "contacts", {f"s{n}": contact(n) for n in range(5)})
    run_migration(config, "src", "dst")

    nothing = run_migration(config, "src", "dst")
    put_records("src", "contacts", {"s2": contact(2, job_title="Genel Müdür")})
    changed = run_migration(config, "src", "dst")

    assert nothing["read"] == 0
    assert (changed["read"], changed["updated"]) == (1, 1)
    updated = [r for r in target_rows().values() if r.get("job_title") == "Genel Müdür"]
    assert len(updated) == 1


def test_same_person_twice_is_merged_not_duplicated_and_fills_only_blanks(config: Path) -> None:
    put_records("src", "contacts", {
        "a": contact(1, job_title=None),
        "b": {**contact(1), "email": "CAGLA1@EXAMPLE.COM.TR", "job_title": "CFO", "address.city": "Ankara"},
    })

    summary = run_migration(config, "src", "dst")
    rerun = run_migration(config, "src", "dst", restart=True)

    assert (summary["created"], summary["merged"]) == (1, 1)
    rows = list(target_rows().values())
    assert len(rows) == 1
    assert rows[0]["job_title"] == "CFO"  # a blank filled by the duplicate
    assert rows[0]["address.city"] == "İzmir"  # the first record's value is not overwritten
    assert (rerun["unchanged"], rerun["merged"], rerun["updated"]) == (2, 0, 0)


def test_invalid_records_are_quarantined_with_reasons_and_the_rest_load(config: Path) -> None:
    put_records("src", "contacts", {
        "good": contact(1),
        "bad-email": contact(2, email="ahmet@"),
        "bad-tckn": contact(3, **{"national_id.value": "12345678901"}),
    })

    summary = run_migration(config, "src", "dst")

    assert (summary["created"], summary["quarantined"]) == (1, 2)
    assert_balanced(summary)
    with open_hub(config) as hub:
        entries = hub.store.list_quarantine()
        codes = {e.source_id: {r["code"] for r in e.reasons} for e in entries}
        payload = hub.store.get_quarantine(entries[0].id).payload
    assert "email_invalid" in codes["bad-email"]
    assert "tckn_invalid" in codes["bad-tckn"]
    assert payload.get("last_name", "").startswith("Yılmaz")


def test_a_record_still_invalid_when_read_again_keeps_one_open_entry_holding_its_latest_state(config: Path) -> None:
    put_records("src", "contacts", {"good": contact(1), "bad": contact(2, email="ahmet@")})
    first = run_migration(config, "src", "dst")
    put_records("src", "contacts", {"good": contact(1), "bad": contact(2, email="ahmet@@", job_title="Satış")})

    again = run_migration(config, "src", "dst", restart=True)

    assert (first["quarantined"], again["quarantined"]) == (1, 1)  # each run still counts it
    with open_hub(config) as hub:
        [entry] = hub.store.list_quarantine()
        assert entry.run_id == again["run_id"]
        assert hub.store.get_quarantine(entry.id).payload["job_title"] == "Satış"
        hub.store.set_quarantine_status([entry.id], "discarded", "known bad")
    third = run_migration(config, "src", "dst", restart=True)
    with open_hub(config) as hub:  # a decided entry stays as decided; the record waits in a new one
        assert [e.run_id for e in hub.store.list_quarantine()] == [third["run_id"]]
        assert len(hub.store.list_quarantine(status="discarded")) == 1


def test_restricted_person_is_suppressed_and_audited(config: Path) -> None:
    put_records("src", "contacts", {"ok": contact(1), "no": contact(2, **{"consent.processing_restricted": True})})

    summary = run_migration(config, "src", "dst")

    assert (summary["created"], summary["suppressed"]) == (1, 1)
    assert len(target_rows()) == 1
    with open_hub(config) as hub:
        assert hub.store.verify_audit().ok


def test_dry_run_writes_nothing_and_reports_field_changes(config: Path) -> None:
    put_records("src", "contacts", {f"s{n}": contact(n) for n in range(3)})
    run_migration(config, "src", "dst")
    put_records("src", "contacts", {"s1": contact(1, job_title="CFO")})
    before = json.dumps(target_rows(), sort_keys=True, default=str)

    preview = run_migration(config, "src", "dst", dry_run=True, restart=True)

    assert json.dumps(target_rows(), sort_keys=True, default=str) == before
    assert (preview["updated"], preview["unchanged"], preview["dry_run"]) == (1, 2, True)
    changes = [json.loads(line) for line in
               (Path(preview["report_dir"]) / "contacts.changes.jsonl").read_text(encoding="utf-8").splitlines()]
    updated = [c for c in changes if c["outcome"] == "updated"]
    assert updated[0]["changes"] == {"job_title": {"before": None, "after": "CFO"}}
    real = run_migration(config, "src", "dst")
    assert real["updated"] == 1, "a dry run must not move the checkpoint"


def test_flaky_target_with_429s_and_lost_responses_ends_with_exact_contents(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src", "page_size": 7},
        "dst": {"connector": "fake", "store": "dst", "rate_limit_every": 3, "drop_after_commit_prob": 0.4,
                "seed": 3},
    })
    put_records("src", "contacts", {f"s{n}": contact(n) for n in range(120)})

    summary = run_migration(config, "src", "dst", batch_size=25)

    assert summary["status"] == "succeeded", summary
    assert_balanced(summary)
    assert summary["read"] == 120
    assert summary["created"] + summary["unchanged"] == 120
    assert len(target_rows()) == 120


def test_a_read_that_fails_half_way_resumes_without_repeating_records(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src", "page_size": 10, "fail_read_after": 4},
        "dst": {"connector": "fake", "store": "dst"},
    })
    put_records("src", "contacts", {f"s{n:02d}": contact(n) for n in range(30)})

    summary = run_migration(config, "src", "dst")

    assert (summary["read"], summary["created"]) == (30, 30)


def test_target_rejections_are_quarantined_per_record(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src"},
        "dst": {"connector": "fake", "store": "dst", "reject_field": "job_title", "reject_value": "Yasak"},
    })
    put_records("src", "contacts", {"a": contact(1), "b": contact(2, job_title="Yasak"), "c": contact(3)})

    summary = run_migration(config, "src", "dst")

    assert (summary["created"], summary["quarantined"]) == (2, 1)
    with open_hub(config) as hub:
        [entry] = hub.store.list_quarantine()
    assert entry.source_id == "b"
    assert entry.reasons[0]["code"] == "FIELD_REJECTED"


def test_a_second_run_of_the_same_pipeline_is_refused(config: Path) -> None:
    put_records("src", "contacts", {"a": contact(1)})
    with open_hub(config) as hub:
        hub.store.acquire_lease("src->dst", "other-host:1", 60)

    with pytest.raises(LeaseHeldError, match="other-host"):
        run_migration(config, "src", "dst")
    assert target_rows() == {}


def test_a_lease_left_by_a_killed_process_on_this_host_is_taken_over(config: Path) -> None:
    import socket
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    put_records("src", "contacts", {"a": contact(1)})
    with open_hub(config) as hub:
        hub.store.acquire_lease("src->dst", f"{socket.gethostname()}:{dead.pid}:0.000", 600)

    summary = run_migration(config, "src", "dst")

    assert (summary["status"], summary["created"]) == ("succeeded", 1)


def test_a_target_read_back_as_a_source_is_the_same_people_not_merges(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src"},
        "mid": {"connector": "fake", "store": "mid"},
        "crm": {"connector": "fake", "store": "crm"},
    })
    put_records("src", "contacts", {"a": contact(1), "b": {**contact(1), "email": "CAGLA1@example.com.tr",
                                                           "job_title": "CFO"}, "c": contact(2)})
    first = run_migration(config, "src", "mid")
    put_records("mid", "contacts", {})

    onward = run_migration(config, "mid", "crm")
    again = run_migration(config, "mid", "crm", restart=True)

    assert (first["created"], first["merged"]) == (2, 1)
    assert (onward["created"], onward["merged"], onward["read"]) == (2, 0, 2)
    assert set(fake_store("crm")["contacts"]) == set(fake_store("mid")["contacts"]), "the hub ids travel on"
    assert (again["unchanged"], again["updated"]) == (2, 0)


def test_values_longer_than_the_target_allows_are_quarantined_before_writing(tmp_path: Path) -> None:
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src"},
        "dst": {"connector": "fake", "store": "dst", "field_limits": {"first_name": 5}},
    })
    put_records("src", "contacts", {"short": contact(1, first_name="Ece"), "long": contact(2, first_name="Gülşenay")})

    summary = run_migration(config, "src", "dst")

    assert (summary["created"], summary["quarantined"]) == (1, 1)
    with open_hub(config) as hub:
        [entry] = hub.store.list_quarantine()
    assert entry.source_id == "long"
    assert entry.reasons[0]["code"] == "too_long"
    assert entry.reasons[0]["field"] == "first_name"


def test_deletes_reported_by_the_source_are_propagated_once(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"src": {"connector": "fake", "store": "src"},
                                     "dst": {"connector": "fake", "store": "dst"}})
    put_records("src", "contacts", {"a": contact(1), "b": contact(2), "c": contact(3)})
    run_migration(config, "src", "dst", deletes="propagate")
    put_records("src", "contacts", {"b": {**contact(2), "_deleted": True}})

    summary = run_migration(config, "src", "dst", deletes="propagate")
    again = run_migration(config, "src", "dst", deletes="propagate")

    assert summary["deleted"] == 1
    assert summary["read"] == 0, "a delete is not a record read"
    assert len(target_rows()) == 2
    assert again["deleted"] == 0


def test_deletes_are_ignored_unless_the_pipeline_propagates_them(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"src": {"connector": "fake", "store": "src"},
                                     "dst": {"connector": "fake", "store": "dst"}})
    put_records("src", "contacts", {"a": contact(1), "b": contact(2)})
    run_migration(config, "src", "dst")
    put_records("src", "contacts", {"b": {**contact(2), "_deleted": True}})

    summary = run_migration(config, "src", "dst")

    assert summary["deleted"] == 0
    assert len(target_rows()) == 2
