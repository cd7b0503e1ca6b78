"""Spreadsheet formula neutralisation (OWASP "CSV injection"), and its exact reversal on read.

Rule, applied by the CSV writer to every cell (headers included):

* a cell starting with ``=``, ``@``, a tab or a carriage return is written with a single quote ``'``
  in front of it (``=SUM(A1)`` → ``'=SUM(A1)``);
* a cell starting with ``+`` or ``-`` is prefixed the same way, unless it is a plain number: digits,
  optionally grouped by single spaces, with at most one decimal part (``+905321234567``,
  ``-12.50``, ``+90 532 123 45 67`` and ``-3,75`` stay as they are; ``-2+3`` or ``+cmd|...`` do not);
* a cell that itself starts with ``'`` followed by one of the characters above, or by another
  ``'``, gets one more ``'`` (``'=x`` → ``''=x``, ``'abc`` stays ``'abc``).

The reader strips exactly one leading ``'`` from a cell whose next character would have triggered
the rule (``=``, ``@``, tab, CR, ``'``, or ``+``/``-`` not starting a plain number), so re-reading
an export gives back the original value. A leading apostrophe in someone else's file that no
writer could have added (``'s-Hertogenbosch``) is left alone.
"""

from __future__ import annotations

import re

_PLAIN_NUMBER = re.compile(r"[+-]\d+(?: \d+)*(?:[.,]\d+)?")
_ALWAYS = frozenset("=@\t\r")
FIRST_CHARACTERS = frozenset("=@\t\r+-'")
"""Only a cell starting with one of these can need escaping: a cheap test before the real one."""


def _triggers(value: str) -> bool:
    first = value[0]
    if first in _ALWAYS:
        return True
    if first in "+-":
        return _PLAIN_NUMBER.fullmatch(value) is None
    return False


def needs_escape(value: str) -> bool:
    """True when ``value`` must be written with a leading ``'``."""
    if not value:
        return False
    if value[0] == "'":
        rest = value[1:]
        return bool(rest) and (rest[0] == "'" or _triggers(rest))
    return _triggers(value)


def neutralise(value: str) -> str:
    """The cell text to write for ``value``."""
    return "'" + value if needs_escape(value) else value


def restore(cell: str) -> str:
    """The original value of a cell the writer may have neutralised."""
    if len(cell) > 1 and cell[0] == "'":
        rest = cell[1:]
        if rest[0] == "'" or _triggers(rest):
            return rest
    return cell
