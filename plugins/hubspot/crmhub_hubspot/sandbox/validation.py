"""Property validation as HubSpot does it on writes: unknown property, read-only value, enumeration option,
e-mail syntax, numbers, dates, booleans, and leading/trailing whitespace on non-string values."""

from __future__ import annotations

import re
from typing import Any

from crmhub_hubspot.sandbox.errors import PropertyProblem
from crmhub_hubspot.sandbox.store import parse_time

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_property_value(value: Any) -> str:
    """JSON values HubSpot accepts for a property, as the string it stores (``None`` clears)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return str(value)


def check_properties(
    definitions: dict[str, dict[str, Any]], properties: dict[str, Any]
) -> tuple[dict[str, str], list[PropertyProblem]]:
    """Normalise ``properties`` to strings and list every value HubSpot would refuse."""
    clean: dict[str, str] = {}
    problems: list[PropertyProblem] = []
    for name, raw in properties.items():
        definition = definitions.get(name)
        if definition is None:
            problems.append(PropertyProblem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
            continue
        if not isinstance(raw, str | int | float | bool) and raw is not None:
            problems.append(PropertyProblem(name, "INVALID_PROPERTY_VALUE", f'Property "{name}" must be a scalar'))
            continue
        value = as_property_value(raw)
        if definition["modificationMetadata"]["readOnlyValue"]:
            problems.append(PropertyProblem(
                name, "READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set.'))
            continue
        problem = _check_value(name, definition, value)
        if problem is not None:
            problems.append(problem)
            continue
        clean[name] = value
    return clean, problems


def _check_value(name: str, definition: dict[str, Any], value: str) -> PropertyProblem | None:
    if value == "":
        return None
    kind = definition["type"]
    if kind != "string" and value != value.strip():
        return PropertyProblem(name, "LEADING_TRAILING_WHITESPACE",
                               f'"{value}" includes leading or trailing whitespace.')
    if name == "email" and not _EMAIL.match(value):
        return PropertyProblem(name, "INVALID_EMAIL", f"Email address {value} is invalid")
    if kind == "enumeration" and not definition.get("externalOptions"):
        allowed = [o["value"] for o in definition["options"]]
        chosen = value.split(";") if definition["fieldType"] == "checkbox" else [value]
        for option in chosen:
            if option not in allowed:
                return PropertyProblem(
                    name, "INVALID_OPTION",
                    f'{option} was not one of the allowed options: [{", ".join(allowed)}]')
    if kind == "number" and not _NUMBER.match(value):
        return PropertyProblem(name, "INVALID_INTEGER", f'"{value}" is not a valid number')
    if kind == "bool" and value.lower() not in ("true", "false"):
        return PropertyProblem(name, "INVALID_BOOLEAN", f'"{value}" is not a valid boolean')
    if kind == "date" and not (_DATE.match(value) or value.isdigit()):
        return PropertyProblem(name, "INVALID_DATE", f'"{value}" is not a valid date')
    if kind == "datetime" and parse_time(value) is None:
        return PropertyProblem(name, "INVALID_DATETIME", f'"{value}" is not a valid datetime')
    return None
