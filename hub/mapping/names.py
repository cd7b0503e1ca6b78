"""Person names: one full-name field split into first and last name, and joined back.

Rules, in order: honorifics in front (``Dr.``, ``Prof. Dr.``, ``Sn.``, ``Mr``) are dropped;
``"Last, First"`` is split at the comma; otherwise the last word is the last name and the words
before it are given names (Turkish people often have two: ``Ahmet Mehmet Yılmaz``), except that a
surname particle (``van der``, ``de``, ``von``, ``bin``) starts the last name where it stands
(``Ludwig van der Berg`` → ``Ludwig`` / ``van der Berg``). Generational suffixes (``Jr.``,
``III``) stay with the last name. A single word is the last name by default (most CRMs require a
last name); ``single: first`` makes it the first name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from hub.mapping.transforms import TransformError

__all__ = ["join_name", "split_name"]

_SPACES = re.compile(r"\s+")
_HONORIFICS = frozenset({
    "dr", "dr.", "prof", "prof.", "doç", "doç.", "doc.", "av", "av.", "sn", "sn.", "sayın", "sayin", "bay",
    "bayan", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "mx.", "sir", "dame", "herr", "frau",
    "hr.", "fr.", "uzm", "uzm.", "op", "op.", "müh.", "ing.", "dipl.", "mag.", "madame", "mme", "mme.",
    "mlle", "m.",
})
_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ter",
    "ten", "zu", "bin", "ibn", "al", "el", "st.", "saint", "mac",
})
_SUFFIXES = frozenset({
    "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md",
})


def _words(text: str) -> list[str]:
    words = _SPACES.split(text.strip())
    while len(words) > 1 and words[0].casefold() in _HONORIFICS:
        words.pop(0)
    return [w for w in words if w]


def split_name(value: Any, *, single: str = "last") -> tuple[str | None, str | None]:
    """``"Ahmet Mehmet Yılmaz"`` → ``("Ahmet Mehmet", "Yılmaz")``; ``"Yılmaz, Ahmet"`` → ``("Ahmet", "Yılmaz")``."""
    text = value if isinstance(value, str) else str(value)
    if "," in text:
        last, _, first = text.partition(",")
        last_words, first_words = _words(last), _words(first)
        if last_words and first_words and "," not in first:
            return " ".join(first_words), " ".join(last_words)
    words = _words(text.replace(",", " "))
    if not words:
        raise TransformError("name_invalid", "the name is empty")
    if len(words) == 1:
        return (words[0], None) if single == "first" else (None, words[0])
    end = len(words)
    while end > 1 and words[end - 1].casefold() in _SUFFIXES:
        end -= 1
    if end == 1:  # only a name and suffixes: "Smith Jr."
        return (None, " ".join(words)) if single != "first" else (words[0], " ".join(words[1:]))
    start = end - 1
    for i in range(1, end - 1):
        if words[i].casefold() in _PARTICLES:
            start = i
            break
    return " ".join(words[:start]), " ".join(words[start:])


def join_name(value: Any, *, single: str = "last") -> str | None:
    """``("Ahmet Mehmet", "Yılmaz")`` → ``"Ahmet Mehmet Yılmaz"``; empty parts are left out."""
    parts: Sequence[Any] = value if isinstance(value, list | tuple) else (value,)
    joined = " ".join(str(p).strip() for p in parts if p is not None and str(p).strip())
    return joined or None


def check_single(params: Mapping[str, Any]) -> list[str]:
    """``single`` must be ``first`` or ``last``."""
    if params.get("single", "last") not in ("first", "last"):
        return ["parameter 'single' must be 'first' or 'last'"]
    return []
