"""Text transforms: trimming, spacing, case (Turkish-aware), digits, truncation.

Case and the ``locale`` parameter: Turkish has a dotted and a dotless i (``i``/``İ``, ``ı``/``I``).
Python's own ``lower()`` turns ``İ`` into ``i`` plus a combining dot, which breaks comparisons and
lengths, so every case transform maps ``İ``→``i`` and ``ı``→``I`` in all locales. Only the two
letters whose case is ambiguous depend on the locale: with ``locale: tr``, ``i``→``İ`` and
``I``→``ı``; without it (the default) they follow the Unicode default (``i``↔``I``). The default is
locale-neutral because ``lower`` is applied to e-mail addresses and codes, where ``I``→``ı``
would corrupt ASCII data; mappings of Turkish names and cities say ``title: {locale: tr}``.
"""

from __future__ import annotations

import re
from typing import Any

from hub.mapping.transforms import TransformError

__all__ = ["collapse_spaces", "digits", "lower", "title", "trim", "truncate", "upper"]

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D+")
# A word starts after a space, hyphen, slash, bracket or dot (initials: "A.B. Yılmaz").
_WORD = re.compile(r"(^|[\s\-/(.\"])(\w)")
# After a one-letter prefix and an apostrophe a new word starts (O'Brien, D'Angelo); after a
# longer word it is a Turkish suffix and stays lower case (İstanbul'da).
_ELISION = re.compile(r"(\b\w')(\w)")

_TR_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_TR_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_ANY_LOWER = str.maketrans({"İ": "i"})


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _is_tr(locale: str | None) -> bool:
    return bool(locale) and str(locale).lower().replace("_", "-").split("-")[0] == "tr"


def trim(value: Any) -> str:
    """Remove leading and trailing white space."""
    return _text(value).strip()


def collapse_spaces(value: Any) -> str:
    """Turn every run of white space (tabs, non-breaking spaces, new lines) into one space, and trim."""
    return _SPACES.sub(" ", _text(value)).strip()


def lower(value: Any, *, locale: str | None = None) -> str:
    """Lower case; ``İ``→``i`` always, ``I``→``ı`` only with ``locale: tr``."""
    text = _text(value)
    return text.translate(_TR_LOWER if _is_tr(locale) else _ANY_LOWER).lower()


def upper(value: Any, *, locale: str | None = None) -> str:
    """Upper case; ``ı``→``I`` always, ``i``→``İ`` only with ``locale: tr``."""
    text = _text(value)
    return (text.translate(_TR_UPPER) if _is_tr(locale) else text).upper()


def title(value: Any, *, locale: str | None = None) -> str:
    """Capitalise each word, the rest lower case (``ŞİŞLİ`` → ``Şişli``; ``istanbul`` → ``İstanbul`` with tr)."""
    text = lower(value, locale=locale)
    tr = _is_tr(locale)

    def cap(match: re.Match[str]) -> str:
        letter = match.group(2)
        return match.group(1) + ("İ" if tr and letter == "i" else letter.upper())

    text = _WORD.sub(cap, text)
    return _ELISION.sub(cap, text)


def digits(value: Any) -> str:
    """Keep only the digits (``"123 456-78"`` → ``"12345678"``)."""
    return _NON_DIGITS.sub("", _text(value))


def truncate(value: Any, *, length: int) -> str:
    """Cut text to at most ``length`` characters."""
    if length < 0:
        raise TransformError("type_invalid", "truncate needs a length of 0 or more")
    text = _text(value)
    return text if len(text) <= length else text[:length]
