"""Field types of the canonical model, and the flat (dotted) view of a model.

Inside the engine a record travels as a flat ``dict`` keyed by dotted canonical names
(``address.city``, ``national_id.value``, ``custom.segment``): the shape CSV headers and SQL
columns use, cheap to copy and compare. The pydantic models define what those names are.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel


class FieldType(enum.StrEnum):
    """The value kinds a connector declares in ``discover()`` and the model uses."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    MAP = "map"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a stream: canonical or a system's own."""

    name: str
    type: FieldType = FieldType.STRING
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    description: str = ""
    unique: bool = False
    read_only: bool = False


def _unwrap_optional(annotation: typing.Any) -> typing.Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _field_type(annotation: typing.Any) -> tuple[FieldType, tuple[str, ...]]:
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return FieldType.ENUM, tuple(str(m.value) for m in annotation)
        if issubclass(annotation, bool):
            return FieldType.BOOLEAN, ()
        if issubclass(annotation, int):
            return FieldType.INTEGER, ()
        if issubclass(annotation, decimal.Decimal | float):
            return FieldType.DECIMAL, ()
        if issubclass(annotation, dt.datetime):
            return FieldType.DATETIME, ()
        if issubclass(annotation, dt.date):
            return FieldType.DATE, ()
    if typing.get_origin(annotation) is dict:
        return FieldType.MAP, ()
    return FieldType.STRING, ()


def iter_flat_fields(model: type[BaseModel], prefix: str = "") -> Iterator[FieldSpec]:
    """Yield the dotted fields of ``model``; nested models are flattened, maps stay one field."""
    for name, info in model.model_fields.items():
        annotation = _unwrap_optional(info.annotation)
        dotted = f"{prefix}{name}"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from iter_flat_fields(annotation, dotted + ".")
            continue
        kind, choices = _field_type(annotation)
        max_length = None
        for meta in info.metadata:
            max_length = getattr(meta, "max_length", None) or max_length
        yield FieldSpec(
            name=dotted,
            type=kind,
            required=bool(info.is_required()),
            max_length=max_length,
            choices=choices,
            description=info.description or "",
        )


def flatten(nested: typing.Mapping[str, typing.Any], prefix: str = "") -> dict[str, typing.Any]:
    """``{"address": {"city": "İzmir"}}`` → ``{"address.city": "İzmir"}``; maps become ``a.key``."""
    flat: dict[str, typing.Any] = {}
    for key, value in nested.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, typing.Mapping):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def unflatten(flat: typing.Mapping[str, typing.Any]) -> dict[str, typing.Any]:
    """The inverse of :func:`flatten`."""
    nested: dict[str, typing.Any] = {}
    for key, value in flat.items():
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[leaf] = value
    return nested
