"""Dates and date-times in the shapes CRMs, spreadsheets and Turkish users write them.

Understood without configuration: ISO 8601 (``2024-03-05``, ``2024-03-05T14:30:00+03:00``,
``2024-03-05 14:30:00``), day first with dots, slashes or dashes (``05.03.2024``, ``5/3/24 14:30``),
``2024/03/05``, ``20240305``, month names in Turkish and English (``5 Mart 2024``, ``March 5, 2024``),
and Unix timestamps (seconds or milliseconds). ``formats`` adds ``strptime`` patterns tried first;
``dayfirst: false`` reads ``03/05/2024`` as 5 March. A value without a zone is local time in
``tz`` (default ``Europe/Istanbul``); the result is a UTC ``datetime``, or with ``date_only`` the
calendar date as written (no zone shift: ``05.03.2024`` stays 5 March).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from typing import Any

from hub.mapping.transforms import TransformError

__all__ = ["DEFAULT_TZ", "check_date_params", "format_date", "parse_date"]

DEFAULT_TZ = "Europe/Istanbul"

_TIME = r"(?:[T\s,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})" + _TIME)
_YMD = re.compile(r"(\d{4})[./](\d{1,2})[./](\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_MONTH = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})" + _TIME)
_MONTH_DAY = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME)
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("ocak", "oca", "january", "jan"),
        ("subat", "sub", "february", "feb"),
        ("mart", "mar", "march"),
        ("nisan", "nis", "april", "apr"),
        ("mayis", "may"),
        ("haziran", "haz", "june", "jun"),
        ("temmuz", "tem", "july", "jul"),
        ("agustos", "agu", "august", "aug"),
        ("eylul", "eyl", "september", "sep", "sept"),
        ("ekim", "eki", "october", "oct"),
        ("kasim", "kas", "november", "nov"),
        ("aralik", "ara", "december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number
_MONTH_FOLD = str.maketrans("şŞğĞıIİüÜçÇöÖ", "ssggiiiuuccoo")


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> dt.tzinfo:
    return dt.UTC if name.upper() == "UTC" else zoneinfo.ZoneInfo(name)


def check_date_params(params: Mapping[str, Any]) -> list[str]:
    """``tz`` must be an IANA zone name."""
    tz = params.get("tz", DEFAULT_TZ)
    try:
        _zone(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return [f"parameter 'tz' is not a known time zone: {tz!r}"]
    return []


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # two-digit years: this century up to this year, the last century after it
        year += 2000 if year <= dt.date.today().year % 100 else 1900
    return year


def _clock(groups: Sequence[str | None]) -> tuple[int, int, int]:
    hour_text, minute, second, ampm = groups
    if hour_text is None:
        return 0, 0, 0
    hour = int(hour_text)
    if ampm:
        pm = ampm[0] in "pP"
        hour = hour % 12 + (12 if pm else 0)
    return hour, int(minute or 0), int(second or 0)


def _month(name: str) -> int:
    month = _MONTHS.get(name.translate(_MONTH_FOLD).lower())
    if month is None:
        raise ValueError("unknown month name")
    return month


def _parse_text(text: str, formats: Sequence[str], dayfirst: bool) -> tuple[dt.datetime, bool]:
    """``(naive or aware datetime, whether a time was given)``; ``ValueError`` when nothing fits."""
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed, any(c in fmt for c in "HIMSXcf")
    if _ISO_START.match(text):
        parsed = dt.datetime.fromisoformat(text)
        return parsed, len(text) > 10
    if match := _DMY.fullmatch(text):
        first, second, year = int(match[1]), int(match[2]), _year(match[3])
        day, month = (first, second) if dayfirst else (second, first)
        if month > 12 >= day:  # unambiguous the other way round (a US export)
            day, month = month, day
        return dt.datetime(year, month, day, *_clock(match.groups()[3:])), match[4] is not None
    if match := _YMD.fullmatch(text):
        parts = int(match[1]), int(match[2]), int(match[3])
        return dt.datetime(*parts, *_clock(match.groups()[3:])), match[4] is not None
    if match := _COMPACT.fullmatch(text):
        return dt.datetime(int(match[1]), int(match[2]), int(match[3])), False
    if match := _DAY_MONTH.fullmatch(text):
        parts = int(match[3]), _month(match[2]), int(match[1])
        return dt.datetime(*parts, *_clock(match.groups()[3:])), match[4] is not None
    if match := _MONTH_DAY.fullmatch(text):
        parts = int(match[3]), _month(match[1]), int(match[2])
        return dt.datetime(*parts, *_clock(match.groups()[3:])), match[4] is not None
    raise ValueError("no known date format")


def parse_date(
    value: Any,
    *,
    tz: str = DEFAULT_TZ,
    formats: list[str] | None = None,
    date_only: bool = False,
    dayfirst: bool = True,
) -> dt.datetime | dt.date:
    """A UTC ``datetime`` (or with ``date_only`` a ``date``) from text, a timestamp or a date object."""
    zone = _zone(tz)
    if isinstance(value, dt.datetime):
        parsed, timed = value, True
    elif isinstance(value, dt.date):
        return value if date_only else dt.datetime.combine(value, dt.time(), zone).astimezone(dt.UTC)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            parsed, timed = dt.datetime.fromtimestamp(seconds, dt.UTC), True
        except (OverflowError, OSError, ValueError):
            raise TransformError("date_invalid", "the timestamp is out of range") from None
    else:
        text = value.strip() if isinstance(value, str) else str(value).strip()
        try:
            parsed, timed = _parse_text(text, formats or (), dayfirst)
        except (ValueError, OverflowError):
            raise TransformError("date_invalid", "not a date in any known format") from None
    if date_only:
        if parsed.tzinfo is not None and timed:
            return parsed.astimezone(zone).date()
        return parsed.date()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(dt.UTC)


def format_date(
    value: Any,
    *,
    formats: list[str] | None = None,
    tz: str = DEFAULT_TZ,
    date_only: bool = False,
) -> Any:
    """Write a date back in the first of ``formats`` (local time in ``tz``); without formats, unchanged."""
    if not formats or not isinstance(value, dt.date):
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(_zone(tz))
    return value.strftime(formats[0])
