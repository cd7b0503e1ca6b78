"""Which delimiter a CSV file uses, sniffed from its header and first lines."""

from __future__ import annotations

import csv

CANDIDATES = (",", ";", "\t", "|")
SNIFF_LINES = 50


def _score(lines: list[str], delimiter: str) -> tuple[float, int]:
    try:
        rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
    except csv.Error:
        return (0.0, 0)
    if not rows or len(rows[0]) < 2:
        return (0.0, 0)
    width = len(rows[0])
    return (sum(len(row) == width for row in rows) / len(rows), width)


def sniff_delimiter(lines: list[str]) -> str:
    """The candidate that splits the header into the most columns the following lines agree with.

    The header must split into at least two cells; rows agreeing with the header's width count
    first, the width second, and ties go to the earlier candidate (``,`` ``;`` tab ``|``). A file
    no candidate splits is read as one column.
    """
    sample = lines[:SNIFF_LINES]
    best, best_score = ",", (0.0, 0)
    for delimiter in CANDIDATES:
        score = _score(sample, delimiter)
        if score > best_score:
            best, best_score = delimiter, score
    return best
