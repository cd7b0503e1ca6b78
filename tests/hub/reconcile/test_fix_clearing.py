"""``reconcile --fix``: a field the kept side holds empty is emptied in the others, where they can hold it empty."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hub.engine.identity import mint_hub_id
from hub.testing import fake_store, put_records, run_migration, write_config
from tests.hub.reconcile.conftest import make_config, person, reconcile

EARLY, LATE = "2026-03-01T09:00:00+00:00", "2026-03-01T10:00:00+00:00"


def hub(n: int) -> str:
    return mint_hub_id("src", "contacts", f"s{n}")


def migrate(config: Path) -> None:
    put_records("src", "contacts", {f"s{n}": person(n, job_title="Mühendis") for n in range(3)})
    summary = run_migration(config, "src", "dst", pipeline="src-to-dst")
    assert summary["created"] == 3


def job_titles() -> tuple[Any, Any]:
    return fake_store("src")["contacts"]["s1"].get("job_title"), fake_store("dst")["contacts"][hub(1)].get("job_title")


@pytest.mark.parametrize(("rule", "emptied_in", "expected"), [
    ({"conflict": "source_wins"}, "src", None),
    ({"conflict": "source_wins"}, "dst", "Mühendis"),
    ({"conflict": "target_wins"}, "dst", None),
    ({"conflict": "target_wins"}, "src", "Mühendis"),
    ({"conflict": "field_owner", "field_owners": {"job_title": "dst"}}, "dst", None),
    ({"conflict": "field_owner", "field_owners": {"job_title": "dst"}}, "src", "Mühendis"),
    ({"conflict": "newest_wins"}, "src", None),  # the side that emptied it did so later
])
def test_the_kept_sides_empty_field_is_emptied_elsewhere(tmp_path: Path, rule: dict[str, Any], emptied_in: str,
                                                         expected: str | None) -> None:
    config = make_config(tmp_path, **rule)
    migrate(config)
    src, dst = fake_store("src")["contacts"]["s1"], fake_store("dst")["contacts"][hub(1)]
    emptied, other = (src, dst) if emptied_in == "src" else (dst, src)
    emptied.pop("job_title")
    emptied["updated_at"], other["updated_at"] = LATE, EARLY

    healed = reconcile(config, fix=True)

    assert healed.fix is not None and healed.fix["ok"], healed.fix
    assert job_titles() == (expected, expected)
    assert healed.fix["cleared"] == (1 if expected is None else 0)
    assert healed.fix["cannot_clear"] == 0
    assert reconcile(config).summary["differences"] == 0


def test_manual_leaves_an_emptied_field_for_a_person(tmp_path: Path) -> None:
    config = make_config(tmp_path, conflict="manual")
    migrate(config)
    fake_store("src")["contacts"]["s1"].pop("job_title")

    healed = reconcile(config, fix=True)

    assert healed.fix is not None and healed.fix["left_for_review"] == 1
    assert job_titles() == (None, "Mühendis")


def test_a_target_that_cannot_hold_the_field_empty_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "dst.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE contacts (id VARCHAR(64) PRIMARY KEY, first_name VARCHAR(100), "
                     "last_name VARCHAR(100), email VARCHAR(255), job_title VARCHAR(100) NOT NULL, "
                     "mobile VARCHAR(32), address__city VARCHAR(100), address__country VARCHAR(2), "
                     "consent__email VARCHAR(16), external_ids JSON, updated_at TIMESTAMP)")
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src"},
        "dst": {"connector": "sql", "url": f"sqlite:///{db}", "table": "contacts"},
    }, pipelines={"src-to-dst": {"source": "src", "target": "dst"}})
    migrate(config)
    src = fake_store("src")["contacts"]["s1"]
    src.pop("job_title")
    src.pop("address.city")

    healed = reconcile(config, fix=True)

    assert healed.fix is not None and healed.fix["ok"], healed.fix
    assert (healed.fix["cleared"], healed.fix["cannot_clear"]) == (1, 1)
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT job_title, address__city FROM contacts WHERE id = ?", (hub(1),)).fetchone()
    assert row == ("Mühendis", None)
    assert reconcile(config).summary["field_differences"] == {"job_title": 1}
