"""Blocking produces each candidate pair once and skips keys too common to be evidence; survivorship rules."""

from __future__ import annotations

import datetime as dt

from hub.identity.blocking import BlockingStats, candidate_pairs
from hub.identity.profiles import CONTACTS, NormaliseOptions
from hub.identity.settings import SurvivorshipRule, SurvivorshipSettings
from hub.identity.survivorship import choose, pick_survivor


def features(*records: dict[str, object]) -> list[tuple[object, ...]]:
    return [CONTACTS.extract(r, NormaliseOptions()) for r in records]


def test_each_pair_comes_once_from_the_first_rule_that_finds_it() -> None:
    same = {"first_name": "Ayşe", "last_name": "Kaya", "email": "a@x.com", "mobile": "+905321234567",
            "phone": "+902121234567", "address.city": "İzmir"}
    stats = BlockingStats()
    pairs = list(candidate_pairs(CONTACTS, list(CONTACTS.default_blocking), features(same, dict(same)), stats=stats))
    assert pairs == [(0, 1)]
    assert stats.pairs["email"] == 1
    assert stats.pairs["phone"] == 0  # already produced; two shared phones do not make two pairs


def test_keys_shared_by_too_many_records_are_skipped() -> None:
    crowd = features(*({"first_name": "Mehmet", "last_name": "Yılmaz", "address.city": "İstanbul",
                        "email": f"m{n}@x.com"} for n in range(6)))
    stats = BlockingStats()
    assert list(candidate_pairs(CONTACTS, ["name_city"], crowd, max_block_size=5, stats=stats)) == []
    assert stats.large_blocks == 1
    assert len(list(candidate_pairs(CONTACTS, ["name_city"], crowd, max_block_size=6))) == 15


def test_fill_blanks_keeps_what_is_there_and_never_writes_an_empty_value() -> None:
    chosen = choose({"email": "new@x.com", "job_title": "CFO", "company": ""}, {"email": "old@x.com", "company": "A"},
                    SurvivorshipSettings(), source="legacy")
    assert chosen.changes == {"job_title": "CFO"}
    assert [(c.field, c.rule) for c in chosen.provenance] == [("job_title", "fill_blanks")]


def test_source_priority_most_recent_and_most_complete() -> None:
    settings = SurvivorshipSettings(source_priority=["erp", "crm"], fields={
        "email": SurvivorshipRule.SOURCE_PRIORITY, "phone": SurvivorshipRule.MOST_RECENT,
        "address.street": SurvivorshipRule.MOST_COMPLETE})
    current = {"email": "old@x.com", "phone": "+901", "address.street": "Gül Sk.",
               "updated_at": "2024-01-01T00:00:00+00:00"}
    offered = {"email": "new@x.com", "phone": "+902", "address.street": "Gül Sokak No:5 D:3"}
    newer = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    from_erp = choose(offered, current, settings, source="erp", incoming_time=newer, current_sources=lambda f: "crm")
    from_crm = choose(offered, current, settings, source="crm", incoming_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                      current_sources=lambda f: "erp")

    assert from_erp.changes == offered
    assert {(c.field, c.rule) for c in from_erp.provenance} == {
        ("email", "source_priority"), ("phone", "most_recent"), ("address.street", "most_complete")}
    assert from_crm.changes == {"address.street": "Gül Sokak No:5 D:3"}


def test_wildcard_rules_cover_custom_fields() -> None:
    settings = SurvivorshipSettings(fields={"custom.*": SurvivorshipRule.MOST_COMPLETE})
    assert settings.rule_for("custom.segment") is SurvivorshipRule.MOST_COMPLETE
    assert settings.rule_for("email") is SurvivorshipRule.FILL_BLANKS


def test_the_survivor_is_the_most_trusted_then_most_complete_then_newest_record() -> None:
    settings = SurvivorshipSettings(source_priority=["crm"])
    old, new = dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert pick_survivor([("legacy", {"a": 1, "b": 2}, new), ("crm", {"a": 1}, old)], settings) == 1
    assert pick_survivor([("legacy", {"a": 1}, new), ("legacy", {"a": 1, "b": 2}, old)], settings) == 1
    assert pick_survivor([("legacy", {"a": 1}, old), ("legacy", {"a": 1}, new)], settings) == 1
    assert pick_survivor([("legacy", {"a": 1}, None), ("legacy", {"a": 1}, None)], settings) == 0


def test_a_pair_sharing_a_skipped_key_is_still_found_by_a_later_rule() -> None:
    crowd = [{"first_name": "Mehmet", "last_name": "Yılmaz", "address.city": "İstanbul", "email": f"m{n}@x.com"}
             for n in range(6)]
    crowd[0] = {**crowd[0], "address.postcode": "34100"}
    crowd[1] = {**crowd[1], "address.postcode": "34100"}
    pairs = list(candidate_pairs(CONTACTS, ["name_city", "last_name_postcode"], features(*crowd), max_block_size=5))
    assert pairs == [(0, 1)]
