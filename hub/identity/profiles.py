"""What is compared in each stream: features taken from a canonical record, comparisons, blocking keys.

A :class:`StreamProfile` turns a flat canonical record (``first_name``, ``address.city``, …) into a
*feature tuple* once; comparisons and blocking keys then work on tuples only, so a pair costs a
handful of C++ string comparisons and no dictionary look-ups or re-normalisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations
from typing import Any

from hub.identity import comparisons as cmp
from hub.identity.contact_points import birth_date_key, email_key, id_key, phone_key
from hub.identity.normalise import address_tokens, company_key, match_text

__all__ = ["PROFILES", "Comparison", "Features", "NormaliseOptions", "StreamProfile", "profile_for"]

Features = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class NormaliseOptions:
    """Choices normalisation leaves to the configuration."""

    default_region: str = "TR"
    email_provider_rules: bool = True


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field comparison: its level names (level 0 is always ``null``) and the function giving a level."""

    name: str
    levels: tuple[str, ...]
    compare: Callable[[Features, Features], int]


@dataclass(frozen=True, slots=True)
class StreamProfile:
    """How records of one stream are normalised, compared and blocked."""

    stream: str
    extract: Callable[[Mapping[str, Any], NormaliseOptions], Features]
    comparisons: tuple[Comparison, ...]
    blocking: Mapping[str, Callable[[Features], tuple[str, ...]]]
    """Blocking rules by name: each gives the keys a record is filed under (none when it lacks the values)."""
    default_blocking: tuple[str, ...] = ()
    """The rules used when the configuration names none (every rule when empty)."""
    levels: Callable[[Features, Features], list[int]] | None = None
    """Every comparison at once (the same results as calling each one): the hot path of batch runs."""
    frequency: tuple[tuple[str, int, Callable[[Features], str | None]], ...] = ()
    """(comparison, level, key): agreements at that level are weighted by how rare the key's value is."""
    fields: tuple[str, ...] = ()
    """The canonical fields ``extract`` reads: features are the same wherever these values are the same."""

    def comparison(self, name: str) -> Comparison:
        for item in self.comparisons:
            if item.name == name:
                return item
        raise KeyError(name)


def _text(record: Mapping[str, Any], field: str) -> str:
    value = record.get(field)
    return match_text(str(value)) if value not in (None, "") else ""


def _phones(record: Mapping[str, Any], fields: tuple[str, ...], region: str) -> tuple[str, ...]:
    found = []
    for field in fields:
        value = record.get(field)
        if value:
            key = phone_key(str(value), region)
            if key and key not in found:
                found.append(key)
    return tuple(found)


def _optional(value: Any, convert: Callable[[Any], str | None]) -> str | None:
    return convert(value) if value not in (None, "") else None


# Contacts -----------------------------------------------------------------------------------------
(C_FIRST, C_LAST, C_EMAIL, C_PHONES, C_COMPANY, C_CITY, C_POSTCODE, C_STREET, C_BIRTH, C_NATID, C_DIGITS,
 C_NAMED_HANDLE) = range(12)
_NAME_DIGITS = re.compile(r"\D+")
_NOT_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=65_536)
def _name_handles(first: str, last: str) -> frozenset[str]:
    """E-mail handles made of nothing but the name: ``ayseyilmaz``, ``yilmazayse``, ``ayilmaz``, ``ayse`` …"""
    words = (first + " " + last).split()[:4]
    handles = set(words)
    for x in words:
        for y in words:
            if x != y:
                handles.update((x + y, x[0] + y, x + y[0]))
    if len(words) >= 3:
        handles.update("".join(order) for order in permutations(words, 3))
    return frozenset(handles)


def _named_handle(email: str | None, first: str, last: str) -> bool:
    """Whether an address's handle is just the person's name (and so says nothing the name does not)."""
    if not email:
        return False
    local = email.rpartition("@")[0]
    if any(ch.isdigit() for ch in local):
        return False
    return _NOT_LETTERS.sub("", local) in _name_handles(first, last)


