"""Date checks: birth dates in a plausible range, record timestamps as UTC instants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.records import Issue

__all__ = ["EARLIEST_BIRTH_DATE", "check_dates"]

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_TIMESTAMPS = ("created_at", "updated_at", "consent.captured_at")


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def check_dates(record: dict[str, Any], stream: str, today: dt.date | None = None) -> list[Issue]:
    """``birth_date`` between 1900-01-01 and today; timestamps time-zone aware, rewritten to UTC in place."""
    issues: list[Issue] = []
    birth = record.get("birth_date")
    if birth is not None and birth != "":
        day = _as_date(birth)
        if day is None:
            issues.append(Issue("birth_date", "type_invalid", "not a date (expected YYYY-MM-DD)"))
        elif day < EARLIEST_BIRTH_DATE or day > (today or dt.date.today()):
            issues.append(Issue("birth_date", "date_out_of_range", "a birth date must be between 1900 and today"))
        elif day is not birth:
            record["birth_date"] = day
    for field in _TIMESTAMPS:
        value = record.get(field)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                issues.append(Issue(field, "type_invalid", "not an ISO 8601 date-time"))
                continue
        if not isinstance(value, dt.datetime):
            issues.append(Issue(field, "type_invalid", "not a date-time"))
        elif value.utcoffset() is None:
            issues.append(Issue(field, "datetime_naive", "the date-time has no time zone; a UTC instant is needed"))
        elif value.tzinfo is not dt.UTC:
            record[field] = value.astimezone(dt.UTC)
    return issues
