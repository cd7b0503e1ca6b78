"""The built-in validators as a plugin of the ``hub_validate_record`` hook."""

from __future__ import annotations

from typing import Any

from hub.hookspecs import hookimpl
from hub.records import Issue
from hub.validation.checks import validate


@hookimpl
def hub_validate_record(record: dict[str, Any], stream: str) -> list[Issue]:
    """Run the built-in checks (:func:`hub.validation.validate`) on one canonical record."""
    return validate(record, stream)
