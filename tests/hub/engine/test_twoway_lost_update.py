"""Two-way sync into a SQL table: an edit landing between crmhub's last re-read and its write is never lost.

The edit is made inside the connector's ``write`` call, before its transaction starts: after every
check crmhub can make on its side. The conditional write refuses the record, and the next cycle
settles both sides' edits by the pipeline's rule.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hub.app import open_hub
from hub.connectors.sql import SqlConnector
from hub.engine.identity import mint_hub_id
from hub.engine.twoway import open_conflicts
from hub.records import WriteRequest, WriteResult
from hub.testing import fake_store, put_records, write_config
from tests.hub.engine.twoway_helpers import cycle, edit

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
A_EDITED_AT = NOW + dt.timedelta(minutes=1)
B_EDITED_AT = NOW + dt.timedelta(hours=1)


def person(n: int) -> dict[str, Any]:
    return {"first_name": "Ayşe", "last_name": f"Kılıç{n}", "email": f"ayse{n}@example.com.tr",
            "address.city": "İzmir", "job_title": "Mühendis", "updated_at": NOW.isoformat()}


def hub(n: int) -> str:
    return mint_hub_id("a", "contacts", f"s{n}")



def b_row(db: Path, n: int) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM contacts WHERE id = ?", (hub(n),)).fetchone())


RULES = [
    ({"conflict": "source_wins"}, "Adana"),
    ({"conflict": "target_wins"}, "Bursa"),
    ({"conflict": "newest_wins"}, "Bursa"),  # b's edit is an hour later than a's
    ({"conflict": "field_owner", "field_owners": {"address.city": "b"}}, "Bursa"),
    ({"conflict": "field_owner", "field_owners": {"address.city": "a"}}, "Adana"),
    ({"conflict": "manual"}, None),
]


@pytest.mark.parametrize(("rule", "city"), RULES)
def test_an_edit_just_before_the_write_is_refused_and_settled_by_the_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: dict[str, Any], city: str | None
) -> None:
    db = tmp_path / "b.db"
    config = write_config(tmp_path, {
        "a": {"connector": "fake", "store": "a", "page_size": 4},
        "b": {"connector": "sql", "url": f"sqlite:///{db}", "table": "contacts", "classification": "sales"},
    }, pipelines={"ab": {"source": "a", "target": "b", "direction": "both", **rule}})
    put_records("a", "contacts", {f"s{n}": person(n) for n in range(3)})
    assert cycle(config)["created"] == 3

    original = SqlConnector.write
    injected: list[str | None] = []

    def write_after_someone_edits(self: SqlConnector, stream: str, batch: Sequence[WriteRequest]
                                  ) -> list[WriteResult]:
        target = next((r for r in batch if r.key == hub(1)), None)
        if target is not None and not injected:
            injected.append(target.expected)
            with sqlite3.connect(db) as conn:  # another user of b, after crmhub's last look
                conn.execute("UPDATE contacts SET address__city = 'Bursa', owner = 'Deniz', updated_at = ? "
                             "WHERE id = ?", (B_EDITED_AT.replace(tzinfo=None).isoformat(" ", "microseconds"),
                                             hub(1)))
        return original(self, stream, batch)

    monkeypatch.setattr(SqlConnector, "write", write_after_someone_edits)
    edit("a", "s1", **{"address.city": "Adana", "updated_at": A_EDITED_AT.isoformat()})

    first = cycle(config)
    cycle(config)

    assert len(injected) == 1
    assert injected[0] is not None  # the write carried what crmhub last saw
    forward = first["legs"][0]
    assert forward["sync"]["refused"] == 1
    assert forward["quarantined"] == 0  # refused by the target is not an error: it waits for the rule
    a_row = fake_store("a")["contacts"]["s1"]
    b = b_row(db, 1)
    assert a_row["owner"] == b["owner"] == "Deniz"  # b's edit of a field a left alone reached a
    if city is None:  # manual: nobody's value overwritten, a person decides
        assert (a_row["address.city"], b["address__city"]) == ("Adana", "Bursa")
        with open_hub(config) as session:
            queue = open_conflicts(session.store, "ab")
        assert queue[f"{hub(1)}:address.city"]["values"] == {"a": "Adana", "b": "Bursa"}
    else:
        assert a_row["address.city"] == b["address__city"] == city
        assert sum(leg["sync"]["conflicts"] for leg in first["legs"]) >= 1  # the rule saw both edits
