"""The identity mapping for canonical CSV headers and SQL columns."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from hub.mapping import canonical_mapping


def test_canonical_keys_are_kept_and_typed() -> None:
    record, issues = canonical_mapping("contacts").to_canonical(
        {
            "email": "ayse@example.com", "address.city": " İstanbul ", "birth_date": "1985-12-01",
            "created_at": "2024-03-05T10:00:00Z", "consent.email": "GRANTED", "consent.processing_restricted": "hayır",
            "custom.segment": "KOBİ", "external_ids.salesforce": "003xx", "phone": "",
        }
    )
    assert issues == []
    assert record == {
        "email": "ayse@example.com", "address.city": "İstanbul", "birth_date": dt.date(1985, 12, 1),
        "created_at": dt.datetime(2024, 3, 5, 10, tzinfo=dt.UTC), "consent.email": "granted",
        "consent.processing_restricted": False, "custom.segment": "KOBİ", "external_ids.salesforce": "003xx",
    }


def test_unknown_headers_are_reported() -> None:
    record, issues = canonical_mapping("contacts").to_canonical({"email": "a@b.co", "Notlar": "x", "city": "İzmir"})
    assert record == {"email": "a@b.co"}
    assert sorted((i.field, i.code) for i in issues) == [("Notlar", "unknown_field"), ("city", "unknown_field")]


def test_values_of_the_wrong_type_are_reported() -> None:
    record, issues = canonical_mapping("companies").to_canonical(
        {"name": "Anadolu A.Ş.", "annual_revenue.amount": "1.250.000,50", "created_at": "dün"}
    )
    assert record == {"name": "Anadolu A.Ş.", "annual_revenue.amount": decimal.Decimal("1250000.50")}
    assert [(i.field, i.code) for i in issues] == [("created_at", "type_invalid")]


def test_from_canonical_drops_empty_values() -> None:
    mapping = canonical_mapping("contacts")
    assert mapping.from_canonical({"email": "a@b.co", "phone": None, "last_name": ""}) == {"email": "a@b.co"}
    assert mapping.key_field == "id"
    assert "address.city" in mapping.system_fields_written()


def test_unknown_stream() -> None:
    with pytest.raises(KeyError, match="unknown canonical stream 'deals'"):
        canonical_mapping("deals")
