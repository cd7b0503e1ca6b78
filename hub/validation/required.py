"""Fields a record of each stream cannot do without.

A contact needs something to recognise and reach the person by: a last name, an e-mail, a phone
or a mobile (CRMs such as Salesforce require a last name; a lead from a web form may only have an
e-mail). A company needs its name. The issue names ``last_name`` for contacts because it is the
field most targets require.
"""

from __future__ import annotations

from typing import Any

from hub.records import Issue

__all__ = ["REQUIRED_ANY", "check_required"]

REQUIRED_ANY: dict[str, tuple[str, ...]] = {
    "contacts": ("last_name", "email", "phone", "mobile"),
    "companies": ("name",),
}
_MESSAGES = {
    "contacts": "a contact needs a last name, an e-mail, a phone or a mobile",
    "companies": "a company needs a name",
}


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def check_required(record: dict[str, Any], stream: str) -> list[Issue]:
    """``required_missing`` when none of the stream's required-any fields has a value."""
    fields = REQUIRED_ANY.get(stream)
    if not fields or any(_present(record.get(f)) for f in fields):
        return []
    return [Issue(fields[0], "required_missing", _MESSAGES[stream])]