def _compare_contact_emails(a: Features, b: Features) -> int:
    level = cmp.compare_emails(a[C_EMAIL], b[C_EMAIL])
    # The same name-made handle at two providers is explained by the name alone: no evidence of its own.
    if level in (2, 3) and a[C_NAMED_HANDLE] and b[C_NAMED_HANDLE]:
        return 0
    return level


def _contact_features(record: Mapping[str, Any], options: NormaliseOptions) -> Features:
    email = record.get("email")
    company = record.get("company")
    street = record.get("address.street")
    first, last = _text(record, "first_name"), _text(record, "last_name")
    address = email_key(str(email), provider_rules=options.email_provider_rules) if email else None
    return (
        first,
        last,
        address,
        _phones(record, ("mobile", "phone"), options.default_region),
        company_key(str(company)) if company else None,
        _text(record, "address.city") or None,
        _optional(record.get("address.postcode"), id_key),
        address_tokens(str(street)) if street else frozenset(),
        _optional(record.get("birth_date"), birth_date_key),
        _optional(record.get("national_id.value"), id_key),
        _NAME_DIGITS.sub("", first + last),
        _named_handle(address, first, last),
    )


def _sorted_name(f: Features) -> tuple[str, ...]:
    words = sorted((f[C_FIRST] + " " + f[C_LAST]).split())
    return (" ".join(words),) if len(words) >= 2 else ()


def _together(*parts: int) -> Callable[[Features], tuple[str, ...]]:
    def key(f: Features) -> tuple[str, ...]:
        values = [f[part] for part in parts]
        return ("|".join(values),) if all(values) else ()
    return key


def _single(index: int) -> Callable[[Features], tuple[str, ...]]:
    def key(f: Features) -> tuple[str, ...]:
        return (f[index],) if f[index] else ()
    return key


def _email_local(f: Features) -> tuple[str, ...]:
    email = f[C_EMAIL]
    return (email.rpartition("@")[0],) if email else ()


def _contact_levels(a: Features, b: Features) -> list[int]:
    return [
        cmp.compare_names(a[C_FIRST], a[C_LAST], b[C_FIRST], b[C_LAST], a[C_DIGITS], b[C_DIGITS]),
        _compare_contact_emails(a, b),
        cmp.compare_phones(a[C_PHONES], b[C_PHONES]),
        cmp.compare_texts(a[C_COMPANY], b[C_COMPANY]),
        cmp.compare_addresses(a[C_CITY], a[C_POSTCODE], a[C_STREET], b[C_CITY], b[C_POSTCODE], b[C_STREET]),
        cmp.compare_birth_dates(a[C_BIRTH], b[C_BIRTH]),
        cmp.compare_exact(a[C_NATID], b[C_NATID]),
    ]


