"""Two-way sync: a field emptied on the side whose value stands is emptied on the other side too."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hub.app import open_hub
from hub.engine.identity import mint_hub_id
from hub.engine.twoway import decide_conflict, open_conflicts
from hub.testing import fake_store, put_records, write_config
from tests.hub.engine.twoway_helpers import cycle, edit

BEFORE = "2026-01-01T00:00:00+00:00"
EARLY, LATE = "2026-03-01T09:00:00+00:00", "2026-03-01T10:00:00+00:00"


def person(n: int) -> dict[str, Any]:
    return {"first_name": "Ayşe", "last_name": f"Kılıç{n}", "email": f"ayse{n}@example.com.tr",
            "job_title": "Mühendis", "address.city": "İzmir", "updated_at": BEFORE}


def hub(n: int) -> str:
    return mint_hub_id("a", "contacts", f"s{n}")


def synced(tmp_path: Path, b: dict[str, Any] | None = None, **pipeline: Any) -> Path:
    config = write_config(tmp_path, {
        "a": {"connector": "fake", "store": "a", "page_size": 4},
        "b": b or {"connector": "fake", "store": "b", "classification": "sales"},
    }, pipelines={"ab": {"source": "a", "target": "b", "direction": "both", **pipeline}})
    put_records("a", "contacts", {f"s{n}": person(n) for n in range(3)})
    assert cycle(config)["created"] == 3
    return config




def job_titles(n: int) -> tuple[Any, Any]:
    return fake_store("a")["contacts"][f"s{n}"].get("job_title"), fake_store("b")["contacts"][hub(n)].get("job_title")


RULES = [{"conflict": "source_wins"}, {"conflict": "target_wins"}, {"conflict": "newest_wins"},
         {"conflict": "field_owner", "field_owners": {"job_title": "a"}},
         {"conflict": "field_owner", "field_owners": {"job_title": "b"}}, {"conflict": "manual"}]


@pytest.mark.parametrize("rule", RULES)
def test_a_field_emptied_on_one_side_only_is_emptied_on_the_other(tmp_path: Path, rule: dict[str, Any]) -> None:
    config = synced(tmp_path, **rule)
    edit("a", "s1", job_title=None, updated_at=LATE)
    edit("b", hub(2), job_title=None, updated_at=LATE)

    first = cycle(config)
    later = [cycle(config) for _ in range(2)]

    assert job_titles(1) == job_titles(2) == (None, None)
    assert job_titles(0) == ("Mühendis", "Mühendis")
    assert [leg["sync"]["cleared"] for leg in first["legs"]] == [1, 1]
    assert first["updated"] == 2
    assert later[0]["updated"] == later[1]["read"] == 0  # the emptied field does not echo back


@pytest.mark.parametrize(("rule", "a_at", "b_at", "expected"), [
    ({"conflict": "source_wins"}, EARLY, LATE, None),
    ({"conflict": "target_wins"}, LATE, EARLY, "Hakim"),
    ({"conflict": "newest_wins"}, LATE, EARLY, None),
    ({"conflict": "newest_wins"}, EARLY, LATE, "Hakim"),
    ({"conflict": "field_owner", "field_owners": {"job_title": "a"}}, EARLY, LATE, None),
    ({"conflict": "field_owner", "field_owners": {"job_title": "b"}}, LATE, EARLY, "Hakim"),
])
def test_emptied_against_changed_is_decided_by_the_rule(tmp_path: Path, rule: dict[str, Any], a_at: str, b_at: str,
                                                       expected: str | None) -> None:
    config = synced(tmp_path, **rule)
    edit("a", "s1", job_title=None, updated_at=a_at)
    edit("b", hub(1), job_title="Hakim", updated_at=b_at)

    cycle(config)
    cycle(config)

    assert job_titles(1) == (expected, expected)


def test_manual_emptied_against_changed_waits_for_a_person_then_empties(tmp_path: Path) -> None:
    config = synced(tmp_path, conflict="manual")
    edit("a", "s1", job_title=None)
    edit("b", hub(1), job_title="Hakim")

    cycle(config)

    assert job_titles(1) == (None, "Hakim")
    with open_hub(config) as session:
        assert open_conflicts(session.store, "ab")[f"{hub(1)}:job_title"]["values"] == {"a": None, "b": "Hakim"}
        decide_conflict(session.store, "ab", f"{hub(1)}:job_title", keep="a")
    cycle(config)

    assert job_titles(1) == (None, None)


def test_a_field_the_target_cannot_hold_empty_is_reported_not_emptied(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE contacts (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100), "
                     "last_name VARCHAR(100), email VARCHAR(255), job_title VARCHAR(100) NOT NULL, "
                     "address__city VARCHAR(100), updated_at TIMESTAMP)")
    config = synced(tmp_path, {"connector": "sql", "url": f"sqlite:///{db}", "table": "contacts"})
    edit("a", "s1", job_title=None, **{"address.city": None})

    result = cycle(config)

    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT job_title, address__city FROM contacts WHERE id = ?", (hub(1),)).fetchone()
    assert row == ("Mühendis", None)  # the nullable column emptied, the NOT NULL one kept
    forward = result["legs"][0]
    assert (forward["sync"]["cannot_clear"], forward["sync"]["cleared"], forward["quarantined"]) == (1, 1, 0)
    with open_hub(config) as session:
        outcome = next(o for o in session.store.list_outcomes(forward["run_id"]) if o.hub_id == hub(1))
    assert outcome.outcome == "updated"
    assert outcome.detail is not None
    assert outcome.detail["cannot_clear"] == ["job_title"]
    assert outcome.detail["fields"] == ["address.city"]
