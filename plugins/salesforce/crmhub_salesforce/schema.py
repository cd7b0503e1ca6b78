"""What ``sobjects/X/describe`` says about an object, and checking values against it before a write.

Checks mirror Salesforce's own (same status codes), so a bad record fails here, in the batch, without
spending an API call; a field Salesforce lacks, or one it will not let us set, is a
:class:`~hub.errors.SchemaError` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hub.connectors.api import StreamInfo
from hub.errors import SchemaError
from hub.model.fields import FieldSpec, FieldType

_TEXT = {"string", "textarea", "phone", "email", "url", "picklist", "multipicklist", "combobox", "id", "reference",
         "encryptedstring"}
_NUMBER = {"double", "currency", "percent", "int", "long"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELD_TYPES = {"boolean": FieldType.BOOLEAN, "int": FieldType.INTEGER, "long": FieldType.INTEGER,
                "double": FieldType.DECIMAL, "currency": FieldType.DECIMAL, "percent": FieldType.DECIMAL,
                "date": FieldType.DATE, "datetime": FieldType.DATETIME, "picklist": FieldType.ENUM}
CURSOR_FIELD = "SystemModstamp"


class ValueProblem(ValueError):
    """A value Salesforce would refuse, with its status code."""

    def __init__(self, code: str, field: str, message: str) -> None:
        self.code = code
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class SfField:
    """The parts of a describe field the connector relies on."""

    name: str
    type: str
    label: str
    length: int
    nillable: bool
    createable: bool
    updateable: bool
    defaulted_on_create: bool
    external_id: bool
    unique: bool
    picklist: tuple[str, ...]
    restricted: bool

    @classmethod
    def from_describe(cls, raw: dict[str, Any]) -> SfField:
        return cls(name=raw["name"], type=raw["type"], label=raw.get("label", raw["name"]),
                   length=int(raw.get("length") or 0), nillable=bool(raw.get("nillable", True)),
                   createable=bool(raw.get("createable", False)), updateable=bool(raw.get("updateable", False)),
                   defaulted_on_create=bool(raw.get("defaultedOnCreate", False)),
                   external_id=bool(raw.get("externalId", False)), unique=bool(raw.get("unique", False)),
                   picklist=tuple(p["value"] for p in raw.get("picklistValues") or [] if p.get("active", True)),
                   restricted=bool(raw.get("restrictedPicklist", False)))

    @property
    def required_on_create(self) -> bool:
        return not self.nillable and self.createable and not self.defaulted_on_create and self.type != "boolean"

    def spec(self) -> FieldSpec:
        # Only a restricted picklist refuses other values; an open one is plain text to the hub.
        closed = self.type == "picklist" and self.restricted
        kind = _FIELD_TYPES.get(self.type, FieldType.STRING) if self.type != "picklist" or closed else FieldType.STRING
        return FieldSpec(name=self.name, type=kind,
                         required=self.required_on_create, max_length=self.length or None,
                         choices=self.picklist if closed else (), description=self.label,
                         unique=self.unique, read_only=not (self.createable or self.updateable))

    # Values -----------------------------------------------------------------------------------------
    def to_wire(self, value: Any) -> Any:
        """The JSON value to send for ``value``; raises :class:`ValueProblem` as Salesforce would refuse it."""
        if value is None or value == "":
            return None
        kind = self.type
        if kind == "boolean":
            return self._boolean(value)
        if kind in _NUMBER:
            return self._number(value)
        if kind == "date":
            return self._date(value)
        if kind == "datetime":
            return self._datetime(value)
        text = value if isinstance(value, str) else str(value)
        if self.length and len(text) > self.length:
            raise ValueProblem("STRING_TOO_LONG", self.name,
                               f"{self.label}: data value too large: … (max length={self.length})")
        if kind == "picklist" and self.restricted and text not in self.picklist:
            raise ValueProblem("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", self.name,
                               f"{self.label}: bad value for restricted picklist field: …")
        if kind == "email" and not _EMAIL.match(text):
            raise ValueProblem("INVALID_EMAIL_ADDRESS", self.name, f"{self.label}: invalid email address: …")
        return text

    def _bad_type(self) -> ValueProblem:
        return ValueProblem("INVALID_TYPE_ON_FIELD_IN_RECORD", self.name,
                            f"{self.label}: value not of required type ({self.type})")

    def _boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise self._bad_type()

    def _number(self, value: Any) -> int | float:
        if isinstance(value, bool):
            raise self._bad_type()
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise self._bad_type() from None
        if not number.is_finite():
            raise self._bad_type()
        if self.type in ("int", "long"):
            if number != number.to_integral_value():
                raise self._bad_type()
            return int(number)
        return float(number)

    def _date(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            raise self._bad_type()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        try:
            if not _DATE.match(text):
                raise ValueError(text)
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise self._bad_type() from None

    def _datetime(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except ValueError:
                raise self._bad_type() from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)  # naive datetimes in the hub are UTC
        return format_datetime(moment)


def format_datetime(moment: dt.datetime) -> str:
    """Salesforce's dateTime rendering: UTC with milliseconds (``2024-05-01T10:00:00.000+0000``)."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> dt.datetime:
    """Parse a dateTime as Salesforce renders it."""
    if text.endswith("+0000"):
        text = text[:-5] + "+00:00"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def same_value(field: SfField, wire: Any, current: Any) -> bool:
    """True when the value to write equals what Salesforce holds (so the write would change nothing)."""
    if wire is None or current is None:
        return (wire is None or wire == "") and (current is None or current == "")
    if field.type == "datetime":
        try:
            return parse_datetime(str(wire)) == parse_datetime(str(current))
        except ValueError:
            return False
    if field.type in _NUMBER:
        try:
            return decimal.Decimal(str(wire)) == decimal.Decimal(str(current))
        except decimal.InvalidOperation:
            return False
    return bool(wire == current)


