"""commit_batch: outcomes, target links, quarantine and checkpoint land together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hub.records import Outcome
from hub.state import QuarantineItem, RecordOutcome, StateStore
from hub.state import checkpoints as checkpoint_module


class Pipeline:
    """A leased run of pipeline ``nightly``, as the engine would hold it."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.token = store.acquire_lease("nightly", "host-a:101", 600)
        self.run_id = store.start_run("nightly", "csv", "hubspot", ["contacts"], False, self.token)

    def commit(
        self,
        outcomes: list[RecordOutcome],
        links: list[tuple[str, str, str]] | None = None,
        quarantine: list[QuarantineItem] | None = None,
        checkpoint: dict[str, Any] | None = None,
        stream: str = "contacts",
    ) -> None:
        self.store.commit_batch(
            self.run_id, "nightly", stream, outcomes, links or [], quarantine or [], checkpoint, self.token
        )


@pytest.fixture
def pipeline(store: StateStore) -> Iterator[Pipeline]:
    return Pipeline(store)


def _outcomes(start: int, count: int, outcome: str = "created") -> list[RecordOutcome]:
    return [
        RecordOutcome(i, f"customers.csv line {i + 1}", f"C{i}", f"hub-{i}", outcome, f"T{i}", {"changed": ["phone"]})
        for i in range(start, start + count)
    ]


def test_commit_records_everything_of_the_batch(pipeline: Pipeline, store: StateStore) -> None:
    outcomes = [*_outcomes(0, 3), RecordOutcome(3, "customers.csv line 4", "C3", None, Outcome.QUARANTINED)]
    held = QuarantineItem("customers.csv line 4", "C3", "csv", [{"field": "email", "code": "email.invalid"}], {"x": 1})
    links = [(f"hub-{i}", "hubspot", f"T{i}") for i in range(3)]
    pipeline.commit(outcomes, links, [held], {"offset": 4})

    assert store.count_outcomes(pipeline.run_id) == {"created": 3, "quarantined": 1}
    listed = store.list_outcomes(pipeline.run_id)
    assert [o.seq for o in listed] == [0, 1, 2, 3]
    assert listed[0] == outcomes[0]
    assert listed[3].outcome == "quarantined"
    assert listed[3].detail is None
    assert store.resolve("hubspot", "contacts", ["T0", "T2", "T9"]) == {"T0": "hub-0", "T2": "hub-2"}
    assert store.get_checkpoint("nightly", "contacts") == {"offset": 4}
    [entry] = store.list_quarantine(pipeline="nightly")
    assert (entry.ref, entry.stream, entry.run_id, entry.status) == (
        "customers.csv line 4",
        "contacts",
        pipeline.run_id,
        "open",
    )


def test_commit_without_checkpoint_keeps_the_previous_one(pipeline: Pipeline, store: StateStore) -> None:
    pipeline.commit(_outcomes(0, 1), checkpoint={"offset": 1})
    pipeline.commit(_outcomes(1, 1), checkpoint=None)
    assert store.get_checkpoint("nightly", "contacts") == {"offset": 1}
    pipeline.commit(_outcomes(2, 1), checkpoint={"offset": 3, "since": "2026-01-01T00:00:00Z"})
    assert store.get_checkpoint("nightly", "contacts") == {"offset": 3, "since": "2026-01-01T00:00:00Z"}


