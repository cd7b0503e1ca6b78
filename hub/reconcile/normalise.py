"""Comparison forms: what two systems' spellings of one value must share to count as equal.

A reconciliation reports real differences only, so values are compared in a normal form chosen per
field: phones as E.164 (``0532 123 45 67`` equals ``+905321234567``), e-mails through the
validator's normal form and case-folded, codes and enums case-folded, identifiers without spaces or
dashes, dates as ISO dates, timestamps as UTC to the second, numbers as decimals, and free text
(names, cities, companies) NFKC-normalised, with runs of white space collapsed and case folded the
Turkish way (``İ``→``i``, ``I``→``ı``), then dotted and dotless i taken as one letter: a system that
upper-cased ``Nilüfer`` without the Turkish locale holds ``NILÜFER``, and that is the same name. A
field listed as case-sensitive keeps its case.

The forms are for comparison only: reports show each system's own value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from hub.mapping.text import collapse_spaces, lower
from hub.model import FieldType, stream_fields
from hub.validation.emails import EmailProblem, normalise_email
from hub.validation.phones import PhoneProblem, to_e164

__all__ = ["META_FIELDS", "FieldNormaliser", "Normaliser", "comparison_form", "is_meta"]

FieldNormaliser = Callable[[Any], str | None]
"""A value (of any type a mapping produces) to its comparison form; ``None`` for an empty value."""

META_FIELDS = frozenset({"id", "created_at", "updated_at"})
"""Fields that describe a copy, not the person: never compared (nor are ``external_ids.*``)."""

_TEXT_CACHE: dict[str, str] = {}
_CACHE_LIMIT = 262_144


def is_meta(field: str) -> bool:
    """True for bookkeeping fields that differ between systems by nature."""
    return field in META_FIELDS or field.startswith("external_ids.")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_form(value: Any) -> str | None:
    """Free text: NFKC, white space collapsed, Turkish-aware case fold."""
    if _empty(value):
        return None
    text = value if isinstance(value, str) else str(value)
    found = _TEXT_CACHE.get(text)
    if found is None:
        found = lower(collapse_spaces(unicodedata.normalize("NFKC", text)), locale="tr").replace("ı", "i")
        if len(_TEXT_CACHE) >= _CACHE_LIMIT:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[text] = found
    return found


def exact_text_form(value: Any) -> str | None:
    """Text whose case matters: NFKC and white space only."""
    if _empty(value):
        return None
    return collapse_spaces(unicodedata.normalize("NFKC", value if isinstance(value, str) else str(value)))


def email_form(value: Any) -> str | None:
    """The validator's normal form, case-folded (mail systems treat the local part case-blind)."""
    if _empty(value):
        return None
    text = str(value).strip()
    with contextlib.suppress(EmailProblem):  # an invalid address is still compared, as text
        text = normalise_email(text)
    return text.casefold()


def phone_form(value: Any) -> str | None:
    """E.164; a number that does not parse is compared by its digits."""
    if _empty(value):
        return None
    text = str(value)
    try:
        return to_e164(text)
    except PhoneProblem:
        return "".join(ch for ch in text if ch.isdigit()) or text.strip()


def code_form(value: Any) -> str | None:
    """Codes, enums and picklist values: trimmed and case-folded."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().casefold()


def identifier_form(value: Any) -> str | None:
    """National ids, tax ids, postcodes: without spaces, dots and dashes, upper case."""
    if _empty(value):
        return None
    return "".join(ch for ch in str(value) if ch not in " .-\t").upper()


def domain_form(value: Any) -> str | None:
    """A web domain: case-folded, without scheme, ``www.`` or a trailing dot or slash."""
    if _empty(value):
        return None
    text = str(value).strip().casefold()
    for prefix in ("https://", "http://", "www."):
        text = text.removeprefix(prefix)
    return text.rstrip("/.")


_TRUE = frozenset({"true", "1", "yes", "y", "evet", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "hayır", "hayir", "f"})


def boolean_form(value: Any) -> str | None:
    """``true`` or ``false`` from booleans, numbers and the usual words (Turkish included)."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().casefold()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    return text


def decimal_form(value: Any) -> str | None:
    """A number without trailing zeros (``12.50`` equals ``12.5``)."""
    if _empty(value):
        return None
    try:
        number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return str(value).strip()
    return format(number.normalize(), "f") if number == number.to_integral_value() else str(number.normalize())


def date_form(value: Any) -> str | None:
    """An ISO date; a timestamp counts by its (UTC) day."""
    if _empty(value):
        return None
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def datetime_form(value: Any) -> str | None:
    """UTC to the second (systems keep different fractions); a naive time is taken as UTC."""
    if _empty(value):
        return None
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value.strip()
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0).isoformat()
    if isinstance(moment, dt.date):
        return moment.isoformat()
    return str(value)


_BY_NAME: dict[str, FieldNormaliser] = {
    "email": email_form,
    "phone": phone_form,
    "mobile": phone_form,
    "domain": domain_form,
    "national_id.value": identifier_form,
    "tax_id.value": identifier_form,
    "address.postcode": identifier_form,
    "address.country": code_form,
    "language": code_form,
    "annual_revenue.currency": code_form,
}
_BY_TYPE: dict[FieldType, FieldNormaliser] = {
    FieldType.STRING: text_form,
    FieldType.ENUM: code_form,
    FieldType.BOOLEAN: boolean_form,
    FieldType.DECIMAL: decimal_form,
    FieldType.INTEGER: decimal_form,
    FieldType.DATE: date_form,
    FieldType.DATETIME: datetime_form,
    FieldType.MAP: text_form,
}


def field_normaliser(stream: str, field: str, case_sensitive: Iterable[str] = ()) -> FieldNormaliser:
    """The comparison rule of one canonical field (``custom.*`` and unknown fields compare as text)."""
    if field in set(case_sensitive):
        return exact_text_form
    if field in _BY_NAME:
        return _BY_NAME[field]
    spec = stream_fields(stream).get(field)
    if spec is None:
        return text_form
    return _BY_TYPE.get(spec.type, text_form)


def comparison_form(stream: str, field: str, value: Any) -> str | None:
    """One value's comparison form (convenient for a few values; :class:`Normaliser` for many)."""
    return field_normaliser(stream, field)(value)


class Normaliser:
    """Comparison forms of a fixed list of fields, for many records."""

    def __init__(self, stream: str, fields: Sequence[str], case_sensitive: Iterable[str] = ()) -> None:
        exact = set(case_sensitive)
        self.stream = stream
        self.fields = tuple(fields)
        self.rules: tuple[tuple[str, FieldNormaliser], ...] = tuple(
            (name, field_normaliser(stream, name, exact)) for name in self.fields)
        """Each field with its comparison rule, in :attr:`fields` order."""
        self._plan = self.rules

    def forms(self, record: Mapping[str, Any]) -> tuple[str | None, ...]:
        """The comparison form of each field, in :attr:`fields` order (``None`` where empty)."""
        get = record.get
        return tuple(normal(value) if (value := get(name)) is not None else None for name, normal in self._plan)

    def form_map(self, record: Mapping[str, Any]) -> dict[str, str]:
        """``{field: form}`` of the non-empty fields."""
        return {name: form for name, form in zip(self.fields, self.forms(record), strict=True) if form is not None}
