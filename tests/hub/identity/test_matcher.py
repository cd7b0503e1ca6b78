"""Batch matching end to end on small sets; symmetry and order-independence as properties."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.identity.matcher import BatchMatcher, MatchRecord
from hub.identity.profiles import CONTACTS, NormaliseOptions

PEOPLE: list[dict[str, Any]] = [
    {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "ayse.yilmaz@example.com.tr", "mobile": "+905321234567",
     "address.city": "İzmir", "birth_date": "1988-04-12"},
    {"first_name": "Mehmet", "last_name": "Demir", "email": "mdemir@firma.com.tr", "mobile": "+905339876543",
     "address.city": "Ankara", "company": "Demir İnşaat A.Ş."},
    {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com", "phone": "+442079460000",
     "address.city": "London"},
    {"first_name": "Zeynep", "last_name": "Kaya", "national_id.value": "10000000146", "address.city": "Bursa"},
]
VARIANTS: list[dict[str, Any]] = [
    {**PEOPLE[0], "first_name": "AYSE", "last_name": "YILMAZ", "email": None, "mobile": "0532 123 45 67"},
    {**PEOPLE[0], "first_name": "Yılmaz", "last_name": "Ayşe", "mobile": None},  # swapped, same e-mail
    {**PEOPLE[1], "company": "Demir Insaat Ltd. Şti.", "email": "MDEMIR@FIRMA.COM.TR"},
    {**PEOPLE[3], "first_name": "Zeynep", "last_name": "Kaya"},
    {"first_name": "Ali", "last_name": "Kaya", "address.city": "Bursa", "mobile": "+905441112233"},  # a stranger
]
TRUTH = {"p0": 0, "p1": 1, "p2": 2, "p3": 3, "v0": 0, "v1": 0, "v2": 1, "v3": 3, "v4": 4}


def records(connection: str = "crm") -> list[MatchRecord]:
    made = [MatchRecord(connection, f"p{i}", r) for i, r in enumerate(PEOPLE)]
    made += [MatchRecord(connection, f"v{i}", r) for i, r in enumerate(VARIANTS)]
    return made


def clusters_of(result: Any) -> set[frozenset[tuple[str, str]]]:
    return {frozenset(result.keys[m] for m in c.members) for c in result.clusters}


def test_duplicates_are_clustered_and_strangers_left_alone() -> None:
    result = BatchMatcher("contacts").run(records())
    found = {frozenset(key[1] for key in cluster) for cluster in clusters_of(result)}
    assert found == {frozenset({"p0", "v0", "v1"}), frozenset({"p1", "v2"}), frozenset({"p3", "v3"})}
    rows = list(result.rows())
    assert len(rows) == result.records_in_clusters == 7
    assert all(0 < score <= 1 for *_, score in rows)
    assert {row[0] for row in rows} == {"crm:p0", "crm:p1", "crm:p3"}


def test_records_of_two_systems_are_matched_across_them() -> None:
    crm = [MatchRecord("crm", f"p{i}", r) for i, r in enumerate(PEOPLE)]
    erp = [MatchRecord("erp", f"e{i}", r) for i, r in enumerate(VARIANTS[:3])]
    result = BatchMatcher("contacts").run(crm + erp)
    assert frozenset({("crm", "p0"), ("erp", "e0"), ("erp", "e1")}) in clusters_of(result)


def test_records_sharing_a_key_are_refused() -> None:
    twice = [MatchRecord("crm", "1", PEOPLE[0]), MatchRecord("crm", "1", PEOPLE[1])]
    with pytest.raises(ValueError, match=r"share a \(connection, record id\)"):
        BatchMatcher("contacts").run(twice)


def test_a_larger_seeded_set_is_matched_well() -> None:
    rng = random.Random(5)
    made, truth = [], {}
    for person in range(300):
        first = rng.choice(["Ayşe", "Fatma", "Emine", "Ali", "Veli", "Can"])
        last = "".join(chr(ord("a") + int(d)) for d in f"{person:03d}").title() + "oğlu"  # one surname each
        base = {"first_name": first, "last_name": last, "email": f"user{person}@example.com",
                "mobile": f"+90532{person:07d}", "address.city": rng.choice(["İzmir", "Ankara"])}
        for copy in range(rng.choice([1, 1, 2, 3])):
            record = dict(base)
            if copy:
                record["first_name"] = record["first_name"].upper()
                record[rng.choice(["email", "mobile"])] = None
            made.append(MatchRecord("crm", f"{person}-{copy}", record))
            truth[f"{person}-{copy}"] = person
    result = BatchMatcher("contacts").run(made)
    for cluster in result.clusters:
        assert len({truth[result.keys[m][1]] for m in cluster.members}) == 1
    expected = sum(1 for key in truth if not key.endswith("-0"))
    found = sum(len(c.members) - 1 for c in result.clusters)
    assert found >= 0.95 * expected


record_strategy = st.fixed_dictionaries({
    "first_name": st.sampled_from(["Ayşe", "AYSE", "Ayse", "Mehmet", "Yılmaz", ""]),
    "last_name": st.sampled_from(["Yılmaz", "YILMAZ", "Yilmaz", "Demir", "Ayşe", ""]),
    "email": st.sampled_from([None, "ayse@example.com", "AYSE@example.com", "ayse@other.com", "m@x.com"]),
    "mobile": st.sampled_from([None, "+905321234567", "0532 123 45 67", "+905339999999"]),
    "address.city": st.sampled_from([None, "İzmir", "IZMIR", "Ankara"]),
    "national_id.value": st.sampled_from([None, None, "10000000146", "10000000078"]),
})


@settings(max_examples=60, deadline=None)
@given(record_strategy, record_strategy)
def test_matching_is_symmetric(a: dict[str, Any], b: dict[str, Any]) -> None:
    fa, fb = (CONTACTS.extract(r, NormaliseOptions()) for r in (a, b))
    assert [c.compare(fa, fb) for c in CONTACTS.comparisons] == [c.compare(fb, fa) for c in CONTACTS.comparisons]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record_strategy, min_size=2, max_size=14), st.randoms(use_true_random=False))
def test_clusters_do_not_depend_on_the_order_of_the_input(people: list[dict[str, Any]], rng: random.Random) -> None:
    made = [MatchRecord("crm", f"r{i:02d}", r) for i, r in enumerate(people)]
    shuffled = list(made)
    rng.shuffle(shuffled)
    first = BatchMatcher("contacts").run(made)
    second = BatchMatcher("contacts").run(shuffled)
    assert clusters_of(first) == clusters_of(second)
    assert {(first.keys[i], first.keys[j]) for i, j in first.review} == {
        (second.keys[i], second.keys[j]) for i, j in second.review}


@settings(max_examples=60, deadline=None)
@given(record_strategy, record_strategy)
def test_the_fused_comparison_agrees_with_each_comparison(a: dict[str, Any], b: dict[str, Any]) -> None:
    fa, fb = (CONTACTS.extract(r, NormaliseOptions()) for r in (a, b))
    assert CONTACTS.levels is not None
    assert CONTACTS.levels(fa, fb) == [c.compare(fa, fb) for c in CONTACTS.comparisons]


def test_comparing_in_worker_processes_gives_the_same_clusters() -> None:
    made = records() + [MatchRecord("erp", f"e{i}", r) for i, r in enumerate(VARIANTS)]
    alone = BatchMatcher("contacts", workers=1).run(made)
    forked = BatchMatcher("contacts", workers=2, parallel_after=0).run(made)
    assert forked.stats["workers"] == 2
    assert clusters_of(forked) == clusters_of(alone)
    assert forked.stats["candidate_pairs"] == alone.stats["candidate_pairs"]
    assert forked.stats["pairs_by_rule"] == alone.stats["pairs_by_rule"]
