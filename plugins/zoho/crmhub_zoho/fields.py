"""Zoho field metadata → crmhub ``FieldSpec``; record values between Zoho's JSON and the SDK's objects.

The consent lookup ``Data_Processing_Basis_Details`` travels two ways at once: whole, as a dict that
also carries the record's ``$stop_processing`` (what ``mappings/zoho.yaml`` splits, see
:mod:`crmhub_zoho.consent`), and flat, as dotted pseudo-fields
(``Data_Processing_Basis_Details.Contact_Through_Email``), so a mapping can reach each part.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from crmhub_zoho.consent import CONSENT_FIELD, PROCESSING_BASES, STOP_KEY
from hub.model import FieldSpec, FieldType

CONSENT_PARTS: dict[str, FieldType] = {
    "Data_Processing_Basis": FieldType.ENUM,
    "Contact_Through_Email": FieldType.BOOLEAN,
    "Contact_Through_Phone": FieldType.BOOLEAN,
    "Contact_Through_Survey": FieldType.BOOLEAN,
    "Contact_Through_Social": FieldType.BOOLEAN,
    "Consent_Date": FieldType.DATE,
    "Consent_Remarks": FieldType.STRING,
    "Consent_Through": FieldType.STRING,
    "Lawful_Reason": FieldType.STRING,
}
_TYPES = {
    "text": FieldType.STRING, "textarea": FieldType.STRING, "email": FieldType.STRING, "phone": FieldType.STRING,
    "website": FieldType.STRING, "picklist": FieldType.ENUM, "boolean": FieldType.BOOLEAN,
    "integer": FieldType.INTEGER, "bigint": FieldType.INTEGER, "double": FieldType.DECIMAL,
    "currency": FieldType.DECIMAL, "percent": FieldType.DECIMAL, "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
}
SKIPPED_TYPES = ("ownerlookup", "lookup", "userlookup", "multiselectlookup", "subform", "fileupload", "imageupload")


class FieldValueError(ValueError):
    """A value that cannot become the field's type; the record fails, the batch goes on."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"field {field}: not a valid {expected}")
        self.field = field


@dataclass(frozen=True, slots=True)
class ZohoField:
    """What the connector needs to know about one writable or readable field."""

    api_name: str
    data_type: str
    spec: FieldSpec


def describe(metadata: list[dict[str, Any]]) -> dict[str, ZohoField]:
    """Fields of a module from ``settings/fields``, lookups left out, the consent lookup flattened."""
    out: dict[str, ZohoField] = {}
    for item in metadata:
        name, kind = str(item["api_name"]), str(item.get("data_type"))
        if kind == "consent_lookup":
            out[name] = ZohoField(name, kind, FieldSpec(name, FieldType.MAP, description="GDPR consent block"))
            for part, ftype in CONSENT_PARTS.items():
                bases = PROCESSING_BASES if part == "Data_Processing_Basis" else ()
                dotted = f"{name}.{part}"
                out[dotted] = ZohoField(dotted, "consent_part", FieldSpec(dotted, ftype, choices=bases))
            continue
        if kind in SKIPPED_TYPES or kind not in _TYPES:
            continue
        read_only = bool(item.get("read_only") or item.get("field_read_only"))
        choices: tuple[str, ...] = tuple(str(p["actual_value"]) for p in item.get("pick_list_values") or []
                                         if p.get("actual_value"))
        spec = FieldSpec(
            name=name, type=_TYPES[kind], required=bool(item.get("system_mandatory")),
            max_length=item.get("length") if _TYPES[kind] in (FieldType.STRING, FieldType.ENUM) else None,
            choices=tuple(c for c in choices if c != "-None-"), description=str(item.get("display_label") or ""),
            unique=item.get("unique") is not None, read_only=read_only,
        )
        out[name] = ZohoField(name, kind, spec)
    return out


def flatten_record(raw: dict[str, Any]) -> dict[str, Any]:
    """Zoho's record JSON → flat fields: the consent lookup whole and in dotted parts, other lookups dropped."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if key == CONSENT_FIELD:
            for part in CONSENT_PARTS:
                flat[f"{CONSENT_FIELD}.{part}"] = value.get(part) if isinstance(value, dict) else None
        elif not isinstance(value, dict | list):
            flat[key] = value
    block = raw.get(CONSENT_FIELD)
    stop = raw.get(STOP_KEY)
    if isinstance(block, dict) or isinstance(stop, bool):
        whole = {part: block.get(part) for part in CONSENT_PARTS} if isinstance(block, dict) else {}
        if isinstance(stop, bool):
            whole[STOP_KEY] = stop
        flat[CONSENT_FIELD] = whole
    return flat


def consent_parts(values: dict[str, Any]) -> dict[str, Any]:
    """The consent block given in ``values``: the whole dict, with dotted parts laid over it."""
    whole = values.get(CONSENT_FIELD)
    block = dict(whole) if isinstance(whole, dict) else {}
    prefix = CONSENT_FIELD + "."
    block.update({name[len(prefix):]: value for name, value in values.items() if name.startswith(prefix)})
    return block


def same_block(wanted: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """Whether the consent block to send equals the one Zoho holds, part by part."""
    now = current or {}
    return all(same_value(CONSENT_PARTS[part], value, now.get(part))
               for part, value in wanted.items() if part in CONSENT_PARTS)


def to_sdk_record(fields: dict[str, ZohoField], values: dict[str, Any]) -> Any:
    """A ``Record`` of the SDK holding ``values`` (flat Zoho names), each converted to the SDK's type."""
    from zohocrmsdk.src.com.zoho.crm.api.record import Consent, Record  # type: ignore[import-untyped]
    from zohocrmsdk.src.com.zoho.crm.api.util import Choice  # type: ignore[import-untyped]

    record = Record()
    consent: dict[str, Any] = {}
    for name, value in values.items():
        field = fields[name]
        if field.data_type == "consent_lookup":  # the whole block: its parts, settled by the connector
            for part, item in (value or {}).items():
                if part in CONSENT_PARTS:
                    try:
                        consent[part] = _convert(CONSENT_PARTS[part], item)
                    except (TypeError, ValueError, ArithmeticError):
                        raise FieldValueError(f"{name}.{part}", CONSENT_PARTS[part].value) from None
            continue
        kind = CONSENT_PARTS[name.split(".", 1)[1]] if field.data_type == "consent_part" else field.spec.type
        try:
            converted = _convert(kind, value)
        except (TypeError, ValueError, ArithmeticError):
            raise FieldValueError(name, kind.value) from None
        if field.data_type == "consent_part":
            consent[name.split(".", 1)[1]] = converted
            continue
        if field.data_type == "picklist" and converted is not None:
            converted = Choice(converted)
        record.add_key_value(name, converted)
    if consent:
        holder = Consent()
        for part, value in consent.items():
            holder.add_key_value(part, value)
        record.add_key_value(CONSENT_FIELD, holder)
    return record


def _convert(kind: FieldType, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "evet")
    if kind is FieldType.INTEGER:
        return int(value)
    if kind is FieldType.DECIMAL:
        return float(value if not isinstance(value, decimal.Decimal) else float(value))
    if kind is FieldType.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if kind is FieldType.DATETIME:
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return str(value)


def same_value(kind: FieldType, wanted: Any, current: Any) -> bool:
    """Whether a value to write equals what Zoho holds (so the write can be skipped as unchanged)."""
    if wanted in (None, "") and current in (None, ""):
        return True
    try:
        return bool(_convert(kind, wanted) == _convert(kind, current))
    except (TypeError, ValueError):
        return False
