"""Comparison forms of e-mail addresses, phone numbers, national ids and birth dates.

Phones become E.164 (``+905321234567``) whatever their spelling: ``0532 123 45 67``, ``(0532) 1234567``,
``+90 532 123 4567``, ``0090…``. Numbers already in E.164 (everything the engine hands over, since
mappings convert phones) take a fast path; national spellings use the default region's country
code and trunk prefix from libphonenumber's metadata, and only unusual ones are parsed in full.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

import phonenumbers

from hub.identity.normalise import fold_case

__all__ = ["birth_date_key", "email_key", "id_key", "phone_key"]

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_NON_DIGITS = re.compile(r"\D+")
_EXTENSION = re.compile(r"(?:ext\.?|x|#|dahili)\s*\d+\s*$", re.IGNORECASE)


def email_key(email: str, *, provider_rules: bool = True) -> str | None:
    """A lower-cased address; with ``provider_rules``, Gmail's ignored dots and ``+tags`` are dropped too.

    ``None`` for text that is not an address (no ``@``, or nothing on one side of it).
    """
    text = fold_case(email).strip().strip("<>").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return None
    domain = domain.rstrip(".")
    if provider_rules and domain in _GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


@lru_cache(maxsize=256)
def _region_prefixes(region: str) -> tuple[str, str, frozenset[int]]:
    """(country calling code, national trunk prefix, lengths of national numbers) of ``region``."""
    code = phonenumbers.country_code_for_region(region.upper())
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if not code or metadata is None:
        return "", "", frozenset()
    lengths = frozenset(metadata.general_desc.possible_length or ()) if metadata.general_desc else frozenset()
    return str(code), metadata.national_prefix or "", lengths


def phone_key(phone: str, default_region: str = "TR") -> str | None:
    """E.164 form of ``phone`` (national numbers read in ``default_region``); ``None`` when it is no number."""
    text = _EXTENSION.sub("", phone.strip())
    digits = _NON_DIGITS.sub("", text)
    if len(digits) < 6:
        return None
    if text.startswith("+"):
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if digits.startswith("00"):
        rest = digits[2:]
        return "+" + rest if 8 <= len(rest) <= 15 else None
    code, trunk, lengths = _region_prefixes(default_region)
    if trunk and digits.startswith(trunk) and len(digits) - len(trunk) in lengths:
        return "+" + code + digits[len(trunk):]
    if code and digits.startswith(code) and len(digits) - len(code) in lengths:
        return "+" + digits
    if len(digits) in lengths and not (trunk and digits.startswith(trunk)):
        return "+" + code + digits
    return _parsed(text, default_region)


@lru_cache(maxsize=65_536)
def _parsed(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def id_key(value: Any) -> str | None:
    """A national id or tax id as its letters and digits, upper-cased (spaces and dashes dropped)."""
    text = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    return text or None


def birth_date_key(value: Any) -> str | None:
    """An ISO date ``YYYY-MM-DD`` from a date, a datetime or ISO-looking text; ``None`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
