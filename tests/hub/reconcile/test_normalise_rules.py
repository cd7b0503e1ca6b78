"""Comparison forms and conflict rules, one value at a time."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from pydantic import ValidationError

from hub.config import PipelineSettings
from hub.reconcile.normalise import Normaliser, comparison_form
from hub.reconcile.rules import ConflictPolicy, Side

SAME = [
    ("mobile", "0532 123 45 67", "+905321234567"),
    ("mobile", "+90 (532) 123-4567", "00905321234567"),
    ("email", "Ayse.Yilmaz@Example.COM.TR", "ayse.yilmaz@example.com.tr"),
    ("first_name", "  İLKER  ", "ilker"),
    ("first_name", "NILÜFER", "Nilüfer"),            # upper-cased without the Turkish locale
    ("last_name", "Işık", "IŞIK"),
    ("address.city", "Şanlı\u00a0urfa", "şanlı urfa"),
    ("national_id.value", "100 000 001-46", "10000000146"),
    ("address.country", "tr", "TR"),
    ("birth_date", dt.date(1990, 1, 2), "1990-01-02"),
    ("created_at", "2026-01-01T03:00:00+03:00", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    ("consent.processing_restricted", True, "evet"),
    ("consent.email", "GRANTED", "granted"),
]
DIFFERENT = [
    ("mobile", "0532 123 45 67", "0532 123 45 68"),
    ("first_name", "Ayşe", "Ayse"),                  # ş and s are different letters
    ("address.city", "İzmir", "Izmit"),
    ("birth_date", "1990-01-02", "1990-02-01"),
    ("consent.email", "granted", "withdrawn"),
]


@pytest.mark.parametrize(("field", "left", "right"), SAME)
def test_spellings_of_one_value_compare_equal(field: str, left: object, right: object) -> None:
    assert comparison_form("contacts", field, left) == comparison_form("contacts", field, right)


@pytest.mark.parametrize(("field", "left", "right"), DIFFERENT)
def test_real_differences_stay_different(field: str, left: object, right: object) -> None:
    assert comparison_form("contacts", field, left) != comparison_form("contacts", field, right)


def test_empty_values_are_absent_and_case_sensitive_fields_keep_their_case() -> None:
    normaliser = Normaliser("contacts", ["first_name", "job_title"], case_sensitive=["job_title"])
    assert normaliser.form_map({"first_name": "  ", "job_title": "CEO"}) == {"job_title": "CEO"}
    assert normaliser.forms({"job_title": "ceo"}) != normaliser.forms({"job_title": "CEO"})
    assert comparison_form("companies", "annual_revenue.amount", decimal.Decimal("12.50")) == comparison_form(
        "companies", "annual_revenue.amount", "12.5")


AT = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


def sides(a_at: dt.datetime | None, b_at: dt.datetime | None) -> list[Side]:
    return [Side("crm", "Adana", "adana", a_at), Side("erp", "Bursa", "bursa", b_at)]


@pytest.mark.parametrize(("rule", "owners", "field", "expected"), [
    ("source_wins", {}, "address.city", "crm"),
    ("target_wins", {}, "address.city", "erp"),
    ("field_owner", {"address.*": "erp"}, "address.city", "erp"),
    ("field_owner", {"address.*": "erp"}, "job_title", "crm"),   # unowned: the source
    ("manual", {}, "address.city", None),
])
def test_rules_pick_a_side(rule: str, owners: dict[str, str], field: str, expected: str | None) -> None:
    policy = ConflictPolicy(rule, "crm", "erp", owners=owners)
    assert policy.winner(field, sides(AT, AT)) == expected


@pytest.mark.parametrize(("b_offset_s", "expected"), [(3600, "erp"), (-3600, "crm"), (4, "crm"), (-4, "crm")])
def test_newest_wins_with_clock_skew_tolerance(b_offset_s: int, expected: str) -> None:
    policy = ConflictPolicy("newest_wins", "crm", "erp", clock_skew_s=5)
    assert policy.winner("address.city", sides(AT, AT + dt.timedelta(seconds=b_offset_s))) == expected
    assert policy.winner("address.city", sides(AT, None)) == "crm"  # a side without a time cannot be ordered


def test_pipeline_settings_check_direction_and_field_owners() -> None:
    both = PipelineSettings(source="crm", target="erp", direction="both", conflict="field_owner",  # type: ignore[arg-type]
                            field_owners={"consent.*": "crm"})
    assert both.direction == "both" and PipelineSettings(source="a", target="b").direction == "source_to_target"
    with pytest.raises(ValidationError, match="field_owners may name only"):
        PipelineSettings(source="crm", target="erp", field_owners={"email": "billing"})
    with pytest.raises(ValidationError, match="needs field_owners"):
        PipelineSettings(source="crm", target="erp", conflict="field_owner")  # type: ignore[arg-type]
