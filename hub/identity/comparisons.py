"""Comparison levels: how alike two records are, field by field, as small integers.

Every comparison returns a *level*: 0 when either side has no value (no evidence either way), 1
when the values differ, and higher levels for closer agreement; the last level is an exact match.
The Fellegi–Sunter model (:mod:`hub.identity.scoring`) turns each level into a weight. Levels and
not raw similarities go into the model because they can be counted: m and u probabilities are
frequencies of levels among true matches and among random pairs.

String similarity is Jaro–Winkler from rapidfuzz (C++), chosen because it rewards shared
prefixes, which is how names and e-mail local parts are usually mistyped.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.fuzz import token_set_ratio

__all__ = [
    "compare_addresses",
    "compare_birth_dates",
    "compare_emails",
    "compare_exact",
    "compare_names",
    "compare_phones",
    "compare_texts",
    "compare_token_sets",
]

_jw = JaroWinkler.normalized_similarity


_NON_DIGITS = re.compile(r"\D+")


def _digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def _part_level(a: str, b: str) -> int:
    """3 exact, 2 close, 1 similar, 0 different — one name part against another."""
    if a == b:
        return 3
    score = _jw(a, b)
    return 2 if score >= 0.92 else 1 if score >= 0.80 else 0


def _name_level(low: int, high: int) -> int:
    if low == 3:
        return 5
    if low >= 1:
        return low + 2
    return 2 if high >= 2 else 1


def compare_names(first_a: str, last_a: str, first_b: str, last_b: str, digits_a: str = "", digits_b: str = "") -> int:
    """Person names, first/last swaps forgiven: 0 null, 1 different, 2 one part agrees, 3 similar, 4 close, 5 exact.

    ``digits_*`` are the digits inside each name (``Branch 2``): they must agree, since they number
    things and a typo model cannot see that.
    """
    if not (first_a or last_a) or not (first_b or last_b):
        return 0
    if digits_a != digits_b:
        return 1
    if first_a and last_a and first_b and last_b:
        if first_a == first_b and last_a == last_b:
            return 5
        d1, d2 = _part_level(first_a, first_b), _part_level(last_a, last_b)
        direct = _name_level(min(d1, d2), max(d1, d2))
        if direct >= 4:
            return direct
        s1, s2 = _part_level(first_a, last_b), _part_level(last_a, first_b)
        return max(direct, _name_level(min(s1, s2), max(s1, s2)))
    # Only one part on one side: it may stand for either part on the other side.
    one = first_a or last_a if not (first_a and last_a) else first_b or last_b
    others = (first_b, last_b) if not (first_a and last_a) else (first_a, last_a)
    best = max(_part_level(one, other) for other in others if other)
    return 3 if best == 3 else 2 if best == 2 else 1


def compare_emails(a: str | None, b: str | None) -> int:
    """0 null, 1 different, 2 similar local part, 3 same local part at another domain, 4 exact."""
    if not a or not b:
        return 0
    if a == b:
        return 4
    local_a, _, domain_a = a.rpartition("@")
    local_b, _, domain_b = b.rpartition("@")
    if local_a == local_b:
        return 3
    if _digits(local_a) != _digits(local_b):
        return 1  # ayse.kaya12 and ayse.kaya15 are two accounts, not a typo
    if _jw(local_a, local_b) >= 0.88 and (domain_a == domain_b or Levenshtein.distance(local_a, local_b) <= 1):
        return 2
    return 1


def compare_phones(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Sets of E.164 numbers: 0 null, 1 different, 2 same last seven digits, 3 a number in common."""
    if not a or not b:
        return 0
    for number in a:  # a loop, not any(): most records have one or two numbers and this runs per pair
        if number in b:
            return 3
    for number in a:
        tail = number[-7:]
        for other in b:
            if other[-7:] == tail:
                return 2
    return 1


def compare_texts(a: str | None, b: str | None) -> int:
    """Free text such as company names: 0 null, 1 different, 2 similar words, 3 exact."""
    if not a or not b:
        return 0
    if a == b:
        return 3
    return 2 if token_set_ratio(a, b) >= 90 or _jw(a, b) >= 0.92 else 1


def compare_token_sets(a: frozenset[str], b: frozenset[str]) -> int:
    """Tokenised addresses: 0 null, 1 different, 2 most words shared (Jaccard ≥ 0.6), 3 the same words."""
    if not a or not b:
        return 0
    if a == b:
        return 3
    return 2 if len(a & b) / len(a | b) >= 0.6 else 1


def compare_addresses(
    city_a: str | None, postcode_a: str | None, street_a: frozenset[str],
    city_b: str | None, postcode_b: str | None, street_b: frozenset[str],
) -> int:
    """City, postcode and street as one comparison: 0 null, 1 different, 2 same city, 3 same area, 4 same street.

    One comparison rather than three because they are not independent: a household shares all
    three, and counting them as three pieces of evidence would make relatives look like one person.
    """
    street = compare_token_sets(street_a, street_b)
    postcode = compare_exact(postcode_a, postcode_b)
    city = compare_exact(city_a, city_b)
    if not (street or postcode or city):
        return 0
    if postcode == 1 or city == 1:
        return 1 if street != 3 else 2
    if street == 3:
        return 4
    if postcode == 2 or street == 2:
        return 3
    return 2 if city == 2 else 1


def compare_exact(a: str | None, b: str | None) -> int:
    """Codes (city, postcode, national id): 0 null, 1 different, 2 equal."""
    if not a or not b:
        return 0
    return 2 if a == b else 1


def compare_birth_dates(a: str | None, b: str | None) -> int:
    """ISO dates: 0 null, 1 different, 2 a typo or day and month swapped, 3 exact."""
    if not a or not b:
        return 0
    if a == b:
        return 3
    swapped = a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]
    return 2 if swapped or Levenshtein.distance(a, b) <= 1 else 1
