"""The built-in record checks, in the order they run, and :func:`validate` that runs them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.records import Issue
from hub.validation.dates import check_dates
from hub.validation.emails import check_email
from hub.validation.limits import check_lengths
from hub.validation.national_ids import check_national_ids
from hub.validation.phones import check_phones
from hub.validation.required import check_required
from hub.validation.standards import check_standard_codes

__all__ = ["CHECKS", "RecordCheck", "validate"]

RecordCheck = Callable[[dict[str, Any], str], list[Issue]]
"""``check(record, stream) -> issues``; may rewrite values of ``record`` into their normal form."""

CHECKS: tuple[RecordCheck, ...] = (
    check_required,
    check_email,
    check_phones,
    check_standard_codes,
    check_national_ids,
    check_dates,
)
"""The content checks; the length check runs after them (see :func:`validate`)."""


def validate(record: dict[str, Any], stream: str) -> list[Issue]:
    """Run every built-in check on a flat canonical ``record``; values are normalised in place.

    Lengths are checked last, on the normal forms (E.164 is shorter than ``+90 (532) 123 45 67``),
    and only for fields no other check has already reported.
    """
    issues: list[Issue] = []
    for check in CHECKS:
        found = check(record, stream)
        if found:
            issues.extend(found)
    too_long = check_lengths(record, stream)
    if too_long:
        flagged = {issue.field for issue in issues}
        issues.extend(issue for issue in too_long if issue.field not in flagged)
    return issues
