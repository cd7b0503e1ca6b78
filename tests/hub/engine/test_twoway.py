"""Two-way sync: changes flow both ways, crmhub's own writes never echo back, conflicts follow the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.app import open_hub
from hub.engine.identity import mint_hub_id
from hub.engine.twoway import decide_conflict, open_conflicts
from hub.state.reconciliation import ReconcileStore
from hub.testing import FakeConnector, fake_store, put_records, write_config
from tests.hub.engine.twoway_helpers import cycle, edit


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"first_name": "Ayşe", "last_name": f"Kılıç{n}", "email": f"ayse{n}@example.com.tr",
            "mobile": "+905321234567", "address.city": "İzmir", "address.country": "TR", **extra}


def hub(n: int) -> str:
    return mint_hub_id("a", "contacts", f"s{n}")


def make(tmp_path: Path, **pipeline: Any) -> Path:
    return write_config(tmp_path, {
        "a": {"connector": "fake", "store": "a", "page_size": 4},
        "b": {"connector": "fake", "store": "b", "classification": "sales"},
    }, pipelines={"ab": {"source": "a", "target": "b", "direction": "both", **pipeline}})




def a_row(n: int) -> dict[str, Any]:
    return fake_store("a")["contacts"][f"s{n}"]


def b_row(n: int) -> dict[str, Any]:
    return fake_store("b")["contacts"][hub(n)]


@pytest.fixture
def synced(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    config = make(tmp_path, **getattr(request, "param", {}))
    put_records("a", "contacts", {f"s{n}": person(n) for n in range(5)})
    first = cycle(config)
    assert first["created"] == 5
    return config


def test_changes_on_each_side_reach_the_other(synced: Path) -> None:
    edit("a", "s1", job_title="Satış Müdürü")
    edit("b", hub(2), **{"address.city": "Ankara"})
    put_records("b", "contacts", {"b-new": person(99)})

    cycle(synced)

    assert b_row(1)["job_title"] == "Satış Müdürü"
    assert a_row(2)["address.city"] == "Ankara"
    assert len(fake_store("a")["contacts"]) == 6  # the record created in b arrived, in place of nothing
    assert {r["email"] for r in fake_store("a")["contacts"].values()} >= {"ayse99@example.com.tr"}


def test_no_echo_loop_over_ten_cycles_without_changes(synced: Path) -> None:
    edit("a", "s1", job_title="CFO")
    edit("b", hub(3), **{"address.city": "Bursa"})
    cycle(synced)
    before = {name: {k: dict(v) for k, v in fake_store(name)["contacts"].items()} for name in ("a", "b")}

    runs = [cycle(synced) for _ in range(10)]

    assert all(r["created"] == r["updated"] == r["merged"] == r["deleted"] == 0 for r in runs), runs
    assert sum(r["read"] for r in runs[1:]) == 0  # after one look at crmhub's own writes, nothing is read
    after = {name: {k: dict(v) for k, v in fake_store(name)["contacts"].items()} for name in ("a", "b")}
    assert after == before  # not even a modification sequence moved


@pytest.mark.parametrize(("synced", "expected"), [
    ({"conflict": "source_wins"}, "Adana"),
    ({"conflict": "target_wins"}, "Bursa"),
], indirect=["synced"])
def test_same_field_changed_on_both_sides_follows_the_rule(synced: Path, expected: str) -> None:
    edit("a", "s1", **{"address.city": "Adana"}, job_title="Mühendis")
    edit("b", hub(1), **{"address.city": "Bursa"}, owner="Deniz")

    cycle(synced)
    cycle(synced)

    assert a_row(1)["address.city"] == b_row(1)["address.city"] == expected
    assert a_row(1)["job_title"] == b_row(1)["job_title"] == "Mühendis"  # not in conflict: both kept
    assert a_row(1)["owner"] == b_row(1)["owner"] == "Deniz"


@pytest.mark.parametrize(("b_time", "expected"), [
    ("2026-03-01T10:00:00+00:00", "Bursa"),   # b edited an hour later
    ("2026-03-01T09:00:03+00:00", "Adana"),   # three seconds apart: within the skew, the source decides
    ("2026-03-01T08:00:00+00:00", "Adana"),   # a edited later
])
def test_newest_wins_by_modification_time_with_clock_skew(tmp_path: Path, b_time: str, expected: str) -> None:
    config = make(tmp_path, conflict="newest_wins", clock_skew_s=5)
    put_records("a", "contacts", {f"s{n}": person(n, updated_at="2026-01-01T00:00:00+00:00") for n in range(3)})
    cycle(config)
    edit("a", "s1", **{"address.city": "Adana", "updated_at": "2026-03-01T09:00:00+00:00"})
    edit("b", hub(1), **{"address.city": "Bursa", "updated_at": b_time})

    cycle(config)
    cycle(config)

    assert a_row(1)["address.city"] == b_row(1)["address.city"] == expected


@pytest.mark.parametrize("synced", [{"conflict": "field_owner",
                                     "field_owners": {"address.city": "b", "consent.*": "b", "job_title": "a"}}],
                         indirect=True)
def test_field_owner_decides_each_field(synced: Path) -> None:
    edit("a", "s2", **{"address.city": "Adana", "job_title": "Avukat", "consent.email": "granted"})
    edit("b", hub(2), **{"address.city": "Bursa", "job_title": "Hakim", "consent.email": "withdrawn"})

    cycle(synced)
    cycle(synced)

    for row in (a_row(2), b_row(2)):
        assert (row["address.city"], row["job_title"], row["consent.email"]) == ("Bursa", "Avukat", "withdrawn")


@pytest.mark.parametrize("synced", [{"conflict": "manual"}], indirect=True)
def test_manual_conflicts_wait_in_the_review_queue_until_decided(synced: Path) -> None:
    edit("a", "s3", **{"address.city": "Adana"})
    edit("b", hub(3), **{"address.city": "Bursa"})

    cycle(synced)
    cycle(synced)

    assert (a_row(3)["address.city"], b_row(3)["address.city"]) == ("Adana", "Bursa")  # nobody overwrote
    with open_hub(synced) as session:
        queue = open_conflicts(session.store, "ab")
        assert list(queue) == [f"{hub(3)}:address.city"]
        assert queue[f"{hub(3)}:address.city"]["values"] == {"a": "Adana", "b": "Bursa"}
        decide_conflict(session.store, "ab", f"{hub(3)}:address.city", keep="b")

    cycle(synced)

    assert a_row(3)["address.city"] == b_row(3)["address.city"] == "Bursa"
    with open_hub(synced) as session:
        assert open_conflicts(session.store, "ab") == {}


@pytest.mark.parametrize("synced", [{"conflict": "target_wins"}], indirect=True)
def test_an_edit_between_read_and_write_is_not_lost(synced: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """b is edited after crmhub compared the record and before it writes: the write is held back, not lost."""
    original = FakeConnector.lookup
    done: list[bool] = []

    def lookup_then_someone_edits(self: FakeConnector, stream: str, keys: Any) -> dict[str, dict[str, Any]]:
        found = original(self, stream, keys)
        if self.config.store == "b" and hub(4) in keys and not done:  # type: ignore[attr-defined]
            done.append(True)
            edit("b", hub(4), **{"address.city": "Bursa"})
        return found

    monkeypatch.setattr(FakeConnector, "lookup", lookup_then_someone_edits)
    edit("a", "s4", **{"address.city": "Adana"})

    first = cycle(synced)
    cycle(synced)

    assert done
    assert first["legs"][0]["sync"]["deferred"] == 1
    assert b_row(4)["address.city"] == a_row(4)["address.city"] == "Bursa"  # target_wins: b's late edit kept


@pytest.mark.parametrize("synced", [{"deletes": "propagate"}], indirect=True)
def test_deletes_follow_the_delete_rule(synced: Path) -> None:
    edit("a", "s0", _deleted=True)

    cycle(synced)

    assert hub(0) not in fake_store("b")["contacts"]
    assert len(fake_store("b")["contacts"]) == 4


def test_sync_states_are_read_a_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make(tmp_path, batch_size=10)
    put_records("a", "contacts", {f"s{n}": person(n) for n in range(30)})
    reads: list[int] = []
    original = ReconcileStore.sync_states

    def counted(self: ReconcileStore, namespace: str, hub_ids: Any) -> dict[str, dict[str, Any]]:
        reads.append(len(hub_ids))
        return original(self, namespace, hub_ids)

    monkeypatch.setattr(ReconcileStore, "sync_states", counted)
    first = cycle(config)

    assert (first["legs"][0]["created"], first["legs"][1]["sync"]["echoes"]) == (30, 30)
    assert sum(reads) >= 60  # every record's state was looked at, each leg's batch in one read (was a read each)
    assert len(reads) <= 10