class ObjectSchema:
    """An sObject's fields by name (case-insensitive) and its hub key field.

    ``key_field=None`` describes an object the hub does not key (the consent objects): its key is ``Id``.
    """

    def __init__(self, name: str, describe: dict[str, Any], key_field: str | None) -> None:
        self.name = describe.get("name", name)
        self.key_prefix = str(describe.get("keyPrefix") or "")
        self.fields = {f["name"].lower(): SfField.from_describe(f) for f in describe.get("fields", [])}
        key = self.fields.get((key_field or "Id").lower())
        if key is None or (key_field is not None and not key.external_id):
            raise SchemaError(f"{self.name}.{key_field} is not an external-id field in Salesforce; create it "
                              "(Text, External ID, Unique) or set key_field")
        self.key = key
        self.added: frozenset[str] = frozenset()
        """Fields the connector adds (the consent fields of Contact): described, written, never queried."""

    def add_fields(self, fields: dict[str, SfField]) -> None:
        """Add fields that are not columns of the object (see :mod:`crmhub_salesforce.consent`)."""
        self.fields.update({name.lower(): field for name, field in fields.items()})
        self.added = self.added | {name.lower() for name in fields}

    def get(self, name: str) -> SfField | None:
        return self.fields.get(name.lower())

    def is_record_id(self, value: str) -> bool:
        """Does ``value`` look like an Id of this object (15/18 characters, the object's key prefix)?"""
        return (len(value) in (15, 18) and value.isalnum() and bool(self.key_prefix)
                and value.startswith(self.key_prefix))

    def names(self) -> list[str]:
        """The object's own fields (what SOQL can select)."""
        return [f.name for key, f in self.fields.items() if key not in self.added]

    def writable(self, names: Iterable[str]) -> dict[str, SfField]:
        """Describe fields for ``names``; a field that is missing or read-only is a SchemaError."""
        out: dict[str, SfField] = {}
        missing, locked = [], []
        for name in names:
            field = self.get(name)
            if field is None:
                missing.append(name)
            elif not (field.createable or field.updateable):
                locked.append(field.name)
            else:
                out[name] = field
        if missing or locked:
            parts = []
            if missing:
                parts.append(f"fields Salesforce lacks: {', '.join(sorted(missing))}")
            if locked:
                parts.append(f"read-only fields: {', '.join(sorted(locked))}")
            raise SchemaError(f"cannot write {self.name}: {'; '.join(parts)} (check the mapping)")
        return out

    def stream_info(self) -> StreamInfo:
        return StreamInfo(name=self.name, fields={f.name: f.spec() for f in self.fields.values()},
                          primary_key="Id", cursor_field=CURSOR_FIELD, key_field=self.key.name,
                          native_name=self.name)
