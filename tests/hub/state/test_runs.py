"""Runs: start, finish, list newest first, get, find by a unique id prefix."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.state import StateLookupError, StateStore
from hub.state import runs as run_module


def _start(store: StateStore, pipeline: str = "nightly", dry_run: bool = False) -> str:
    return store.start_run(pipeline, "csv", "hubspot", ["contacts", "companies"], dry_run, 7)


def test_started_run_is_running_until_finished(store: StateStore) -> None:
    run_id = _start(store, dry_run=True)
    assert len(run_id) == 32
    assert int(run_id, 16) >= 0
    info = store.get_run(run_id)
    assert info is not None
    assert (info.pipeline, info.source, info.target) == ("nightly", "csv", "hubspot")
    assert info.streams == ["contacts", "companies"]
    assert info.dry_run is True
    assert info.status == "running"
    assert info.fencing_token == 7
    assert info.finished_at is None
    assert info.summary == {}
    assert info.started_at.tzinfo is not None
    assert abs(info.started_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)

    store.finish_run(run_id, "succeeded", {"created": 3, "streams": {"contacts": {"read": 3}}, "şehir": "İzmir"})
    done = store.get_run(run_id)
    assert done is not None
    assert done.status == "succeeded"
    assert done.finished_at is not None
    assert done.finished_at >= done.started_at
    assert done.summary == {"created": 3, "streams": {"contacts": {"read": 3}}, "şehir": "İzmir"}


def test_finish_rejects_unknown_status_and_unknown_run(store: StateStore) -> None:
    run_id = _start(store)
    with pytest.raises(ValueError, match="succeeded"):
        store.finish_run(run_id, "done", {})
    with pytest.raises(StateLookupError, match="no run"):
        store.finish_run("f" * 32, "failed", {})


def test_list_runs_is_newest_first_and_filters_by_pipeline(store: StateStore, monkeypatch: pytest.MonkeyPatch) -> None:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = []
    for minute, pipeline in enumerate(["a", "b", "a", "b", "a"]):
        monkeypatch.setattr(run_module, "utcnow", lambda m=minute: base + dt.timedelta(minutes=m))
        ids.append(_start(store, pipeline))
    assert [r.run_id for r in store.list_runs()] == ids[::-1]
    assert [r.run_id for r in store.list_runs(limit=2)] == [ids[4], ids[3]]
    assert [r.run_id for r in store.list_runs(pipeline="a")] == [ids[4], ids[2], ids[0]]
    assert store.list_runs(pipeline="nobody") == []


def test_get_run_of_unknown_id_is_none(store: StateStore) -> None:
    assert store.get_run("0" * 32) is None


def test_find_run_by_prefix(store: StateStore, monkeypatch: pytest.MonkeyPatch) -> None:
    made = iter(["abc100" + "0" * 26, "abc200" + "0" * 26, "def300" + "0" * 26])
    monkeypatch.setattr(run_module, "new_run_id", lambda: next(made))
    first, second, third = _start(store), _start(store), _start(store)

    found = store.find_run("abc1")
    assert found is not None
    assert found.run_id == first
    assert store.find_run("DEF") is not None, "prefixes are case-insensitive"
    assert store.find_run(third).run_id == third  # type: ignore[union-attr]
    assert store.find_run("abc2").run_id == second  # type: ignore[union-attr]
    assert store.find_run("0") is None
    assert store.find_run("") is None
    assert store.find_run("ab%") is None, "only hex digits can match"
    with pytest.raises(StateLookupError, match="'abc' matches several runs"):
        store.find_run("abc")
