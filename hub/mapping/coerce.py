"""Values into the type of their canonical field, the last step of reading a field.

Text from CSV files and JSON APIs becomes the canonical type: ``birth_date`` a ``date``,
``created_at`` a UTC ``datetime``, ``annual_revenue.amount`` a ``Decimal``, ``consent.email`` one
of its choices. Values already of the right type pass through untouched, so the cost on typed
sources is one ``isinstance``. Text is stripped, as the canonical model does.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Callable
from typing import Any

from hub.mapping.dates import parse_date
from hub.mapping.numbers import parse_boolean, parse_decimal
from hub.mapping.transforms import TransformError
from hub.model import FieldSpec, FieldType

__all__ = ["Coercion", "as_text", "coercion_for"]

Coercion = Callable[[Any], Any]


def as_text(value: Any) -> str:
    """Text, stripped; structured values (lists, dicts) are not text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict | list | tuple | set | bytes):
        raise TransformError("type_invalid", "expected text, got a structured value")
    return str(value)


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise TransformError("type_invalid", "expected a whole number")
    return int(number)


def _decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    try:
        return parse_decimal(value)
    except TransformError:
        raise TransformError("type_invalid", "expected a number") from None


def _boolean(value: Any) -> bool:
    try:
        return parse_boolean(value)
    except TransformError:
        raise TransformError("type_invalid", "expected a yes/no value") from None


def _date(value: Any) -> dt.date:
    if type(value) is dt.date:
        return value
    try:
        parsed = parse_date(value, date_only=True)
    except TransformError:
        raise TransformError("type_invalid", "expected a date") from None
    return parsed if not isinstance(parsed, dt.datetime) else parsed.date()


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is dt.UTC:
        return value
    try:
        parsed = parse_date(value)
    except TransformError:
        raise TransformError("type_invalid", "expected a date and time") from None
    if not isinstance(parsed, dt.datetime):  # pragma: no cover - parse_date returns datetimes without date_only
        raise TransformError("type_invalid", "expected a date and time")
    return parsed


def _choice(choices: tuple[str, ...]) -> Coercion:
    spelling = {c.casefold(): c for c in choices}
    listed = ", ".join(choices)

    def choice(value: Any) -> str:
        found = spelling.get(as_text(value).strip().casefold())
        if found is None:
            raise TransformError("value_not_allowed", f"expected one of: {listed}")
        return found

    return choice


_BY_TYPE: dict[FieldType, Coercion] = {
    FieldType.STRING: as_text,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
}


@functools.lru_cache(maxsize=256)
def coercion_for(spec: FieldSpec | None) -> Coercion | None:
    """The conversion into ``spec``'s type; ``None`` (pass through) for maps and ``custom.*`` values."""
    if spec is None or spec.type == FieldType.MAP:
        return None
    if spec.type == FieldType.ENUM:
        return _choice(spec.choices)
    return _BY_TYPE.get(spec.type)
