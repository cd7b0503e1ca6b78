"""Turkish identifiers: TCKN (T.C. Kimlik No, persons) and VKN (Vergi Kimlik No, companies).

A TCKN has 11 digits, the first not 0; the 10th digit is ``(7 × sum of digits 1,3,5,7,9 − sum of
digits 2,4,6,8) mod 10`` and the 11th is the sum of the first ten mod 10. A VKN has 10 digits
whose last is a check digit computed by the Revenue Administration's (GİB) algorithm below.
"""

from __future__ import annotations

import re
from typing import Any

from hub.records import Issue

__all__ = ["check_identifier", "check_national_ids", "is_tckn", "is_vkn", "tckn_problem", "vkn_problem"]

_DIGITS = re.compile(r"\d+")
_NOISE = re.compile(r"[\s.\-/]+")


def tckn_problem(value: str) -> str | None:
    """Why ``value`` is not a valid TCKN, or ``None`` when it is."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return "a TCKN has exactly 11 digits"
    if value[0] == "0":
        return "a TCKN cannot start with 0"
    d = [ord(c) - 48 for c in value]
    if (7 * (d[0] + d[2] + d[4] + d[6] + d[8]) - (d[1] + d[3] + d[5] + d[7])) % 10 != d[9]:
        return "the 10th digit does not match the TCKN checksum"
    if sum(d[:10]) % 10 != d[10]:
        return "the 11th digit does not match the TCKN checksum"
    return None


def vkn_problem(value: str) -> str | None:
    """Why ``value`` is not a valid VKN, or ``None`` when it is."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return "a VKN has exactly 10 digits"
    total = 0
    for i in range(9):
        step = (ord(value[i]) - 48 + 9 - i) % 10
        weighted = (step * 2 ** (9 - i)) % 9
        if step != 0 and weighted == 0:
            weighted = 9
        total += weighted
    if (10 - total % 10) % 10 != ord(value[9]) - 48:
        return "the last digit does not match the VKN checksum"
    return None


def is_tckn(value: str) -> bool:
    """True for a TCKN with valid check digits."""
    return tckn_problem(value) is None


def is_vkn(value: str) -> bool:
    """True for a VKN with a valid check digit."""
    return vkn_problem(value) is None


def check_identifier(record: dict[str, Any], prefix: str) -> list[Issue]:
    """Check ``<prefix>.value`` against ``<prefix>.type``; infer the type from the length when absent.

    Separators (spaces, dots, dashes) are removed from TCKN and VKN values in place; 11 digits
    without a type become a TCKN, 10 digits a VKN. Other schemes (``OTHER``) are not checked.
    """
    value_key, type_key = prefix + ".value", prefix + ".type"
    raw = record.get(value_key)
    if raw is None or raw == "":
        return []
    value = str(raw)
    kind = record.get(type_key)
    kind = str(kind).upper() if kind not in (None, "") else None
    compact = value if value.isdigit() else _NOISE.sub("", value)
    if kind is None:
        if compact.isascii() and compact.isdigit() and len(compact) in (10, 11):
            kind = "TCKN" if len(compact) == 11 else "VKN"
            record[type_key] = kind
        else:
            return []
    if kind not in ("TCKN", "VKN"):
        if kind != "OTHER":
            return [Issue(type_key, "national_id_type_invalid", "the identifier type must be TCKN, VKN or OTHER")]
        return []
    record[type_key] = kind
    problem = tckn_problem(compact) if kind == "TCKN" else vkn_problem(compact)
    if problem is not None:
        return [Issue(value_key, "tckn_invalid" if kind == "TCKN" else "vkn_invalid", problem)]
    if compact != value:
        record[value_key] = compact
    return []


_ID_PREFIX = {"contacts": "national_id", "companies": "tax_id"}


def check_national_ids(record: dict[str, Any], stream: str) -> list[Issue]:
    """Check the stream's identifier: ``national_id`` of a contact, ``tax_id`` of a company."""
    prefix = _ID_PREFIX.get(stream)
    return check_identifier(record, prefix) if prefix else []
