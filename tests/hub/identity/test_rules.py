"""Deterministic rules, conflicts and bands."""

from __future__ import annotations

import pytest

from hub.identity.profiles import CONTACTS, NormaliseOptions
from hub.identity.rules import Band, PairJudge
from hub.identity.scoring import model_for
from hub.identity.settings import StreamIdentitySettings

AYSE = {"first_name": "Ayşe", "last_name": "Yılmaz", "email": "ayse.yilmaz@example.com.tr",
        "mobile": "+905321234567", "address.city": "İzmir", "birth_date": "1988-04-12"}


def decide(a: dict[str, object], b: dict[str, object], **settings: object) -> tuple[Band, str | None]:
    config = StreamIdentitySettings.model_validate(settings)
    judge = PairJudge(CONTACTS, model_for(CONTACTS, config), config)
    fa, fb = (CONTACTS.extract(r, NormaliseOptions()) for r in (a, b))
    decision = judge.judge(tuple(c.compare(fa, fb) for c in CONTACTS.comparisons))
    return decision.band, decision.rule


def test_the_same_email_is_a_match_by_rule() -> None:
    other = {"first_name": "AYSE", "last_name": "YILMAZ", "email": "Ayse.Yilmaz@Example.com.tr"}
    assert decide(AYSE, other) == (Band.MATCH, "email")


def test_the_same_national_id_is_a_match_by_rule() -> None:
    a = {**AYSE, "national_id.value": "10000000146", "email": None}
    b = {"first_name": "Ayse", "last_name": "Yilmaz", "national_id.value": "10000000146"}
    assert decide(a, b) == (Band.MATCH, "national_id")


def test_the_same_phone_and_a_close_name_is_a_match_by_rule() -> None:
    b = {"first_name": "Ayse", "last_name": "Yilmza", "mobile": "0532 123 45 67"}
    assert decide(AYSE, b) == (Band.MATCH, "phone_and_name")


def test_different_national_ids_are_two_people_whatever_else_agrees() -> None:
    a = {**AYSE, "national_id.value": "10000000146"}
    b = {**AYSE, "national_id.value": "10000000078"}
    assert decide(a, b)[0] is Band.NON_MATCH


def test_a_shared_mailbox_is_only_a_possible_match() -> None:
    b = {"first_name": "Mehmet", "last_name": "Demir", "email": AYSE["email"]}
    assert decide(AYSE, b) == (Band.POSSIBLE, "email")


def test_a_relative_at_the_same_address_with_the_same_phone_is_not_merged_automatically() -> None:
    b = {**AYSE, "first_name": "Zeynep", "email": None}
    assert decide(AYSE, b)[0] is not Band.MATCH


def test_without_rules_the_score_decides() -> None:
    b = {**AYSE, "email": None, "first_name": "Ayse", "last_name": "Yilmaz"}
    band, rule = decide(AYSE, b, rules=[])
    assert band is Band.MATCH
    assert rule is None


def test_strangers_are_non_matches() -> None:
    b = {"first_name": "John", "last_name": "Smith", "email": "john@example.com", "mobile": "+447700900123",
         "address.city": "London"}
    assert decide(AYSE, b)[0] is Band.NON_MATCH


def test_unknown_rules_are_refused_with_the_known_ones_named() -> None:
    with pytest.raises(ValueError, match="unknown identity rules for contacts: same_shoe_size"):
        decide(AYSE, AYSE, rules=["same_shoe_size"])


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="review_threshold"):
        StreamIdentitySettings(match_threshold=0.5, review_threshold=0.9)
