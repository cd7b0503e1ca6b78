"""Text transforms, with Turkish letters."""

from __future__ import annotations

import pytest

from hub.mapping.text import collapse_spaces, digits, lower, title, trim, truncate, upper
from hub.mapping.transforms import TransformError


def test_trim_and_collapse_spaces() -> None:
    assert trim("  Şişli \t") == "Şişli"
    assert collapse_spaces(" Çağla\u00a0 \n Güneş ") == "Çağla Güneş"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("İSTANBUL", None, "istanbul"),
        ("İSTANBUL", "tr", "istanbul"),
        ("ISPARTA", "tr", "ısparta"),
        ("ISPARTA", None, "isparta"),
        ("AHMET@EXAMPLE.COM", None, "ahmet@example.com"),
        ("ÇAĞLA GÜNEŞ", None, "çağla güneş"),
    ],
)
def test_lower(text: str, locale: str | None, expected: str) -> None:
    assert lower(text, locale=locale) == expected
    assert len(lower(text, locale=locale)) == len(text)  # never a combining dot


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("istanbul", "tr", "İSTANBUL"),
        ("istanbul", None, "ISTANBUL"),
        ("ışık", None, "IŞIK"),
        ("şişli", "tr-TR", "ŞİŞLİ"),
    ],
)
def test_upper(text: str, locale: str | None, expected: str) -> None:
    assert upper(text, locale=locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("istanbul", "tr", "İstanbul"),
        ("İSTANBUL", "tr", "İstanbul"),
        ("ISTANBUL", "tr", "Istanbul"),
        ("İSTANBUL", None, "Istanbul"),
        ("ŞİŞLİ", "tr", "Şişli"),
        ("çağla güneş", "tr", "Çağla Güneş"),
        ("ahmet-can yılmaz", "tr", "Ahmet-Can Yılmaz"),
        ("İSTANBUL'DA", "tr", "İstanbul'da"),
        ("o'brien", None, "O'Brien"),
        ("irmak", None, "Irmak"),
    ],
)
def test_title(text: str, locale: str | None, expected: str) -> None:
    assert title(text, locale=locale) == expected


def test_digits_and_truncate() -> None:
    assert digits("123 456-78.90") == "1234567890"
    assert digits(12345) == "12345"
    assert truncate("Çağla Güneş", length=5) == "Çağla"
    assert truncate("kısa", length=10) == "kısa"
    with pytest.raises(TransformError):
        truncate("x", length=-1)
