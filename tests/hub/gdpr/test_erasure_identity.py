"""Erasure forgets identity resolution's traces: candidate keys, merges, review items, golden-field sources."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from hub.app import open_hub
from hub.state.resolution import GoldenField, IdentityStore
from hub.state.schema import block_keys, golden_fields, match_vetoes, merges, review_items
from hub.testing import put_records, run_migration, write_config
from tests.hub.gdpr.conftest import cli
from tests.hub.identity.conftest import AYSE, GOKHAN

# The same Gökhan in another spelling (merged automatically), and one who may be him (held for review).
AUTO = {"first_name": "GOKHAN", "last_name": "KARAOSMANOGLU", "email": "gokhan.karaosmanoglu@gmail.com",
        "mobile": "0532 111 22 33", "address.city": "BURSA", "job_title": "Satın Alma Müdürü"}
POSSIBLE = {"first_name": "Gökhan", "last_name": "Karaosmanoglu", "email": "gk1979@hotmail.com",
            "address.city": "Bursa"}
TABLES = {"block_keys": block_keys, "golden_fields": golden_fields, "match_vetoes": match_vetoes,
          "merges": merges, "review_items": review_items}

SYSTEMS = {name: {"connector": "fake", "store": name} for name in ("crm", "legacy", "dst")}


def traces(config: Path, hub_ids: list[str], record_ids: list[str]) -> dict[str, int]:
    """Rows of each identity table that name one of ``hub_ids`` or ``record_ids``."""
    found = {}
    with open_hub(config) as hub, hub.store.engine.connect() as conn:
        for name, table in TABLES.items():
            rows = [json.dumps([str(v) for v in row], ensure_ascii=False) for row in conn.execute(select(table))]
            found[name] = sum(any(n in text for n in [*hub_ids, *record_ids]) for text in rows)
    return found


def test_erasing_a_merged_person_leaves_no_trace_in_identity_resolution(tmp_path: Path) -> None:
    config = write_config(tmp_path, SYSTEMS)
    put_records("crm", "contacts", {"c1": GOKHAN, "c2": AYSE})
    run_migration(config, "crm", "dst")
    put_records("legacy", "contacts", {"auto": AUTO, "maybe": POSSIBLE})
    summary = run_migration(config, "legacy", "dst")
    assert (summary["merged"], summary["quarantined"]) == (1, 1), summary
    with open_hub(config) as hub:
        gokhan = hub.store.resolve("crm", "contacts", ["c1"])["c1"]
        ayse = hub.store.resolve("crm", "contacts", ["c2"])["c2"]
        identity = IdentityStore(hub.store)
        identity.record_golden_fields("contacts", gokhan, [GoldenField("job_title", "legacy", "auto", "fill_blanks")])
        identity.veto("contacts", [(gokhan, ayse)])
    before = traces(config, [gokhan], ["auto", "maybe"])
    assert all(before.values()), before
    ayse_before = traces(config, [ayse], [])["block_keys"]

    _, report = cli(config, "gdpr", "erase", GOKHAN["email"])

    assert report["status"] == "completed", report
    assert report["purged"]["merges"] >= 1 and report["purged"]["review_items"] >= 1
    assert traces(config, [gokhan], ["auto", "maybe"]) == dict.fromkeys(TABLES, 0)
    assert traces(config, [ayse], [])["block_keys"] == ayse_before, "other people's candidate keys stay"
