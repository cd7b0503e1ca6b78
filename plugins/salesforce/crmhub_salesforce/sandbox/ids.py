"""Salesforce record ids: a 3-character key prefix, 12 characters, and the 3-character case checksum.

Ids are handed out in increasing order; their base-62 digits use ASCII order (``0-9A-Za-z``),
so ``ORDER BY Id`` sorts them by creation, as binary comparison in SQLite does.
"""

from __future__ import annotations

import itertools
import threading

_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum(id15: str) -> str:
    """The 3 characters that make a 15-character id case-insensitively unique."""
    out = []
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        out.append(_SUFFIX[bits])
    return "".join(out)


def to18(record_id: str) -> str:
    """The 18-character form of a 15- or 18-character id."""
    return record_id + checksum(record_id) if len(record_id) == 15 else record_id


def is_valid(record_id: str) -> bool:
    """True for a well-formed 15- or 18-character id (checksum verified)."""
    if len(record_id) not in (15, 18) or any(ch not in _DIGITS for ch in record_id):
        return False
    return len(record_id) == 15 or checksum(record_id[:15]) == record_id[15:]


class IdSequence:
    """Hands out increasing ids per key prefix; ``start`` resumes after a restart."""

    def __init__(self, pod: str = "5g") -> None:
        self._pod = pod  # the org's instance characters, fixed per sandbox
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def resume_after(self, highest: int) -> None:
        with self._lock:
            self._counter = itertools.count(highest + 1)

    def next(self, prefix: str) -> str:
        with self._lock:
            number = next(self._counter)
        digits = ""
        for _ in range(8):
            number, rest = divmod(number, 62)
            digits = _DIGITS[rest] + digits
        id15 = f"{prefix}{self._pod}00{digits}"
        return id15 + checksum(id15)

    @staticmethod
    def sequence_of(record_id: str) -> int:
        """The counter value an id was made from (to resume numbering after a restart)."""
        number = 0
        for ch in record_id[7:15]:
            number = number * 62 + _DIGITS.index(ch)
        return number
