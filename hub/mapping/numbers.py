"""Numbers and yes/no values as Turkish and English sources write them.

``decimal`` reads ``1.234,56`` (Turkish) and ``1,234.56`` (English) alike: when both marks occur
the last one is the decimal mark. A single mark is a thousands separator only when it is repeated
or followed by exactly three digits (``1.234`` / ``1,234``); that case is ambiguous and is read the
Turkish way (``1.234`` = 1234, ``1,234`` = 1.234) unless ``decimal_mark`` says otherwise.
Currency signs and codes around the number and grouping spaces or apostrophes inside it
(``₺ 1 234,50``, ``1'234.50 CHF``) are ignored; any other letter makes it not a number.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from typing import Any

from hub.mapping.transforms import TransformError

__all__ = ["check_decimal_params", "parse_boolean", "parse_decimal"]

# Everything that is not a digit, a mark or a sign: currency symbols and codes, spaces, apostrophes.
# Currency signs and codes before or after the number (₺ 12, 12 TL, 1'234.50 CHF, 12%)
_EDGES = re.compile(r"^[^\d\-+(.,]+|[^\d)]+$")
# Digit grouping inside the number: spaces (also no-break and thin), apostrophes
_GROUPING = re.compile(r"[\s'\u00a0\u202f\u2009]+")
_DIGITS_AND_MARKS = re.compile(r"[\d.,]*\d[\d.,]*")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][-+]?\d+")
_THREE_DIGITS_AFTER = re.compile(r"\d{1,3}[.,]\d{3}")


def check_decimal_params(params: Mapping[str, Any]) -> list[str]:
    """``decimal_mark`` must be ``,`` or ``.``."""
    mark = params.get("decimal_mark")
    if mark is not None and mark not in (",", "."):
        return ["parameter 'decimal_mark' must be ',' or '.'"]
    return []


def parse_decimal(value: Any, *, decimal_mark: str | None = None) -> decimal.Decimal:
    """A ``Decimal`` from ``1.234,56``, ``1,234.56``, ``-12``, ``(12,50)`` or a number."""
    if isinstance(value, bool):
        raise TransformError("decimal_invalid", "a yes/no value is not a number")
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    text = _GROUPING.sub("", _EDGES.sub("", (value if isinstance(value, str) else str(value)).strip()))
    negative = False
    if text.startswith("(") and text.endswith(")"):  # accounting notation for negative amounts
        negative, text = True, text[1:-1]
    if text[:1] in ("-", "+"):
        negative, text = negative != (text[0] == "-"), text[1:]
    if _SCIENTIFIC.fullmatch(text):
        number = decimal.Decimal(text)
        return -number if negative else number
    if not text.isascii() or not _DIGITS_AND_MARKS.fullmatch(text):
        raise TransformError("decimal_invalid", "not a number")
    mark = decimal_mark or _guess_mark(text)
    thousands = "." if mark == "," else ","
    text = text.replace(thousands, "")
    if text.count(mark) > 1:
        raise TransformError("decimal_invalid", "more than one decimal mark")
    try:
        number = decimal.Decimal(text.replace(mark, "."))
    except decimal.InvalidOperation:
        raise TransformError("decimal_invalid", "not a number") from None
    return -number if negative else number


def _guess_mark(text: str) -> str:
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        return "," if text.rfind(",") > text.rfind(".") else "."
    if not has_dot and not has_comma:
        return ","
    single = "." if has_dot else ","
    if text.count(single) > 1:  # a repeated mark separates thousands
        return "," if single == "." else "."
    if _THREE_DIGITS_AFTER.fullmatch(text):  # 1.234 or 1,234: ambiguous, read the Turkish way
        return ","
    return single


_TRUE = frozenset({
    "true", "t", "yes", "y", "evet", "e", "1", "x", "on", "var", "doğru", "dogru", "✓", "✔", "checked",
})
_FALSE = frozenset({
    "false", "f", "no", "n", "hayır", "hayir", "h", "0", "off", "yok", "yanlış", "yanlis", "-", "unchecked",
})


def parse_boolean(value: Any) -> bool:
    """``True`` for true/yes/evet/1/x/on, ``False`` for false/no/hayır/0/off; anything else is an error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    # Turkish upper case: HAYIR is hayır, not hayir
    text = (value if isinstance(value, str) else str(value)).strip().replace("I", "ı").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    text = text.replace("ı", "i")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TransformError("boolean_invalid", "not a yes/no value")
