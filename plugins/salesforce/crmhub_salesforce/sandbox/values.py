"""Field values: parsing what clients send (JSON, CSV, SOQL literals), storing and rendering them.

Stored forms keep SQLite comparisons right: datetimes as ``YYYY-MM-DDTHH:MM:SS.mmm+0000`` in UTC (so
text order is time order), dates as ``YYYY-MM-DD``, booleans as 0/1, numbers as numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from crmhub_salesforce.sandbox.catalog import NUMBER_TYPES, TEXT_TYPES, FieldDef

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
UTC = dt.UTC


class BadValue(ValueError):
    """A value that does not fit the field's type."""


def format_datetime(moment: dt.datetime) -> str:
    """Salesforce's rendering of a dateTime: ``2024-05-01T10:00:00.000+0000`` (UTC, milliseconds)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> dt.datetime:
    """Parse an ISO 8601 dateTime as Salesforce accepts it (zone required)."""
    match = _DATETIME.match(text)
    if not match:
        raise BadValue(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if zone == "Z":
        tz = UTC
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz)
    except ValueError as exc:
        raise BadValue(text) from exc


def parse_date(text: str) -> dt.date:
    match = _DATE.match(text)
    if not match:
        raise BadValue(text)
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise BadValue(text) from exc


def from_text(fdef: FieldDef, text: str) -> Any:
    """A stored value from its text form (CSV cells); raises :class:`BadValue`."""
    kind = fdef.type
    if kind in TEXT_TYPES or kind == "textarea":
        return text
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            return 1
        if lowered in ("false", "0", "no"):
            return 0
        raise BadValue(text)
    if kind in NUMBER_TYPES:
        if not _NUMBER.match(text.strip()):
            raise BadValue(text)
        number = float(text)
        if kind == "int":
            if not number.is_integer():
                raise BadValue(text)
            return int(number)
        return number
    if kind == "date":
        return parse_date(text.strip()).isoformat()
    if kind == "datetime":
        return format_datetime(parse_datetime(text.strip()))
    raise BadValue(text)


def from_json(fdef: FieldDef, value: Any) -> Any:
    """A stored value from a JSON value; raises :class:`BadValue` when the JSON type cannot fit."""
    if value is None:
        return None
    kind = fdef.type
    if kind == "boolean":
        if isinstance(value, bool):
            return int(value)
        raise BadValue(value)
    if isinstance(value, bool | dict | list):
        raise BadValue(value)
    if kind in NUMBER_TYPES:
        if isinstance(value, int | float):
            if kind == "int" and isinstance(value, float) and not value.is_integer():
                raise BadValue(value)
            return int(value) if kind == "int" else float(value)
        return from_text(fdef, str(value))
    if isinstance(value, int | float):
        if kind in TEXT_TYPES:
            return str(value)
        raise BadValue(value)
    return from_text(fdef, value)


def to_json(fdef: FieldDef, stored: Any) -> Any:
    """The JSON rendering of a stored value, as the REST API returns it."""
    if stored is None:
        return None
    if fdef.type == "boolean":
        return bool(stored)
    if fdef.type == "int":
        return int(stored)
    if fdef.type in NUMBER_TYPES:
        return float(stored)
    return stored


def to_text(fdef: FieldDef, stored: Any) -> str:
    """The CSV rendering of a stored value."""
    value = to_json(fdef, stored)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_type_name(fdef: FieldDef) -> str:
    """The Java type Salesforce's JSON parser names in its errors."""
    return {"boolean": "boolean", "int": "int", "double": "double", "currency": "double", "percent": "double",
            "date": "date", "datetime": "datetime"}.get(fdef.type, "string")
