"""Turn mapped values into the canonical model's types (dates, decimals, booleans), field by field.

Sources hand over text (CSV) or their own types (SQL, JSON). After mapping, every value of a known
canonical field is brought to one Python type, so that comparing a source record with the target's
current record compares like with like.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from hub.model import FieldSpec, FieldType, stream_fields
from hub.records import Issue

_TRUE = frozenset({"true", "1", "yes", "y", "evet", "e", "x", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "hayır", "hayir", "h", "off"})


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        parsed = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _to_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    return decimal.Decimal(str(value).strip())


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a yes/no value")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return int(str(value).strip())


def _to_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


_CONVERTERS: dict[FieldType, Callable[[Any], Any]] = {
    FieldType.DATE: _to_date,
    FieldType.DATETIME: _to_datetime,
    FieldType.DECIMAL: _to_decimal,
    FieldType.BOOLEAN: _to_bool,
    FieldType.INTEGER: _to_int,
    FieldType.STRING: _to_str,
}
_EXPECTED = {
    FieldType.DATE: "a date (YYYY-MM-DD)",
    FieldType.DATETIME: "a date and time (ISO 8601)",
    FieldType.DECIMAL: "a number",
    FieldType.BOOLEAN: "yes or no",
    FieldType.INTEGER: "a whole number",
    FieldType.ENUM: "one of the allowed values",
}


@lru_cache(maxsize=64)
def _spellings(choices: tuple[str, ...]) -> dict[str, str]:
    return {choice.casefold(): choice for choice in choices}


@lru_cache(maxsize=16)
def _plan(stream: str) -> dict[str, FieldSpec]:
    return stream_fields(stream)


def coerce_record(record: dict[str, Any], stream: str) -> list[Issue]:
    """Convert ``record``'s values in place to their canonical types; return one issue per value that cannot be."""
    fields = _plan(stream)
    issues: list[Issue] = []
    for name, value in list(record.items()):
        spec = fields.get(name)
        if spec is None or value is None:
            continue
        if spec.type is FieldType.ENUM:
            spelled = _spellings(spec.choices).get(str(value).strip().casefold())
            if spelled is not None:
                record[name] = spelled
                continue
            issues.append(Issue(name, "value_not_allowed", f"expected one of {', '.join(spec.choices)}"))
            continue
        convert = _CONVERTERS.get(spec.type)
        if convert is None:
            continue
        try:
            record[name] = convert(value)
        except (ValueError, TypeError, decimal.InvalidOperation, OverflowError):
            issues.append(Issue(name, "type_invalid", f"expected {_EXPECTED.get(spec.type, spec.type.value)}"))
    return issues
