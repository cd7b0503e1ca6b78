"""Incremental identity resolution in runs: probable matches merge, possible ones wait for review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.app import open_hub
from hub.state.resolution import IdentityStore
from hub.state.schema import audit
from hub.testing import fake_store, put_records, run_migration
from tests.hub.identity.conftest import AYSE, GOKHAN

AUTO = {"first_name": "GOKHAN", "last_name": "KARAOSMANOGLU", "email": "gokhan.karaosmanoglu@gmail.com",
        "mobile": "0532 111 22 33", "address.city": "BURSA", "job_title": "Satın Alma Müdürü"}
POSSIBLE = {"first_name": "Gökhan", "last_name": "Karaosmanoglu", "email": "gk1979@hotmail.com",
            "address.city": "Bursa"}
STRANGER = {"first_name": "Gökhan", "last_name": "Demir", "email": "gdemir@example.com", "address.city": "Bursa"}


def target_rows() -> dict[str, dict[str, Any]]:
    return fake_store("dst").get("contacts", {})


def migrate_known(config: Path) -> None:
    put_records("crm", "contacts", {"c1": GOKHAN, "c2": AYSE})
    first = run_migration(config, "crm", "dst")
    assert first["created"] == 2


def test_duplicates_of_records_already_in_the_target_update_them_and_nothing_is_duplicated(config: Path) -> None:
    migrate_known(config)
    put_records("legacy", "contacts", {
        "exact": {**AYSE, "email": "AYSE.YILDIRIM@EXAMPLE.COM.TR", "company": "Ege Gıda"},  # the same e-mail
        "auto": AUTO,  # no shared key: same phone in another spelling, same name without Turkish letters
        "new": STRANGER,
    })

    summary = run_migration(config, "legacy", "dst")

    assert (summary["merged"], summary["created"], summary["quarantined"]) == (2, 1, 0), summary
    assert len(target_rows()) == 3
    gokhan = next(r for r in target_rows().values() if r.get("email") == GOKHAN["email"])
    assert gokhan["job_title"] == "Satın Alma Müdürü"  # a blank filled by the duplicate
    assert gokhan["first_name"] == "Gökhan"  # never overwritten by the duplicate's spelling
    rerun = run_migration(config, "legacy", "dst", restart=True)
    assert (rerun["created"], rerun["merged"], rerun["updated"]) == (0, 0, 0), rerun
    assert len(target_rows()) == 3


def test_a_probable_merge_is_audited_with_its_decision_and_score_and_no_personal_data(config: Path) -> None:
    migrate_known(config)
    put_records("legacy", "contacts", {"auto": AUTO})
    run_migration(config, "legacy", "dst")

    with open_hub(config) as hub, hub.store.engine.connect() as conn:
        rows = conn.execute(select(audit.c.event, audit.c.subject, audit.c.details)).all()
        merges = IdentityStore(hub.store).list_merges()
    merged = [json.loads(d) for e, _, d in rows if e == "record.merged"]
    assert len(merged) == 1
    assert merged[0]["match"]["band"] == "match"
    assert merged[0]["match"]["rule"] == "phone_and_name"
    assert 0.95 <= merged[0]["match"]["score"] <= 1
    text = json.dumps([list(r) for r in rows], ensure_ascii=False)
    for value in ("gokhan", "Gökhan", "GOKHAN", "532", "Bursa", "BURSA"):
        assert value not in text
    assert len(merges) == 1
    assert merges[0].decided_by == "auto"


def test_a_possible_match_is_held_for_review_and_accepting_merges_it(config: Path) -> None:
    migrate_known(config)
    put_records("legacy", "contacts", {"maybe": POSSIBLE})

    held = run_migration(config, "legacy", "dst")

    assert held["quarantined"] == 1
    with open_hub(config) as hub:
        entry = hub.store.list_quarantine()[0]
        items = IdentityStore(hub.store).list_reviews()
    assert entry.reasons[0]["code"] == "identity_review"
    assert len(items) == 1
    assert items[0].kind == "sync"
    assert 0.6 <= items[0].score < 0.95
    assert [m.connection for m in items[0].members] == ["legacy", "dst"]

    from typer.testing import CliRunner

    from hub.cli.app import app

    runner = CliRunner()
    shown = runner.invoke(app, ["review", "show", str(items[0].id), "--config", str(config), "--json"])
    assert shown.exit_code == 0, shown.output
    values = json.loads(shown.output.strip().splitlines()[-1])["values"]
    assert values[0]["email"] == POSSIBLE["email"]
    assert values[1]["email"] == GOKHAN["email"]
    accepted = runner.invoke(app, ["review", "accept", str(items[0].id), "--config", str(config)])
    assert accepted.exit_code == 0, accepted.output
    retried = runner.invoke(app, ["quarantine", "retry", "--config", str(config), "--json"])
    assert retried.exit_code == 0, retried.output
    summary = json.loads(retried.output.strip().splitlines()[-1])
    assert summary["merged"] == 1
    assert len(target_rows()) == 2


def test_rejecting_a_possible_match_loads_the_record_as_a_new_person(config: Path) -> None:
    migrate_known(config)
    put_records("legacy", "contacts", {"maybe": POSSIBLE})
    run_migration(config, "legacy", "dst")
    from typer.testing import CliRunner

    from hub.cli.app import app

    with open_hub(config) as hub:
        item = IdentityStore(hub.store).list_reviews()[0]
    runner = CliRunner()
    assert runner.invoke(app, ["review", "reject", str(item.id), "--config", str(config)]).exit_code == 0
    retried = runner.invoke(app, ["quarantine", "retry", "--config", str(config), "--json"])
    summary = json.loads(retried.output.strip().splitlines()[-1])
    assert (summary["created"], summary["quarantined"]) == (1, 0), summary
    assert len(target_rows()) == 3


def test_unmerge_restores_the_identity_map_and_the_record_becomes_its_own(config: Path) -> None:
    migrate_known(config)
    put_records("legacy", "contacts", {"auto": AUTO})
    run_migration(config, "legacy", "dst")
    from typer.testing import CliRunner

    from hub.cli.app import app

    runner = CliRunner()
    undone = runner.invoke(app, ["unmerge", "--record", "legacy:auto", "--config", str(config), "--json"])
    assert undone.exit_code == 0, undone.output
    with open_hub(config) as hub:
        linked = hub.store.resolve("legacy", "contacts", ["auto"])
        merged = hub.store.resolve("legacy", "contacts#merged", ["auto"])
        assert IdentityStore(hub.store).list_merges() == []
    assert linked and not merged
    again = run_migration(config, "legacy", "dst", restart=True)
    assert again["created"] == 1, again
    assert len(target_rows()) == 3


def test_a_configured_survivorship_rule_lets_a_trusted_source_overwrite_and_records_the_source(
        tmp_path: Path) -> None:
    from hub.testing import write_config

    config = write_config(tmp_path, {
        "crm": {"connector": "fake", "store": "crm"},
        "legacy": {"connector": "fake", "store": "legacy"},
        "dst": {"connector": "fake", "store": "dst"},
    })
    text = config.read_text(encoding="utf-8") + (
        "identity:\n  streams:\n    contacts:\n      survivorship:\n        source_priority: [legacy, crm]\n"
        "        fields: {address.city: source_priority}\n")
    config.write_text(text, encoding="utf-8")
    migrate_known(config)
    put_records("legacy", "contacts", {"exact": {**AYSE, "address.city": "Ankara", "first_name": "AYSE"}})

    summary = run_migration(config, "legacy", "dst")

    assert summary["merged"] == 1
    ayse = next(iter(r for r in target_rows().values() if r.get("email") == AYSE["email"]))
    assert ayse["address.city"] == "Ankara"  # the trusted source wins this field
    assert ayse["first_name"] == "Ayşe"  # other fields keep filling blanks only
    with open_hub(config) as hub:
        hub_id = hub.store.resolve("crm", "contacts", ["c2"])["c2"]
        golden = IdentityStore(hub.store).golden_fields("contacts", [hub_id])[hub_id]
    assert golden["address.city"].connection == "legacy"
    assert golden["address.city"].rule == "source_priority"
    assert "first_name" not in golden


def test_forgetting_a_person_removes_their_candidate_keys(config: Path) -> None:
    from sqlalchemy import func

    from hub.state.schema import block_keys

    migrate_known(config)
    with open_hub(config) as hub:
        ledger = IdentityStore(hub.store)
        hub_id = hub.store.resolve("crm", "contacts", ["c1"])["c1"]

        def count() -> int:
            with hub.store.engine.connect() as conn:
                query = select(func.count()).select_from(block_keys).where(block_keys.c.hub_id == hub_id)
                return int(conn.execute(query).scalar_one())

        assert count() > 0  # indexed when first migrated
        ledger.forget([hub_id])
        assert count() == 0


def test_a_first_migration_finds_a_probable_duplicate_filed_by_an_earlier_batch_of_the_same_run(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.engine.identity import IdentityResolver

    armed: list[bool] = []
    original = IdentityResolver._index_filter

    def spy(self: IdentityResolver) -> Any:
        found = original(self)
        armed.append(found is not None)
        return found

    monkeypatch.setattr(IdentityResolver, "_index_filter", spy)
    strangers = {f"s{i}": {"first_name": f"Kişi{i}", "last_name": "Yalçın", "email": f"k{i}@example.com"}
                 for i in range(3)}
    put_records("legacy", "contacts", {"a": GOKHAN, **strangers, "z": AUTO})

    summary = run_migration(config, "legacy", "dst", batch_size=2)

    assert armed and all(armed)  # the index was empty when the run began: the filter stood in for it
    assert (summary["created"], summary["merged"]) == (4, 1), summary
    assert len(target_rows()) == 4
    rerun = run_migration(config, "legacy", "dst", restart=True, batch_size=2)
    assert (rerun["created"], rerun["merged"], rerun["unchanged"]) == (0, 0, 5), rerun
    assert armed[-1] is False  # the index holds keys now: every lookup goes to it


def test_a_first_migration_notices_another_run_filing_candidate_keys_and_looks_every_key_up(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.engine import identity as engine_identity
    from hub.engine.identity import IdentityResolver

    monkeypatch.setattr(engine_identity, "PROBE_SHARE", 256)  # every ruled-out key probed: noticed at once
    put_records("dst", "contacts", {"outsider": GOKHAN})  # loaded by another pipeline, as this run goes on
    original = IdentityResolver.stage
    filed: list[str] = []

    def stage_and_let_another_run_file(self: IdentityResolver, live: list[Any]) -> None:
        original(self, live)
        if not filed:
            assert self.matcher is not None
            filed.extend(self.matcher.block_keys(self.matcher.features(GOKHAN), self.pseudonym))
            self.ledger.stage_block_keys(self.plan.stream, [(k, "outsider") for k in filed])

    monkeypatch.setattr(IdentityResolver, "stage", stage_and_let_another_run_file)
    strangers = {f"s{i}": {"first_name": f"Kişi{i}", "last_name": "Yalçın", "email": f"k{i}@example.com"}
                 for i in range(3)}
    put_records("legacy", "contacts", {**strangers, "z": AUTO})

    summary = run_migration(config, "legacy", "dst", batch_size=2)

    assert (summary["created"], summary["merged"]) == (3, 1), summary
    assert len(target_rows()) == 4
    assert target_rows()["outsider"]["job_title"] == AUTO["job_title"]
