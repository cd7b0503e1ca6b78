"""The built-in transforms: phones, countries, currencies, languages, dates, numbers, yes/no."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

from hub.mapping.builtin_transforms import builtin_registry
from hub.mapping.transforms import TransformError, TransformRegistry

ISTANBUL = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture(scope="module")
def registry() -> TransformRegistry:
    return builtin_registry()


def run(registry: TransformRegistry, name: str, value: Any, **params: Any) -> Any:
    return registry.bind(name, params)(value)


def code_of(registry: TransformRegistry, name: str, value: Any, **params: Any) -> str:
    with pytest.raises(TransformError) as caught:
        run(registry, name, value, **params)
    return caught.value.code


def test_every_documented_builtin_is_registered(registry: TransformRegistry) -> None:
    expected = {
        "trim", "lower", "upper", "title", "collapse_spaces", "split_name", "join_name", "e164", "country_iso",
        "date", "date_only", "format_date", "currency", "decimal", "boolean", "digits", "truncate", "language",
    }
    assert expected <= set(registry.names())
    assert registry.get("split_name").inverse == "join_name"
    assert registry.get("date").inverse == "format_date"


@pytest.mark.parametrize(
    "text", ["0532 123 45 67", "+90 (532) 123-4567", "5321234567", "0090 532 123 45 67", "90 532 123 4567"]
)
def test_e164_turkish_mobiles(registry: TransformRegistry, text: str) -> None:
    assert run(registry, "e164", text) == "+905321234567"


def test_e164_other_regions(registry: TransformRegistry) -> None:
    assert run(registry, "e164", "030 1234567", region="DE") == "+49301234567"
    assert run(registry, "e164", "+44 20 7946 0958") == "+442079460958"
    assert run(registry, "e164", "0212 222 33 44") == "+902122223344"


@pytest.mark.parametrize("text", ["123", "0532 123", "call me maybe", "+90 000 000 00 00"])
def test_e164_rejects_invalid_numbers_without_quoting_them(registry: TransformRegistry, text: str) -> None:
    with pytest.raises(TransformError) as caught:
        run(registry, "e164", text)
    assert caught.value.code == "phone_invalid"
    assert text not in caught.value.message


def test_e164_region_parameter_is_checked(registry: TransformRegistry) -> None:
    assert registry.param_problems("e164", {"region": "XX"}) == ["parameter 'region' is not a known phone region: 'XX'"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Türkiye", "TR"), ("Turkey", "TR"), ("TÜRKİYE", "TR"), ("turkiye", "TR"), ("TR", "TR"), ("TUR", "TR"),
        ("tr", "TR"), ("792", "TR"), ("Almanya", "DE"), ("Germany", "DE"), ("Deutschland ", None),
        ("ABD", "US"), ("United States", "US"), ("Amerika Birleşik Devletleri", "US"), ("İngiltere", "GB"),
        ("Hollanda", "NL"), ("Azerbaycan", "AZ"), ("Yunanistan", "GR"), ("KKTC", "CY"),
    ],
)
def test_country_iso(registry: TransformRegistry, text: str, code: str | None) -> None:
    if code is None:
        assert code_of(registry, "country_iso", text) == "country_invalid"
    else:
        assert run(registry, "country_iso", text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("₺", "TRY"), ("TL", "TRY"), ("TRY", "TRY"), ("Türk Lirası", "TRY"), ("TÜRK LİRASI", "TRY"), ("$", "USD"),
        ("€", "EUR"), ("EUR", "EUR"), ("Avro", "EUR"), ("Euro", "EUR"), ("£", "GBP"), ("İsviçre Frangı", "CHF"),
        ("usd", "USD"), ("Swiss Franc", "CHF"), ("Pound Sterling", "GBP"),
    ],
)
def test_currency(registry: TransformRegistry, text: str, code: str) -> None:
    assert run(registry, "currency", text) == code


def test_currency_unknown(registry: TransformRegistry) -> None:
    assert code_of(registry, "currency", "Galleon") == "currency_invalid"


@pytest.mark.parametrize(
    ("text", "tag"), [("tr", "tr"), ("TR", "tr"), ("en_GB", "en-GB"), ("Türkçe", "tr"), ("English", "en"),
                      ("Almanca", "de"), ("zh-hant-tw", "zh-Hant-TW")],
)
def test_language(registry: TransformRegistry, text: str, tag: str) -> None:
    assert run(registry, "language", text) == tag


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("2024-03-05T14:30:00Z", dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)),
        ("2024-03-05T14:30:00+01:00", dt.datetime(2024, 3, 5, 13, 30, tzinfo=dt.UTC)),
        ("2024-03-05 14:30:00", dt.datetime(2024, 3, 5, 11, 30, tzinfo=dt.UTC)),
        ("05.03.2024", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("05/03/2024 14:30", dt.datetime(2024, 3, 5, 11, 30, tzinfo=dt.UTC)),
        ("5-3-2024", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("2024/03/05", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("20240305", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("5 Mart 2024", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("5 Şubat 2024 09:15", dt.datetime(2024, 2, 5, 6, 15, tzinfo=dt.UTC)),
        ("March 5, 2024", dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.UTC)),
        ("12/25/2024", dt.datetime(2024, 12, 24, 21, 0, tzinfo=dt.UTC)),
        (1709649000, dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)),
        (1709649000000, dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)),
        (dt.datetime(2024, 3, 5, 14, 30), dt.datetime(2024, 3, 5, 11, 30, tzinfo=dt.UTC)),
        (dt.datetime(2024, 3, 5, 14, 30, tzinfo=ISTANBUL), dt.datetime(2024, 3, 5, 11, 30, tzinfo=dt.UTC)),
    ],
)
def test_date_to_utc(registry: TransformRegistry, text: Any, expected: dt.datetime) -> None:
    parsed = run(registry, "date", text)
    assert parsed == expected
    assert parsed.tzinfo is dt.UTC


def test_date_tz_and_formats(registry: TransformRegistry) -> None:
    assert run(registry, "date", "2024-03-05 14:30", tz="UTC") == dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)
    assert run(registry, "date", "05|03|2024", formats=["%d|%m|%Y"]) == dt.datetime(2024, 3, 4, 21, tzinfo=dt.UTC)
    assert run(registry, "date", "03/05/2024", dayfirst=False) == dt.datetime(2024, 3, 4, 21, tzinfo=dt.UTC)
    assert registry.param_problems("date", {"tz": "Mars/Olympus"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05.03.1990", dt.date(1990, 3, 5)),
        ("1990-03-05", dt.date(1990, 3, 5)),
        ("5 Ocak 1990", dt.date(1990, 1, 5)),
        ("01.02.85", dt.date(1985, 2, 1)),
        ("2024-03-05T23:30:00Z", dt.date(2024, 3, 6)),  # 02:30 the next day in Istanbul
        (dt.date(1990, 3, 5), dt.date(1990, 3, 5)),
    ],
)
def test_date_only_keeps_the_calendar_date(registry: TransformRegistry, value: Any, expected: dt.date) -> None:
    assert run(registry, "date_only", value) == expected
    assert run(registry, "date", value, date_only=True) == expected


@pytest.mark.parametrize("text", ["yesterday", "32.01.2024", "2024-13-01", "31.02.2024", "5 Foo 2024", ""])
def test_date_invalid(registry: TransformRegistry, text: str) -> None:
    assert code_of(registry, "date", text) == "date_invalid"


def test_format_date_writes_back_in_the_first_format(registry: TransformRegistry) -> None:
    assert run(registry, "format_date", dt.date(1990, 3, 5), formats=["%d.%m.%Y"]) == "05.03.1990"
    instant = dt.datetime(2024, 3, 5, 11, 30, tzinfo=dt.UTC)
    assert run(registry, "format_date", instant, formats=["%d.%m.%Y %H:%M"]) == "05.03.2024 14:30"
    assert run(registry, "format_date", instant) is instant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("1234,56", "1234.56"), ("1234.56", "1234.56"),
        ("1.234", "1234"), ("1,234", "1.234"), ("1.234.567", "1234567"), ("1,234,567", "1234567"),
        ("₺ 1.250,00", "1250.00"), ("1'234.50 CHF", "1234.50"), ("-12,5", "-12.5"), ("(12,50)", "-12.50"),
        ("12", "12"), (12, "12"), (12.5, "12.5"), ("0,5 TL", "0.5"), ("1 234 567,89", "1234567.89"),
        ("1.5e3", "1.5e3"), ("+7", "7"), ("12 %", "12"), ("$1,234.50", "1234.50"),
    ],
)
def test_decimal(registry: TransformRegistry, text: Any, expected: str) -> None:
    assert run(registry, "decimal", text) == decimal.Decimal(expected)


def test_decimal_mark_parameter(registry: TransformRegistry) -> None:
    assert run(registry, "decimal", "1,234", decimal_mark=".") == decimal.Decimal("1234")
    assert run(registry, "decimal", "1.234", decimal_mark=".") == decimal.Decimal("1.234")
    assert registry.param_problems("decimal", {"decimal_mark": ";"})


@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5", "--", "1-2", True, "12abc34", "1.2.3,4,5", "١٢", "", "."])
def test_decimal_invalid(registry: TransformRegistry, text: Any) -> None:
    assert code_of(registry, "decimal", text) == "decimal_invalid"


@pytest.mark.parametrize(
    "text", ["true", "TRUE", "yes", "Evet", "EVET", "1", "x", "X", "on", "var", "Doğru", 1, True]
)
def test_boolean_true(registry: TransformRegistry, text: Any) -> None:
    assert run(registry, "boolean", text) is True


@pytest.mark.parametrize("text", ["false", "no", "Hayır", "HAYIR", "hayir", "0", "off", "yok", 0, False])
def test_boolean_false(registry: TransformRegistry, text: Any) -> None:
    assert run(registry, "boolean", text) is False


def test_boolean_invalid(registry: TransformRegistry) -> None:
    assert code_of(registry, "boolean", "belki") == "boolean_invalid"


def test_truncate_needs_length(registry: TransformRegistry) -> None:
    assert registry.param_problems("truncate", {}) == ["transform 'truncate' needs parameter 'length'"]
    assert run(registry, "truncate", "Şişli", length=3) == "Şiş"


@pytest.mark.parametrize("fmt", ["%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%m/%d/%Y", "%Y%m%d",
                                 "%d.%m.%Y %H:%M:%S.%f", "%d %m %Y", "%d-%b-%Y"])
@pytest.mark.parametrize("text", ["05.03.1990", "5.3.1990", "05/03/90", "05/03/69", "1990-03-05 14:30:15",
                                  "05.03.1990 14:30", "03/05/1990", "19900305", "05.03.1990 14:30:15.250",
                                  "5  3 1990", "05-Mar-1990", "31.02.1990", "05.03.1990x", " 05.03.1990"])
def test_explicit_formats_read_exactly_like_strptime(fmt: str, text: str) -> None:
    from hub.mapping.dates import _by_format

    try:
        expected: object = dt.datetime.strptime(text, fmt)
    except ValueError:
        expected = None
    found = _by_format(text, fmt)
    assert (found[0] if found else None) == expected
