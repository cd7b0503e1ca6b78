"""Normalisation for comparison: Turkish case, ASCII folding, e-mails, phones, companies, addresses."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.identity.contact_points import birth_date_key, email_key, id_key, phone_key
from hub.identity.normalise import address_tokens, company_key, fold_ascii, fold_case, match_text, name_tokens


@pytest.mark.parametrize(("raw", "folded"), [
    ("İSTANBUL", "istanbul"),
    ("IŞIK", "ışık"),
    ("Işıl", "ışıl"),
    ("ŞİŞLİ", "şişli"),
    ("Straße", "strasse"),
])
def test_case_folding_knows_the_dotted_and_dotless_i(raw: str, folded: str) -> None:
    assert fold_case(raw) == folded


def test_python_lower_would_leave_a_combining_dot_that_the_fold_does_not() -> None:
    assert "İ".lower() != "i"
    assert fold_case("İ") == "i"


@pytest.mark.parametrize(("raw", "ascii_form"), [
    ("şğüöçı", "sguoci"),
    ("ŞĞÜÖÇİ", "SGUOCI"),
    ("García Müller", "Garcia Muller"),
])
def test_ascii_folding_drops_turkish_and_other_accents(raw: str, ascii_form: str) -> None:
    assert fold_ascii(raw) == ascii_form


def test_names_compare_equal_across_case_accents_and_punctuation() -> None:
    assert match_text("  ÇAĞLA  Işık-Yılmaz ") == match_text("cagla isik yilmaz") == "cagla isik yilmaz"
    assert match_text("Ian") == match_text("IAN") == "ian"
    assert match_text("ｆｕｌｌ ｗｉｄｔｈ") == "full width"  # NFKC
    assert name_tokens("Ayşe Nur", None, "Yılmaz") == ("ayse", "nur", "yilmaz")


@pytest.mark.parametrize(("raw", "key"), [
    ("ABC Gıda San. ve Tic. A.Ş.", "abc gida"),
    ("ABC GIDA SANAYİ VE TİCARET ANONİM ŞİRKETİ", "abc gida"),
    ("Anadolu Lojistik Ltd. Şti.", "anadolu lojistik"),
    ("Anadolu Lojistik LTD ŞTİ", "anadolu lojistik"),
    ("Müller Maschinenbau GmbH", "muller maschinenbau"),
    ("Acme, Inc.", "acme"),
    ("Acme LLC", "acme"),
    ("Acme Ltd", "acme"),
    ("Smith & Co.", "smith"),
    ("Holding", "holding"),
])
def test_company_names_lose_their_legal_form(raw: str, key: str) -> None:
    assert company_key(raw) == key


def test_legal_words_inside_a_name_stay() -> None:
    assert company_key("Ve Yapı İnşaat A.Ş.") == "ve yapi insaat"


def test_addresses_are_tokenised_with_abbreviations_spelled_out() -> None:
    assert address_tokens("Atatürk Cad. No:5") == address_tokens("ATATURK CADDESİ NO 5")
    assert address_tokens("Gül Sk. No:3 D:4") == frozenset({"gul", "sokak", "no", "3", "daire", "4"})


@pytest.mark.parametrize(("raw", "key"), [
    ("Ayse.Kaya@Example.COM.TR", "ayse.kaya@example.com.tr"),
    ("a.y.s.e+crm@googlemail.com", "ayse@gmail.com"),
    ("ayse.kaya+news@gmail.com", "aysekaya@gmail.com"),
    ("ayse+news@example.com", "ayse+news@example.com"),
    ("<info@firma.com.tr>", "info@firma.com.tr"),
    ("not an address", None),
    ("@example.com", None),
])
def test_emails_are_lower_cased_with_gmail_rules(raw: str, key: str | None) -> None:
    assert email_key(raw) == key


def test_gmail_rules_can_be_switched_off() -> None:
    assert email_key("a.yse@gmail.com", provider_rules=False) == "a.yse@gmail.com"


def test_a_dotted_capital_i_in_an_email_is_not_turned_into_a_dotless_one() -> None:
    assert email_key("İLKER@example.com") == "ilker@example.com"


@pytest.mark.parametrize("raw", [
    "0532 123 45 67", "+90 (532) 123-4567", "5321234567", "00905321234567", "905321234567", "+905321234567",
    "0532-123-4567 dahili 12",
])
def test_turkish_phone_spellings_become_one_e164_number(raw: str) -> None:
    assert phone_key(raw) == "+905321234567"


def test_national_numbers_follow_the_default_region() -> None:
    assert phone_key("(415) 555-2671", "US") == "+14155552671"
    assert phone_key("030 1234567", "DE") == "+49301234567"
    assert phone_key("+1 415 555 2671") == "+14155552671"


@pytest.mark.parametrize("raw", ["12", "", "abc", "+12"])
def test_what_is_no_phone_number_has_no_key(raw: str) -> None:
    assert phone_key(raw) is None


def test_ids_and_dates() -> None:
    assert id_key(" 123-456 789 01 ") == "12345678901"
    assert birth_date_key(dt.date(1990, 5, 17)) == "1990-05-17"
    assert birth_date_key(dt.datetime(1990, 5, 17, 10, 0)) == "1990-05-17"
    assert birth_date_key("1990-05-17T00:00:00") == "1990-05-17"
    assert birth_date_key("17.05.1990") is None
