"""One stream's compiled mapping: a system's records to canonical ones and back.

Everything a record needs is worked out when the mapping is loaded: each field rule is a tuple of
the system field, the canonical field, its bound transforms, its picklist map and its type
conversion, so :meth:`StreamMapping.to_canonical` is one loop of dict look-ups and calls.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.connectors.api import StreamInfo
from hub.mapping.coerce import Coercion, as_text
from hub.mapping.transforms import BoundTransform, TransformError
from hub.model import FieldSpec, FieldType, stream_fields
from hub.records import Issue

__all__ = ["FieldRule", "SplitRule", "StreamMapping", "canonical_fields"]

_MISSING: Any = object()


@functools.lru_cache(maxsize=8)
def canonical_fields(stream: str) -> Mapping[str, FieldSpec]:
    """The flat canonical fields of ``stream`` (cached: the model does not change at run time)."""
    return stream_fields(stream)


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one canonical field is read from and written to one system field."""

    canonical: str
    system: str | None
    read: tuple[BoundTransform, ...] = ()
    write: tuple[BoundTransform, ...] = ()
    value_map: Mapping[str, Any] | None = None
    write_map: Mapping[Any, Any] | None = None
    default: Any = _MISSING
    const: Any = _MISSING
    readable: bool = True
    writable: bool = True
    coerce: Coercion | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class SplitRule:
    """One system field read into several canonical fields (and joined back when writable)."""

    system: str
    targets: tuple[str, ...]
    read: tuple[BoundTransform, ...]
    write: tuple[BoundTransform, ...]
    writable: bool
    coercions: tuple[Coercion | None, ...]
    line: int = 0


def _failure(exc: Exception, system: str | None, canonical: str) -> Issue:
    source = f"{system} → {canonical}" if system else canonical
    if isinstance(exc, TransformError):
        return Issue(canonical, exc.code, f"{source}: {exc.message}")
    return Issue(canonical, "transform_failed", f"{source}: {type(exc).__name__} in a transform")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _lookup(value_map: Mapping[str, Any], value: Any) -> Any:
    """A picklist value: exact, then as text, then ignoring case and surrounding spaces."""
    key = value if isinstance(value, str) else str(value)
    found = value_map.get(key, _MISSING)
    if found is _MISSING:
        found = value_map.get(key.strip().casefold(), _MISSING)
    return found


