"""The built-in transforms, registered through the ``hub_register_transforms`` hook.

=================  ====================================================  =====================
name               what it does                                          parameters
=================  ====================================================  =====================
trim               strip surrounding white space
collapse_spaces    one space for every run of white space, trimmed
lower / upper      case, ``İ``/``ı`` handled; Turkish ``i``/``I``         ``locale`` (``tr``)
title              capitalise words (``ŞİŞLİ`` → ``Şişli``)              ``locale`` (``tr``)
digits             keep digits only
truncate           cut to a length                                       ``length`` (required)
split_name         full name → (first, last); inverse ``join_name``      ``single`` first|last
join_name          parts → one name
e164               phone → E.164                                         ``region`` (``TR``)
country_iso        code or English/Turkish name → ISO alpha-2
currency           code, symbol or name → ISO 4217
language           tag or English/Turkish name → BCP 47 tag
date               many formats → UTC datetime; inverse ``format_date``  ``tz``, ``formats``,
                                                                         ``date_only``, ``dayfirst``
date_only          like ``date`` but the calendar date                   as ``date``
format_date        date → text in ``formats[0]``                         ``formats``, ``tz``
decimal            ``1.234,56`` / ``1,234.56`` → Decimal                 ``decimal_mark``
boolean            true/false/yes/no/evet/hayır/1/0/x → bool
=================  ====================================================  =====================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hub.hookspecs import hookimpl
from hub.mapping import dates, names, numbers, text
from hub.mapping.transforms import TransformError, TransformRegistry
from hub.validation import phones
from hub.validation.reference import country_code, currency_code, language_tag

__all__ = [
    "builtin_registry",
    "country_iso",
    "currency",
    "e164",
    "hub_register_transforms",
    "language",
    "register_builtins",
]


def e164(value: Any, *, region: str = phones.DEFAULT_REGION) -> str:
    """A phone number in E.164 (``0532 123 45 67`` → ``+905321234567``), read with ``region`` as default."""
    try:
        return phones.to_e164(value if isinstance(value, str) else str(value), region)
    except phones.PhoneProblem as exc:
        raise TransformError("phone_invalid", f"not a valid phone number: {exc}") from None


def _check_region(params: Mapping[str, Any]) -> list[str]:
    region = params.get("region", phones.DEFAULT_REGION)
    return [] if phones.is_region(region) else [f"parameter 'region' is not a known phone region: {region!r}"]


def _by_table(lookup: Any, code: str, what: str) -> Any:
    def convert(value: Any) -> str:
        found = lookup(value if isinstance(value, str) else str(value))
        if found is None:
            raise TransformError(code, f"not a known {what}")
        return str(found)

    return convert


country_iso = _by_table(country_code, "country_invalid", "country code or name")
country_iso.__doc__ = "ISO 3166-1 alpha-2 from a code (TR, TUR, 792) or an English or Turkish name (Türkiye, Almanya)."
currency = _by_table(currency_code, "currency_invalid", "currency code, symbol or name")
currency.__doc__ = "ISO 4217 code from a code, symbol or name (₺, TL, Türk Lirası, $, €)."
language = _by_table(language_tag, "language_invalid", "language tag or name")
language.__doc__ = "BCP 47 tag from a tag (tr, en_GB) or an English or Turkish language name (Türkçe)."


def date_only(
    value: Any, *, tz: str = dates.DEFAULT_TZ, formats: list[str] | None = None, dayfirst: bool = True
) -> dt.date | dt.datetime:
    """The calendar date of a value in any format ``date`` reads."""
    return dates.parse_date(value, tz=tz, formats=formats, date_only=True, dayfirst=dayfirst)


def boolean(value: Any) -> bool:
    """``True``/``False`` from true/false, yes/no, evet/hayır, 1/0, x."""
    return numbers.parse_boolean(value)


def register_builtins(registry: TransformRegistry) -> None:
    """Register every built-in transform into ``registry``."""
    add = registry.register
    add("trim", text.trim)
    add("collapse_spaces", text.collapse_spaces)
    add("lower", text.lower)
    add("upper", text.upper)
    add("title", text.title)
    add("digits", text.digits)
    add("truncate", text.truncate, check_params=_check_length)
    add("split_name", names.split_name, inverse="join_name", check_params=names.check_single)
    add("join_name", names.join_name, inverse="split_name", check_params=names.check_single)
    add("e164", e164, check_params=_check_region)
    add("country_iso", country_iso)
    add("currency", currency)
    add("language", language)
    add("date", dates.parse_date, inverse="format_date", check_params=dates.check_date_params)
    add("date_only", date_only, inverse="format_date", check_params=dates.check_date_params)
    add("format_date", dates.format_date, check_params=dates.check_date_params)
    add("decimal", numbers.parse_decimal, check_params=numbers.check_decimal_params)
    add("boolean", boolean)


def _check_length(params: Mapping[str, Any]) -> list[str]:
    return [] if params.get("length", 0) >= 0 else ["parameter 'length' must be 0 or more"]


def builtin_registry() -> TransformRegistry:
    """A new registry holding only the built-in transforms (for tools and tests that run without plugins)."""
    registry = TransformRegistry()
    register_builtins(registry)
    return registry


@hookimpl
def hub_register_transforms(registry: TransformRegistry) -> None:
    """Register the built-in transforms."""
    register_builtins(registry)
