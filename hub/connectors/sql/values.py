"""Converting values between the hub's Python types and what each database stores.

Every column has a :class:`FieldType` kind. ``coerce`` turns what a write request carries
(often strings from a CSV) into the canonical Python value, ``to_db`` into the parameter the
driver binds, and ``from_db`` turns what the driver returns back into the canonical value, so
that the writer can compare a request with the stored row exactly.

Time zones: datetimes are stored in UTC. A naive datetime (no offset) is taken to be UTC, both
when written and when read. PostgreSQL ``TIMESTAMP WITH TIME ZONE`` keeps the instant; SQLite
stores ``YYYY-MM-DD HH:MM:SS.ffffff`` text and MariaDB ``DATETIME(6)``, both in UTC.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import json.encoder
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hub.model.fields import FieldType

UTC = dt.UTC
_TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})

Converter = Callable[[Any], Any]


def to_utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime; naive datetimes are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_datetime(value: Any) -> dt.datetime:
    """A datetime, ISO string (``Z`` or offset allowed), date or epoch number → aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return to_utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        return to_utc(dt.datetime.fromisoformat(value.strip()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, UTC)
    raise TypeError(type(value).__name__)


def _string(value: Any) -> Any:
    if value is None or value.__class__ is str:
        return value
    if isinstance(value, bool | dict | list):
        raise TypeError(type(value).__name__)
    return str(getattr(value, "value", value))


def _integer(value: Any) -> Any:
    if value is None or value.__class__ is int:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    if isinstance(value, float | decimal.Decimal) and value == int(value):
        return int(value)
    raise TypeError(type(value).__name__)


def _boolean(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise ValueError("not a boolean")


def _date(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return to_utc(value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        return dt.date.fromisoformat(text[:10]) if len(text) > 10 else dt.date.fromisoformat(text)
    raise TypeError(type(value).__name__)


def _datetime(value: Any) -> Any:
    return None if value is None else parse_datetime(value)


def _truncating(step: int) -> Converter:
    def coerce(value: Any) -> Any:
        moment = _datetime(value)
        return None if moment is None else moment.replace(microsecond=moment.microsecond - moment.microsecond % step)

    return coerce


@functools.lru_cache(maxsize=4096)
def _date_from_db(value: Any) -> Any:
    # Cached: birth dates and other dates repeat a lot across rows.
    return _date(value)


@functools.lru_cache(maxsize=4096)
def _datetime_from_db(value: Any) -> Any:
    # Cached: rows written in one batch share their updated_at, so a page repeats a few values.
    return parse_datetime(value)


def _map(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str | bytes):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise TypeError(type(value).__name__)
    return json_normal(value)


def _map_from_db(value: Any) -> Any:
    # What a JSON column returns is already in normal form: decode, don't round-trip.
    if isinstance(value, str | bytes):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise TypeError(type(value).__name__)
    return value


_JSON_OUT = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
# The C encoder behind JSONEncoder, built once: JSONEncoder.encode builds it anew on every call,
# which costs more than encoding a small map. Values reaching it went through json_normal, so
# they hold no cycles and need no circular-reference markers.
_json_chunks = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _JSON_OUT.default, json.encoder.encode_basestring, None, ": ", ", ", True, False, True
) if getattr(json.encoder, "c_make_encoder", None) else None
_JSON_LENIENT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def json_normal(value: Any) -> Any:
    """``value`` as a later read returns it from a JSON column (a JSON round trip: Decimal → float, date → str)."""
    if value is None or value.__class__ in (str, int, bool):
        return value
    return json.loads(_JSON_LENIENT.encode(value))


def _decimal(scale: int | None) -> Converter:
    quantum = decimal.Decimal(1).scaleb(-scale) if scale is not None else None

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            raise TypeError("bool")
        number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value).strip())
        if not number.is_finite():
            raise ValueError("not a finite number")
        return number.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN) if quantum is not None else number

    return convert


@dataclass(frozen=True, slots=True)
class ValueCodec:
    """How one column's values travel: request → canonical → bound parameter, and stored → canonical.

    ``native`` lists the Python types ``coerce`` and ``from_db`` return unchanged, so that a whole
    column of them can skip conversion.
    """

    coerce: Converter
    to_db: Converter
    from_db: Converter
    native: frozenset[type] = frozenset()


_NONE = type(None)


def convert_column(convert: Converter, native: frozenset[type], values: Sequence[Any]) -> Sequence[Any]:
    """``convert`` applied to each value, or ``values`` itself when all are already native or None."""
    if native and set(map(type, values)) <= native:
        return values
    return [None if v is None else convert(v) for v in values]


def identity(value: Any) -> Any:
    """The converter of values the driver takes as they are."""
    return value


@functools.lru_cache(maxsize=1024)
def _sqlite_datetime(value: Any) -> Any:
    # Fixed width, so that SQLite's text comparison orders instants; cached because a batch
    # stamps every row with the same ``now``.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _naive_utc(value: Any) -> Any:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _json_text(value: Any) -> Any:
    if value is None:
        return None
    if _json_chunks is not None:
        return "".join(_json_chunks(value, 0))
    return _JSON_OUT.encode(value)


def _sqlite_bool(value: Any) -> Any:
    return None if value is None else int(value)


def _decimal_text(value: Any) -> Any:
    return None if value is None else str(value)


def _string_from_db(value: Any) -> Any:
    return value if value is None or value.__class__ is str else str(value)


def codec_for(kind: FieldType, backend: str, *, scale: int | None = None, timezone: bool = True) -> ValueCodec:
    """The codec of a column of ``kind`` on ``backend`` (``sqlite``, ``postgresql``, ``mysql``/``mariadb``).

    ``scale`` is the decimal scale of a DECIMAL column, or the fractional-second digits a DATETIME keeps.
    """
    sqlite = backend == "sqlite"
    if kind in (FieldType.STRING, FieldType.ENUM):
        return ValueCodec(_string, identity, _string_from_db, _TEXT_NATIVE)
    if kind is FieldType.INTEGER:
        return ValueCodec(_integer, identity, _integer, frozenset[type]({int, _NONE}))
    if kind is FieldType.BOOLEAN:
        return ValueCodec(_boolean, _sqlite_bool if sqlite else identity, _boolean)
    if kind is FieldType.DATE:
        return ValueCodec(_date, _iso if sqlite else identity, _date_from_db)
    if kind is FieldType.DATETIME:
        if scale is not None and scale < 6:
            # The column keeps fewer digits: drop them here, or every later write would look like a change.
            step = 10 ** (6 - scale)
            coerce = _truncating(step)
            to_db = _naive_utc if not (backend == "postgresql" and timezone) else identity
            return ValueCodec(coerce, _sqlite_datetime if sqlite else to_db, _datetime_from_db)
        if sqlite:
            return ValueCodec(_datetime, _sqlite_datetime, _datetime_from_db)
        if backend == "postgresql" and timezone:
            return ValueCodec(_datetime, identity, _datetime_from_db)
        return ValueCodec(_datetime, _naive_utc, _datetime_from_db)
    if kind is FieldType.DECIMAL:
        convert = _decimal(scale)
        return ValueCodec(convert, _decimal_text if sqlite else identity, convert)
    if kind is FieldType.MAP:
        return ValueCodec(_map, _json_text, _map_from_db)
    return ValueCodec(_string, identity, _string_from_db, _TEXT_NATIVE)


_TEXT_NATIVE = frozenset[type]({str, _NONE})