class StreamMapping:
    """A canonical stream mapped to one system stream (``contacts`` ↔ ``Contact``)."""

    def __init__(
        self,
        canonical: str,
        object: str,
        *,
        key_field: str | None = None,
        id_field: str | None = None,
        rules: Sequence[FieldRule] = (),
        splits: Sequence[SplitRule] = (),
        write_constants: Mapping[str, Any] | None = None,
        source: str = "",
    ) -> None:
        self.canonical = canonical
        self.object = object
        self.key_field = key_field
        self.id_field = id_field
        self.source = source
        self.rules = tuple(rules)
        self.splits = tuple(splits)
        self.write_constants = dict(write_constants or {})
        readable = [r for r in self.rules if r.readable and r.system is not None]
        # Most fields are plain text copied under another name: they take a tight loop of their own.
        plain = [r for r in readable if not r.read and r.value_map is None and r.default is _MISSING]
        plain_ids = {id(r) for r in plain}
        self._plain_text = tuple((r.system or "", r.canonical) for r in plain if r.coerce is as_text)
        self._plain_other = tuple((r.system or "", r.canonical) for r in plain if r.coerce is None)
        self._read_plan = tuple(
            (r.system or "", r.canonical, r.read, r.value_map, r.default, r.coerce)
            for r in readable
            if not (id(r) in plain_ids and r.coerce in (as_text, None))
        )
        self._constants = tuple((r.canonical, r.const) for r in self.rules if r.const is not _MISSING)
        self._write_plan: tuple[tuple[str, str, tuple[BoundTransform, ...], Mapping[Any, Any] | None], ...] = tuple(
            (r.canonical, r.system, r.write, r.write_map) for r in self.rules if r.writable and r.system is not None
        )

    def __repr__(self) -> str:
        return f"<StreamMapping {self.canonical} ↔ {self.object}>"

    # Reading ---------------------------------------------------------------------------------------
    def to_canonical(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
        """A system record as a flat canonical dict, and the problems met on the way.

        A field that fails is left out and reported; the record itself is never dropped here
        (the engine quarantines records with issues).
        """
        out: dict[str, Any] = {}
        issues: list[Issue] = []
        get = data.get
        for system, canonical in self._plain_text:
            value = get(system)
            if value.__class__ is str:
                value = value.strip()
                if value:
                    out[canonical] = value
            elif value is not None:
                try:
                    value = as_text(value)
                except TransformError as exc:
                    issues.append(_failure(exc, system, canonical))
                    continue
                if value:
                    out[canonical] = value
        for system, canonical in self._plain_other:
            value = get(system)
            if value is not None and value != "":
                out[canonical] = value
        for system, canonical, chain, value_map, default, coerce in self._read_plan:
            value = get(system)
            if value is None or value == "":
                if default is not _MISSING:
                    out[canonical] = default
                continue
            try:
                for fn in chain:
                    value = fn(value)
                if value_map is not None:
                    mapped = _lookup(value_map, value)
                    if mapped is _MISSING:
                        if default is _MISSING:
                            issues.append(
                                Issue(canonical, "picklist_unmapped", f"{system} → {canonical}: value not in the map")
                            )
                            continue
                        mapped = default
                    value = mapped
                if coerce is not None and value is not None:
                    value = coerce(value)
            except Exception as exc:  # one bad value must not stop the run: it becomes an issue
                issues.append(_failure(exc, system, canonical))
                continue
            if value is None or value == "":
                if default is not _MISSING:
                    out[canonical] = default
                continue
            out[canonical] = value
        for canonical, const in self._constants:
            out[canonical] = const
        for split in self.splits:
            self._read_split(split, data, out, issues)
        return out, issues

    @staticmethod
    def _read_split(split: SplitRule, data: Mapping[str, Any], out: dict[str, Any], issues: list[Issue]) -> None:
        value = data.get(split.system)
        if _empty(value):
            return
        try:
            for fn in split.read:
                value = fn(value)
            if not isinstance(value, list | tuple) or len(value) != len(split.targets):
                raise TransformError("split_failed", f"expected {len(split.targets)} parts")
            for target, part, coerce in zip(split.targets, value, split.coercions, strict=True):
                if not _empty(part):
                    out[target] = coerce(part) if coerce is not None else part
        except Exception as exc:  # becomes an issue, as for single fields
            issues.append(_failure(exc, split.system, split.targets[0]))

    # Writing ---------------------------------------------------------------------------------------
    def from_canonical(self, record: Mapping[str, Any], issues: list[Issue] | None = None) -> dict[str, Any]:
        """The system fields to set for a canonical record; only non-empty values.

        Values that cannot be written (a canonical value the picklist cannot map back) are left
        out, and reported into ``issues`` when a list is given.
        """
        out: dict[str, Any] = {}
        get = record.get
        for canonical, system, chain, write_map in self._write_plan:
            value = get(canonical)
            if value is None or value == "":
                continue
            try:
                for fn in chain:
                    value = fn(value)
                if write_map is not None:
                    mapped = _lookup(write_map, value)
                    if mapped is _MISSING:
                        raise TransformError("picklist_unmapped", f"{canonical} → {system}: no system value for it")
                    value = mapped
            except Exception as exc:  # reported, never raised: the other fields still go out
                if issues is not None:
                    issues.append(_failure(exc, system, canonical))
                continue
            if value is not None and value != "":
                out[system] = value
        for split in self.splits:
            if split.writable:
                self._write_split(split, record, out, issues)
        out.update(self.write_constants)
        return out

    @staticmethod
    def _write_split(
        split: SplitRule, record: Mapping[str, Any], out: dict[str, Any], issues: list[Issue] | None
    ) -> None:
        parts = [record.get(t) for t in split.targets]
        if all(_empty(p) for p in parts):
            return
        value: Any = parts
        try:
            for fn in split.write:
                value = fn(value)
        except Exception as exc:  # reported like single fields
            if issues is not None:
                issues.append(_failure(exc, split.system, split.targets[0]))
            return
        if not _empty(value):
            out[split.system] = value

    def system_fields_written(self) -> set[str]:
        """Every system field :meth:`from_canonical` may set (not counting ``key_field``)."""
        written = {system for _, system, _, _ in self._write_plan if system is not None}
        written.update(s.system for s in self.splits if s.writable)
        written.update(self.write_constants)
        return written

    def canonical_round_trip(self) -> frozenset[str] | None:
        """Canonical fields this mapping both writes to the system and reads back (``None``: every field).

        Only these can be compared with what the system holds; anything else a record carries (such as
        ``external_ids.<source>`` when the system keeps no such field) would look changed on every run.
        """
        fields = {r.canonical for r in self.rules if r.readable and r.writable and r.system is not None}
        for split in self.splits:
            if split.writable:
                fields.update(split.targets)
        return frozenset(fields)

    def system_fields_read(self) -> set[str]:
        """Every system field :meth:`to_canonical` reads."""
        read = {system for system, *_ in self._read_plan}
        read.update(system for system, _ in self._plain_text + self._plain_other)
        read.update(s.system for s in self.splits)
        return read

    # Checking against a target ---------------------------------------------------------------------
    def check_against(self, info: StreamInfo, *, lengths: bool = False) -> list[str]:
        """Problems writing this mapping into ``info`` would meet, in words; empty when it fits.

        See :func:`hub.mapping.target_check.check_mapping_against`; ``lengths`` adds target
        fields narrower than their canonical field.
        """
        from hub.mapping.target_check import check_mapping_against

        return check_mapping_against(self, info, lengths=lengths)

    def written_values(self, system: str) -> tuple[str | None, tuple[Any, ...] | None]:
        """``(canonical field, the values it can write)`` for a system field; values ``None`` when open."""
        for rule in self.rules:
            if rule.system == system and rule.writable:
                if rule.write_map is not None:
                    return rule.canonical, tuple(rule.write_map.values())
                spec = canonical_fields(self.canonical).get(rule.canonical)
                if spec is not None and spec.type == FieldType.ENUM and not rule.write:
                    return rule.canonical, spec.choices
                return rule.canonical, None
        return None, None
