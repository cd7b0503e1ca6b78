"""Record checks for standard codes: country (ISO 3166-1), currency (ISO 4217), language (BCP 47).

Each check accepts what people type (``Türkiye``, ``TL``, ``Türkçe``), rewrites it to the code in
place, and reports values it cannot place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.records import Issue
from hub.validation.reference import country_code, currency_code, language_tag

__all__ = ["check_standard_codes"]

_Resolver = Callable[[str], "str | None"]

# (field, resolver, code, what a good value looks like) per stream
_CHECKS: dict[str, tuple[tuple[str, _Resolver, str, str], ...]] = {
    "contacts": (
        ("address.country", country_code, "country_invalid", "an ISO 3166-1 alpha-2 code such as TR"),
        ("language", language_tag, "language_invalid", "a language tag such as tr or en-GB"),
    ),
    "companies": (
        ("address.country", country_code, "country_invalid", "an ISO 3166-1 alpha-2 code such as TR"),
        ("annual_revenue.currency", currency_code, "currency_invalid", "an ISO 4217 code such as TRY"),
    ),
}


def check_standard_codes(record: dict[str, Any], stream: str) -> list[Issue]:
    """Normalise country, currency and language fields of ``record`` in place; report unknown values."""
    issues: list[Issue] = []
    for field, resolve, code, expected in _CHECKS.get(stream, ()):
        value = record.get(field)
        if value is None or value == "":
            continue
        normal = resolve(value) if isinstance(value, str) else None
        if normal is None:
            issues.append(Issue(field, code, f"not a known code or name: expected {expected}"))
        elif normal != value:
            record[field] = normal
    return issues
