"""Phone numbers to E.164 with ``phonenumbers``, cached because parsing is the costliest check per record."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from hub.records import Issue

__all__ = ["DEFAULT_REGION", "PhoneProblem", "check_phones", "is_region", "to_e164"]

DEFAULT_REGION = "TR"
# Spaces, dashes, dots, brackets and slashes carry no meaning: dropping them before the cache
# lets "0532 123 45 67" and "0532-123-4567" share one parse.
_SEPARATORS = re.compile(r"[\s\-./()\u00a0]+")


class PhoneProblem(ValueError):
    """Why a text is not a phone number; the message never contains the number."""


def is_region(region: str) -> bool:
    """True for a region ``phonenumbers`` knows (ISO alpha-2, upper case)."""
    return region in phonenumbers.SUPPORTED_REGIONS


# Results of recent conversions, by region: the input text and the E.164 form itself both map to
# the E.164 form, so that validating a phone the mapping has just normalised costs one look-up.
_RECENT: dict[str, dict[str, str]] = {}
_RECENT_LIMIT = 65536


def to_e164(text: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of ``text`` read with ``region`` as the default country; :class:`PhoneProblem` if invalid."""
    recent = _RECENT.get(region)
    if recent is None:
        recent = _RECENT.setdefault(region, {})
    elif (known := recent.get(text)) is not None:
        return known
    key = _SEPARATORS.sub("", text)
    if key.startswith("00"):
        key = "+" + key[2:]
    e164 = _fast_e164(key, region)
    if e164 is None:
        e164, problem = _parse(key, region)
        if e164 is None:
            raise PhoneProblem(problem)
    if len(recent) >= _RECENT_LIMIT:
        recent.clear()
    recent[text] = recent[e164] = e164
    return e164


@dataclass(frozen=True, slots=True)
class _RegionRules:
    """The validity patterns of one region, from phonenumbers' own metadata, merged by number length."""

    calling_code: str
    trunk_prefix: str
    general: re.Pattern[str]
    by_length: dict[int, re.Pattern[str]]
    any_length: re.Pattern[str] | None

    def valid(self, national: str) -> bool:
        """Whether a national number (digits after the calling code or trunk prefix) is valid."""
        if not (national.isascii() and national.isdigit()) or not self.general.fullmatch(national):
            return False
        pattern = self.by_length.get(len(national), self.any_length)
        return pattern is not None and pattern.fullmatch(national) is not None


@functools.lru_cache(maxsize=64)
def _rules(region: str) -> _RegionRules | None:
    """Rules for a fast check of plain numbers, or ``None`` where only a full parse is right.

    The fast path answers exactly as ``phonenumbers.is_valid_number`` would (a test compares
    them), but only for regions whose calling code is theirs alone and whose trunk prefix is
    a plain digit string; everything else takes the full parse.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None or not metadata.general_desc.national_number_pattern:
        return None
    code = metadata.country_code
    if code is None or len(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())) != 1:
        return None
    prefix = metadata.national_prefix or ""
    if metadata.national_prefix_transform_rule or (metadata.national_prefix_for_parsing or "") != prefix:
        return None
    if not prefix.isdigit() and prefix:
        return None
    typed: list[tuple[frozenset[int], str]] = []
    for attr in _NUMBER_TYPES:
        desc = getattr(metadata, attr)
        if desc is not None and desc.national_number_pattern:
            typed.append((frozenset(desc.possible_length or ()), desc.national_number_pattern))
    # A number is valid when it fits the general pattern and one type's pattern, among the types
    # whose possible lengths include its length (types listing no lengths fit every length).
    lengths = set().union(*(sizes for sizes, _ in typed)) if typed else set()
    by_length = {
        size: re.compile("|".join(f"(?:{p})" for sizes, p in typed if not sizes or size in sizes))
        for size in lengths
    }
    open_ended = [p for sizes, p in typed if not sizes]
    any_length = re.compile("|".join(f"(?:{p})" for p in open_ended)) if open_ended else None
    general = re.compile(metadata.general_desc.national_number_pattern)
    return _RegionRules(str(code), prefix, general, by_length, any_length)


_NUMBER_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
    "fixed_line", "mobile",
)


def _fast_e164(key: str, region: str) -> str | None:
    rules = _rules(region)
    if rules is None:
        return None
    if key.startswith("+"):
        if not key.startswith(rules.calling_code, 1):
            return None
        national = key[1 + len(rules.calling_code):]
    elif rules.trunk_prefix and key.startswith(rules.trunk_prefix):
        national = key[len(rules.trunk_prefix):]
    else:
        national = key
    return "+" + rules.calling_code + national if rules.valid(national) else None


@functools.lru_cache(maxsize=65536)
def _parse(key: str, region: str) -> tuple[str | None, str]:
    """``(e164, "")`` or ``(None, problem)``: failures are cached too, as junk values repeat."""
    if not key:
        return None, "empty phone number"
    try:
        number = phonenumbers.parse(key, region)
    except phonenumbers.NumberParseException as exc:
        return None, _PARSE_PROBLEMS.get(exc.error_type, "not a phone number")
    if not phonenumbers.is_valid_number(number):
        reason = phonenumbers.is_possible_number_with_reason(number)
        return None, _LENGTH_PROBLEMS.get(reason, "not a valid number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


_PARSE_PROBLEMS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country calling code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}
_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short for its country",
    phonenumbers.ValidationResult.TOO_LONG: "too long for its country",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length for its country",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
}


PHONE_FIELDS = ("phone", "mobile")


def check_phones(record: dict[str, Any], stream: str, region: str = DEFAULT_REGION) -> list[Issue]:
    """Rewrite ``phone`` and ``mobile`` to E.164 in place; ``phone_invalid`` for numbers that are not."""
    issues: list[Issue] = []
    for field in PHONE_FIELDS:
        value = record.get(field)
        if value is None or value == "":
            continue
        try:
            e164 = to_e164(value if isinstance(value, str) else str(value), region)
        except PhoneProblem as exc:
            issues.append(Issue(field, "phone_invalid", f"not a valid phone number: {exc}"))
            continue
        if e164 != value:
            record[field] = e164
    return issues