def test_failure_mid_commit_leaves_nothing(
    pipeline: Pipeline, store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.commit(_outcomes(0, 2), [("hub-0", "hubspot", "T0")], checkpoint={"offset": 2})

    def broken_save(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checkpoint_module, "save", broken_save)
    held = QuarantineItem("line 9", "C9", "csv", [{"code": "x"}], {"name": "Çağla"})
    with pytest.raises(RuntimeError, match="disk on fire"):
        pipeline.commit(_outcomes(2, 500), [(f"hub-{i}", "hubspot", f"T{i}") for i in range(2, 502)], [held], {"o": 9})

    assert store.count_outcomes(pipeline.run_id) == {"created": 2}
    assert store.resolve("hubspot", "contacts", ["T0", "T1", "T2", "T501"]) == {"T0": "hub-0"}
    assert store.list_quarantine() == []
    assert store.get_checkpoint("nightly", "contacts") == {"offset": 2}


def test_checkpoints_are_per_pipeline_and_stream_and_clearable(pipeline: Pipeline, store: StateStore) -> None:
    pipeline.commit([], checkpoint={"contacts": "after C9"})
    pipeline.commit([], checkpoint={"companies": "after K3"}, stream="companies")
    store.save_checkpoint("nightly", "__phase__", {"phase": "write", "bulk_job": "750x0"}, pipeline.token)
    other = store.acquire_lease("weekly", "host-a:101", 600)
    store.save_checkpoint("weekly", "contacts", {"weekly": True}, other)

    assert store.get_checkpoint("nightly", "contacts") == {"contacts": "after C9"}
    assert store.get_checkpoint("nightly", "companies") == {"companies": "after K3"}
    assert store.get_checkpoint("nightly", "__phase__") == {"phase": "write", "bulk_job": "750x0"}
    assert store.get_checkpoint("nightly", "deals") is None

    store.clear_checkpoints("nightly")
    assert store.get_checkpoint("nightly", "contacts") is None
    assert store.get_checkpoint("nightly", "__phase__") is None
    assert store.get_checkpoint("weekly", "contacts") == {"weekly": True}


def test_checkpoint_keeps_unicode_and_nesting(pipeline: Pipeline, store: StateStore) -> None:
    cursor = {"after": "Şükrü Öztürk", "pages": [1, 2, {"n": None}], "ts": 1.5, "ok": True}
    pipeline.commit([], checkpoint=cursor)
    assert store.get_checkpoint("nightly", "contacts") == cursor


def test_list_outcomes_filters_and_pages(pipeline: Pipeline, store: StateStore) -> None:
    pipeline.commit(_outcomes(0, 5, "created") + _outcomes(5, 3, "unchanged") + _outcomes(8, 2, "created"))
    created = store.list_outcomes(pipeline.run_id, outcome="created")
    assert [o.seq for o in created] == [0, 1, 2, 3, 4, 8, 9]
    assert [o.seq for o in store.list_outcomes(pipeline.run_id, limit=3, offset=4)] == [4, 5, 6]
    assert [o.seq for o in store.list_outcomes(pipeline.run_id, outcome="unchanged", offset=2)] == [7]
    assert store.list_outcomes(pipeline.run_id, outcome="deleted") == []
    assert store.count_outcomes(pipeline.run_id) == {"created": 7, "unchanged": 3}
    assert store.count_outcomes("0" * 32) == {}


def test_outcomes_of_different_runs_stay_apart(pipeline: Pipeline, store: StateStore) -> None:
    pipeline.commit(_outcomes(0, 2))
    second_run = store.start_run("nightly", "csv", "hubspot", ["contacts"], True, pipeline.token)
    store.commit_batch(second_run, "nightly", "contacts", _outcomes(0, 3, "updated"), [], [], None, pipeline.token)
    assert store.count_outcomes(pipeline.run_id) == {"created": 2}
    assert store.count_outcomes(second_run) == {"updated": 3}


def test_a_large_batch_commits(pipeline: Pipeline, store: StateStore) -> None:
    outcomes = _outcomes(0, 2000)
    links = [(f"hub-{i}", "hubspot", f"T{i}") for i in range(2000)]
    pipeline.commit(outcomes, links, checkpoint={"offset": 2000})
    assert store.count_outcomes(pipeline.run_id) == {"created": 2000}
    assert len(store.resolve("hubspot", "contacts", [f"T{i}" for i in range(2000)])) == 2000


def test_awkward_text_survives_the_bulk_paths(pipeline: Pipeline, store: StateStore) -> None:
    ref = "müşteriler.csv line 3\twith\ttabs, a back\\slash, a 'quote' and\na newline"
    detail = {"note": "a\tb\\c\r\nd", "empty": "", "none": None}
    pipeline.commit(
        [RecordOutcome(1, ref, "İD\\1", "hub-\t1", "created", "T\n1", detail)],
        [("hub-\t1", "hubspot", "T\n1\\")],
    )
    [stored] = store.list_outcomes(pipeline.run_id)
    assert stored == RecordOutcome(1, ref, "İD\\1", "hub-\t1", "created", "T\n1", detail)
    assert store.resolve("hubspot", "contacts", ["T\n1\\"]) == {"T\n1\\": "hub-\t1"}
