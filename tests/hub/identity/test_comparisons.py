"""Comparison levels field by field."""

from __future__ import annotations

from hub.identity import comparisons as cmp


def test_names_exact_close_similar_swapped_and_different() -> None:
    assert cmp.compare_names("ayse", "yilmaz", "ayse", "yilmaz") == 5
    assert cmp.compare_names("ayse", "yilmaz", "yilmaz", "ayse") == 5  # swapped first and last
    assert cmp.compare_names("ayse", "yilmaz", "ayse", "yilmza") == 4  # a typo
    assert cmp.compare_names("hatice", "kaya", "hatca", "kaya") == 3
    assert cmp.compare_names("ayse", "kaya", "zeynep", "kaya") == 2  # one part agrees: a relative?
    assert cmp.compare_names("ayse", "kaya", "john", "smith") == 1
    assert cmp.compare_names("", "", "ayse", "kaya") == 0


def test_names_with_one_part_on_one_side() -> None:
    assert cmp.compare_names("", "kaya", "ayse", "kaya") == 3
    assert cmp.compare_names("kaya", "", "ayse", "kaya") == 3
    assert cmp.compare_names("", "kaya", "ayse", "demir") == 1


def test_numbers_in_names_must_agree() -> None:
    assert cmp.compare_names("cagla", "yilmaz1", "cagla", "yilmaz2", "1", "2") == 1


def test_emails() -> None:
    assert cmp.compare_emails("ayse@x.com", "ayse@x.com") == 4
    assert cmp.compare_emails("ayse@x.com", "ayse@y.com") == 3
    assert cmp.compare_emails("ayse.kaya@x.com", "ayse.kya@x.com") == 2
    assert cmp.compare_emails("ayse.kaya12@x.com", "ayse.kaya15@x.com") == 1  # numbered accounts differ
    assert cmp.compare_emails("ayse@x.com", "mehmet@x.com") == 1
    assert cmp.compare_emails(None, "mehmet@x.com") == 0


def test_phones() -> None:
    assert cmp.compare_phones(("+905321234567",), ("+902121112233", "+905321234567")) == 3
    assert cmp.compare_phones(("+905321234567",), ("+905331234567",)) == 2  # the same last seven digits
    assert cmp.compare_phones(("+905321234567",), ("+905329999999",)) == 1
    assert cmp.compare_phones((), ("+905329999999",)) == 0


def test_texts_token_sets_and_codes() -> None:
    assert cmp.compare_texts("anadolu gida", "anadolu gida") == 3
    assert cmp.compare_texts("anadolu gida", "gida anadolu") == 2
    assert cmp.compare_texts("anadolu gida", "ege tekstil") == 1
    assert cmp.compare_token_sets(frozenset("abc"), frozenset("abc")) == 3
    assert cmp.compare_token_sets(frozenset("abcd"), frozenset("abce")) == 2
    assert cmp.compare_token_sets(frozenset("ab"), frozenset("cd")) == 1
    assert cmp.compare_exact("34000", "34000") == 2
    assert cmp.compare_exact("34000", None) == 0


def test_addresses_count_once_however_many_parts_agree() -> None:
    street = frozenset({"ataturk", "caddesi", "no", "5"})
    assert cmp.compare_addresses("istanbul", "34000", street, "istanbul", "34000", street) == 4
    assert cmp.compare_addresses("istanbul", "34000", street, "istanbul", "34000", frozenset({"gul"})) == 3
    assert cmp.compare_addresses("istanbul", None, frozenset(), "istanbul", "34000", street) == 2
    assert cmp.compare_addresses("istanbul", None, frozenset(), "ankara", None, frozenset()) == 1
    assert cmp.compare_addresses(None, None, frozenset(), "ankara", None, frozenset()) == 0


def test_birth_dates() -> None:
    assert cmp.compare_birth_dates("1990-05-17", "1990-05-17") == 3
    assert cmp.compare_birth_dates("1990-05-07", "1990-07-05") == 2  # day and month swapped
    assert cmp.compare_birth_dates("1990-05-17", "1991-05-17") == 2  # one digit
    assert cmp.compare_birth_dates("1990-05-17", "1975-01-02") == 1
