"""The identity mapping, for connections whose fields already have canonical names (CSV, SQL).

Keys are dotted canonical names (``address.city``); ``custom.*`` and ``external_ids.*`` pass
through; any other key is reported as ``unknown_field`` (a CSV header that is not canonical) and
left out. Values are converted to their canonical type (a ``birth_date`` column to a ``date``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from hub.connectors.api import StreamInfo
from hub.mapping.coerce import Coercion, as_text, coercion_for
from hub.mapping.stream import StreamMapping, canonical_fields
from hub.mapping.transforms import TransformError
from hub.model import STREAM_MODELS, FieldType
from hub.records import Issue

__all__ = ["CanonicalStreamMapping", "canonical_mapping"]


class CanonicalStreamMapping(StreamMapping):
    """A stream whose system names are the canonical names themselves."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream, stream, key_field="id", source="(canonical)")
        fields = canonical_fields(stream)
        self._coercions: dict[str, Coercion | None] = {name: coercion_for(spec) for name, spec in fields.items()}
        self._open_prefixes = tuple(f"{name}." for name, spec in fields.items() if spec.type == FieldType.MAP)

    def __repr__(self) -> str:
        return f"<CanonicalStreamMapping {self.canonical}>"

    def to_canonical(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
        """The record with canonical keys kept and typed, unknown keys reported as ``unknown_field``."""
        out: dict[str, Any] = {}
        issues: list[Issue] = []
        coercions = self._coercions
        for key, value in data.items():
            if value is None or value == "":
                continue
            coerce = coercions.get(key, _UNKNOWN)
            if coerce is as_text and value.__class__ is str:  # the common case, inlined
                value = value.strip()
                if value:
                    out[key] = value
                continue
            if coerce is _UNKNOWN:
                if isinstance(key, str) and key.startswith(self._open_prefixes):
                    out[key] = value
                else:
                    message = f"{key!s} is not a canonical field of {self.canonical}"
                    issues.append(Issue(str(key), "unknown_field", message))
                continue
            if coerce is not None:
                try:
                    value = coerce(value)
                except TransformError as exc:
                    issues.append(Issue(key, exc.code, f"{key}: {exc.message}"))
                    continue
                if value == "":
                    continue
            out[key] = value
        return out, issues

    def from_canonical(self, record: Mapping[str, Any], issues: list[Issue] | None = None) -> dict[str, Any]:
        """The record's non-empty values, under the same names."""
        return {k: v for k, v in record.items() if v is not None and v != ""}

    def canonical_round_trip(self) -> frozenset[str] | None:
        """Every canonical field goes to the system and comes back as it is."""
        return None

    def system_fields_written(self) -> set[str]:
        """Every canonical field (``custom.*`` and ``external_ids.*`` keys are open-ended)."""
        return {name for name, spec in canonical_fields(self.canonical).items() if spec.type != FieldType.MAP}

    def system_fields_read(self) -> set[str]:
        """Every canonical field (the names are the same on both sides)."""
        return self.system_fields_written()

    def check_against(self, info: StreamInfo, *, lengths: bool = False) -> list[str]:
        """Only the key field is required of a canonical target: it may hold a subset of the fields."""
        if self.key_field and info.fields and self.key_field not in info.fields:
            return [f"{self.canonical} → {info.name}: the key field {self.key_field} does not exist in {info.name}"]
        return []

    def written_values(self, system: str) -> tuple[str | None, tuple[Any, ...] | None]:
        """The field itself and its choices, when it has any."""
        spec = canonical_fields(self.canonical).get(system)
        if spec is None:
            return None, None
        return system, spec.choices or None


_UNKNOWN: Any = object()


@functools.lru_cache(maxsize=8)
def canonical_mapping(stream: str) -> StreamMapping:
    """The identity mapping of canonical stream ``stream`` (``contacts`` or ``companies``)."""
    if stream not in STREAM_MODELS:
        raise KeyError(f"unknown canonical stream {stream!r} (known: {', '.join(sorted(STREAM_MODELS))})")
    return CanonicalStreamMapping(stream)
