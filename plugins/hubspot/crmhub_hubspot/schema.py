"""What the portal's properties API says about each stream, and the checks made with it before any write.

``discover`` turns ``GET /crm/v3/properties/{objectType}`` into :class:`~hub.connectors.api.StreamInfo`: types,
enumeration options, unique and read-only flags. HubSpot marks no standard property as required, so no field is
``required``. Writing a property the portal lacks, or a read-only one, is a :class:`~hub.errors.SchemaError`
raised before the first request of the batch; an enumeration value outside the options fails only its record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hub.connectors.api import StreamInfo
from hub.errors import SchemaError
from hub.model.fields import FieldSpec, FieldType

STREAMS = ("contacts", "companies")
MODIFIED_PROPERTY = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}
# Write-only fields the connector understands itself: a contact's company, by the company's hub id.
COMPANY_KEY = "company_key"
_TYPES = {
    "string": FieldType.STRING,
    "number": FieldType.DECIMAL,
    "bool": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "enumeration": FieldType.ENUM,
    "phone_number": FieldType.STRING,
}


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """The facts about one property the connector acts on."""

    name: str
    type: str
    options: frozenset[str]
    multiple: bool
    read_only: bool
    unique: bool
    external_options: bool


def parse_properties(results: Iterable[dict[str, Any]]) -> dict[str, PropertyInfo]:
    """Property definitions from the properties API, by name (archived and hidden ones left out)."""
    found: dict[str, PropertyInfo] = {}
    for raw in results:
        if raw.get("archived") or raw.get("hidden"):
            continue
        meta = raw.get("modificationMetadata") or {}
        found[raw["name"]] = PropertyInfo(
            name=raw["name"],
            type=str(raw.get("type", "string")),
            options=frozenset(str(o["value"]) for o in raw.get("options") or [] if "value" in o),
            multiple=raw.get("fieldType") == "checkbox",
            read_only=bool(meta.get("readOnlyValue")) or bool(raw.get("calculated")),
            unique=bool(raw.get("hasUniqueValue")),
            external_options=bool(raw.get("externalOptions")),
        )
    return found


def stream_info(stream: str, properties: dict[str, PropertyInfo], key_property: str) -> StreamInfo:
    fields = {
        p.name: FieldSpec(
            name=p.name,
            type=_TYPES.get(p.type, FieldType.STRING),
            choices=tuple(sorted(p.options)) if p.type == "enumeration" and not p.external_options else (),
            unique=p.unique,
            read_only=p.read_only,
        )
        for p in properties.values()
    }
    if stream == "contacts":
        fields[COMPANY_KEY] = FieldSpec(name=COMPANY_KEY, description="hub id of the contact's primary company; "
                                        "written as a contact-company association")
    return StreamInfo(name=stream, fields=fields, primary_key="hs_object_id",
                      cursor_field=MODIFIED_PROPERTY[stream], key_field=key_property, native_name=stream)


def check_writable(stream: str, names: Iterable[str], properties: dict[str, PropertyInfo]) -> None:
    """Refuse, before any request, to write properties the portal lacks or will not let anyone set."""
    unknown = sorted(n for n in set(names) if n not in properties and not (stream == "contacts" and n == COMPANY_KEY))
    read_only = sorted(n for n in set(names) if n in properties and properties[n].read_only)
    problems = []
    if unknown:
        problems.append(f"HubSpot {stream} have no propert{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}")
    if read_only:
        problems.append(f"HubSpot {stream} propert{'y' if len(read_only) == 1 else 'ies'} {', '.join(read_only)} "
                        "cannot be written (read-only)")
    if problems:
        raise SchemaError("; ".join(problems) + " — fix the mapping or create the properties in HubSpot")


def value_problem(info: PropertyInfo, value: Any) -> str | None:
    """Why HubSpot would refuse ``value`` for an enumeration property (``None``: acceptable)."""
    if info.type != "enumeration" or info.external_options or value in (None, ""):
        return None
    chosen = str(value).split(";") if info.multiple else [str(value)]
    bad = [c for c in chosen if c not in info.options]
    if bad:
        return f"value is not one of the {len(info.options)} options of {info.name}"
    return None


def held_values(properties: dict[str, Any] | None) -> dict[str, Any]:
    """The properties that hold a value: HubSpot answers ``null`` for an empty one (``""`` too, perhaps (?))."""
    return {k: v for k, v in (properties or {}).items() if v is not None and v != ""}
