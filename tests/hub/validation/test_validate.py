"""The built-in record checks, one by one and together, and through the plugin hook."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest

from hub.connectors.api import StreamInfo
from hub.model import FieldSpec
from hub.plugins import PluginHost
from hub.validation import REASON_CODES, check_target_limits, validate
from hub.validation.dates import check_dates

PII_VALUES = ("ayse@@example", "0532 12", "10000000147")


def codes(issues: list[Any]) -> list[tuple[str | None, str]]:
    return [(i.field, i.code) for i in issues]


def test_a_good_contact_is_normalised_in_place(tckn: Callable[[random.Random], str]) -> None:
    valid_tckn = tckn(random.Random(5))
    record: dict[str, Any] = {
        "first_name": "Çağla", "last_name": "Güneş", "email": "Cagla.Gunes@Örnek.COM.TR",
        "phone": "0212 222 33 44", "mobile": "+90 (532) 123-4567", "address.country": "Türkiye",
        "language": "Türkçe", "national_id.value": valid_tckn, "birth_date": dt.date(1990, 3, 5),
        "created_at": dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    }
    assert validate(record, "contacts") == []
    assert record["email"] == "Cagla.Gunes@örnek.com.tr"
    assert (record["phone"], record["mobile"]) == ("+902122223344", "+905321234567")
    assert (record["address.country"], record["language"], record["national_id.type"]) == ("TR", "tr", "TCKN")
    assert record["created_at"] == dt.datetime(2024, 3, 5, 11, 30, tzinfo=dt.UTC)
    assert record["created_at"].tzinfo is dt.UTC


def test_a_good_company() -> None:
    record = {"name": "Anadolu Gıda A.Ş.", "annual_revenue.currency": "TL", "address.country": "TUR"}
    assert validate(record, "companies") == []
    assert record["annual_revenue.currency"] == "TRY"


def test_problems_name_their_field_and_never_quote_pii() -> None:
    record = {
        "last_name": "Yılmaz", "email": "ayse@@example", "mobile": "0532 12", "national_id.value": "10000000147",
        "address.country": "Narnia", "language": "Klingon??", "birth_date": dt.date(1850, 1, 1),
        "updated_at": dt.datetime(2024, 1, 1, 12, 0),
    }
    issues = validate(record, "contacts")
    assert sorted(codes(issues)) == sorted([
        ("email", "email_invalid"), ("mobile", "phone_invalid"), ("national_id.value", "tckn_invalid"),
        ("address.country", "country_invalid"), ("language", "language_invalid"),
        ("birth_date", "date_out_of_range"), ("updated_at", "datetime_naive"),
    ])
    for issue in issues:
        assert issue.code in REASON_CODES
        assert not any(value in issue.message for value in PII_VALUES)


@pytest.mark.parametrize(
    ("address", "reason"),
    [("ayse.example.com", "missing @"), ("a@b@c.com", "more than one @"), ("@example.com", "nothing before"),
     ("ayse@", "nothing after"), ("ayse@localhost", "no dot"), ("ayşe..x@example.com", "before the @")],
)
def test_email_reasons(address: str, reason: str) -> None:
    issues = validate({"email": address}, "contacts")
    assert codes(issues) == [("email", "email_invalid")]
    assert reason in issues[0].message


def test_required_fields() -> None:
    assert codes(validate({"first_name": "Ahmet"}, "contacts")) == [("last_name", "required_missing")]
    assert validate({"email": "a@b.co"}, "contacts") == []
    assert codes(validate({"name": "  ", "domain": "x.com"}, "companies")) == [("name", "required_missing")]


def test_birth_date_range() -> None:
    today = dt.date(2025, 6, 1)
    assert check_dates({"birth_date": dt.date(1900, 1, 1)}, "contacts", today=today) == []
    assert check_dates({"birth_date": today}, "contacts", today=today) == []
    assert codes(check_dates({"birth_date": dt.date(2025, 6, 2)}, "contacts", today=today)) == [
        ("birth_date", "date_out_of_range")
    ]
    record: dict[str, Any] = {"birth_date": "1990-03-05"}
    assert check_dates(record, "contacts", today=today) == []
    assert record["birth_date"] == dt.date(1990, 3, 5)


def test_lengths_are_checked_after_normalising() -> None:
    long_name = "Ş" * 101
    issues = validate({"last_name": long_name, "phone": "+90 (212) 222 33 44 "}, "contacts")
    assert codes(issues) == [("last_name", "too_long")]
    assert "101 characters; at most 100" in issues[0].message


def test_a_field_is_reported_once() -> None:
    assert codes(validate({"last_name": "X", "address.country": "Narnia"}, "contacts")) == [
        ("address.country", "country_invalid")
    ]


def test_target_limits() -> None:
    info = StreamInfo("Contact", {"FirstName": FieldSpec("FirstName", max_length=5), "Email": FieldSpec("Email")})
    issues = check_target_limits({"FirstName": "Çağlayan", "Email": "x" * 500, "Other": "y"}, info)
    assert codes(issues) == [("FirstName", "too_long")]
    assert "Contact.FirstName holds at most 5" in issues[0].message


def test_validation_runs_as_a_plugin() -> None:
    host = PluginHost.start(builtins=("hub.validation.builtin",), entry_points=False)
    record = {"last_name": "Yılmaz", "phone": "0532 123 45 67", "email": "bad"}
    assert codes(host.validate_record(record, "contacts")) == [("email", "email_invalid")]
    assert record["phone"] == "+905321234567"