CONTACTS = StreamProfile(
    stream="contacts",
    extract=_contact_features,
    comparisons=(
        Comparison("name", ("null", "different", "one_part", "similar", "close", "exact"),
                   lambda a, b: cmp.compare_names(a[C_FIRST], a[C_LAST], b[C_FIRST], b[C_LAST],
                                                  a[C_DIGITS], b[C_DIGITS])),
        Comparison("email", ("null", "different", "similar", "same_local", "exact"), _compare_contact_emails),
        Comparison("phone", ("null", "different", "same_tail", "exact"),
                   lambda a, b: cmp.compare_phones(a[C_PHONES], b[C_PHONES])),
        Comparison("company", ("null", "different", "similar", "exact"),
                   lambda a, b: cmp.compare_texts(a[C_COMPANY], b[C_COMPANY])),
        Comparison("address", ("null", "different", "same_city", "same_area", "same_street"),
                   lambda a, b: cmp.compare_addresses(a[C_CITY], a[C_POSTCODE], a[C_STREET],
                                                      b[C_CITY], b[C_POSTCODE], b[C_STREET])),
        Comparison("birth_date", ("null", "different", "typo", "exact"),
                   lambda a, b: cmp.compare_birth_dates(a[C_BIRTH], b[C_BIRTH])),
        Comparison("national_id", ("null", "different", "exact"),
                   lambda a, b: cmp.compare_exact(a[C_NATID], b[C_NATID])),
    ),
    blocking={
        "email": _single(C_EMAIL),
        "phone": lambda f: f[C_PHONES],
        "national_id": _single(C_NATID),
        "name": _sorted_name,
        "name_city": lambda f: (_sorted_name(f)[0] + "|" + f[C_CITY],) if f[C_CITY] and _sorted_name(f) else (),
        "last_name_postcode": _together(C_LAST, C_POSTCODE),
        "first_name_postcode": _together(C_FIRST, C_POSTCODE),
        "last_name_birth_date": _together(C_LAST, C_BIRTH),
        "first_name_birth_date": _together(C_FIRST, C_BIRTH),
        "email_local": _email_local,
        "last_name_city": _together(C_LAST, C_CITY),
        "first_name_city": _together(C_FIRST, C_CITY),
    },
    levels=_contact_levels,
    frequency=(("name", 5, lambda f: _sorted_name(f)[0] if _sorted_name(f) else None),
               ("email", 3, lambda f: _email_local(f)[0] if f[C_EMAIL] else None)),
    # City is too coarse to block on by default: a common name in a big city makes a huge block.
    default_blocking=("email", "phone", "national_id", "name_city", "last_name_postcode", "first_name_postcode",
                      "last_name_birth_date", "first_name_birth_date", "email_local"),
    fields=("first_name", "last_name", "email", "mobile", "phone", "company", "address.city", "address.postcode",
            "address.street", "birth_date", "national_id.value"),
)

# Companies ----------------------------------------------------------------------------------------
(K_NAME, K_DOMAIN, K_TAXID, K_PHONES, K_CITY, K_POSTCODE, K_STREET) = range(7)


def _company_features(record: Mapping[str, Any], options: NormaliseOptions) -> Features:
    name = record.get("name")
    domain = record.get("domain")
    street = record.get("address.street")
    return (
        company_key(str(name)) if name else None,
        match_text(str(domain)).replace(" ", ".").removeprefix("www.") if domain else None,
        _optional(record.get("tax_id.value"), id_key),
        _phones(record, ("phone",), options.default_region),
        _text(record, "address.city") or None,
        _optional(record.get("address.postcode"), id_key),
        address_tokens(str(street)) if street else frozenset(),
    )


COMPANIES = StreamProfile(
    stream="companies",
    extract=_company_features,
    comparisons=(
        Comparison("name", ("null", "different", "similar", "exact"),
                   lambda a, b: cmp.compare_texts(a[K_NAME], b[K_NAME])),
        Comparison("domain", ("null", "different", "exact"), lambda a, b: cmp.compare_exact(a[K_DOMAIN], b[K_DOMAIN])),
        Comparison("tax_id", ("null", "different", "exact"), lambda a, b: cmp.compare_exact(a[K_TAXID], b[K_TAXID])),
        Comparison("phone", ("null", "different", "same_tail", "exact"),
                   lambda a, b: cmp.compare_phones(a[K_PHONES], b[K_PHONES])),
        Comparison("address", ("null", "different", "same_city", "same_area", "same_street"),
                   lambda a, b: cmp.compare_addresses(a[K_CITY], a[K_POSTCODE], a[K_STREET],
                                                      b[K_CITY], b[K_POSTCODE], b[K_STREET])),
    ),
    blocking={
        "tax_id": _single(K_TAXID),
        "domain": _single(K_DOMAIN),
        "phone": lambda f: f[K_PHONES],
        "name": _single(K_NAME),
    },
    frequency=(("name", 3, lambda f: f[K_NAME]),),
    fields=("name", "domain", "tax_id.value", "phone", "address.city", "address.postcode", "address.street"),
)

PROFILES: dict[str, StreamProfile] = {"contacts": CONTACTS, "companies": COMPANIES}


def profile_for(stream: str) -> StreamProfile:
    """The profile of ``stream``; a stream without one cannot be matched beyond exact keys."""
    try:
        return PROFILES[stream]
    except KeyError:
        raise KeyError(f"no identity profile for stream {stream!r} (known: {', '.join(PROFILES)})") from None
