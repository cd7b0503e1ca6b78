"""Emptying fields in a target: what two-way sync and ``reconcile --fix`` do when the side the rule keeps holds none.

The engine's writes only set values (a mapping turns an empty canonical value into "leave it as it
is"), so a field to empty travels beside the batch: :meth:`FieldClearing.apply` adds it to the
record's patch just before the write (which makes the record ``updated``, with the field in its
diff) and puts the system's name for it in :attr:`WriteConditions.clears`, which the
:class:`~hub.reconcile.addressing.LinkedTarget` adds to the write request as ``None`` — the
connectors' "clear this field".

A field the target cannot hold empty — a required field, a read-only one, one the mapping writes
through a split or not at all, or any field of a connector that does not declare ``clear`` — is not
emptied: it is reported (``cannot_clear``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hub.connectors.api import Capability, Connector, StreamInfo
from hub.mapping.canonical import CanonicalStreamMapping
from hub.reconcile.addressing import WriteConditions
from hub.records import Outcome

__all__ = ["FieldClearing"]

_CLEARABLE_OUTCOMES = (Outcome.UPDATED, Outcome.UNCHANGED, Outcome.MERGED)


class FieldClearing:
    """Which canonical fields one target can be made to hold empty, and how to ask it to."""

    def __init__(self, mapping: Any, info: StreamInfo | None, fields: Iterable[str], *, can_clear: bool = True
                 ) -> None:
        wanted = set(fields) if can_clear else set()
        if isinstance(mapping, CanonicalStreamMapping):
            names = {name: name for name in wanted}
        else:
            names = {rule.canonical: rule.system for rule in getattr(mapping, "rules", ())
                     if rule.writable and rule.system is not None and rule.canonical in wanted}
        specs = info.fields if info is not None else {}
        self.system_names: dict[str, str] = {
            canonical: system for canonical, system in names.items()
            if not (system in specs and (specs[system].required or specs[system].read_only))}
        """Canonical field → the target's field to set empty, for the fields it can hold empty."""

    @classmethod
    def for_target(cls, mapping: Any, connector: Connector, fields: Iterable[str]) -> FieldClearing:
        """The clearing rules of ``connector`` as ``mapping`` writes to it (its stream's fields as discovered)."""
        info = next((i for i in connector.discover() if i.name == mapping.object), None)
        return cls(mapping, info, fields, can_clear=Capability.CLEAR in connector.capabilities)

    def can_clear(self, name: str) -> bool:
        return name in self.system_names

    def apply(self, live: Sequence[Any], patches: dict[str, dict[str, Any]], pending: dict[str, dict[str, Any]],
              conditions: WriteConditions) -> None:
        """Add each record's fields to empty (``pending``: hub id → {field: value it holds now}) to its write."""
        for s in live:
            emptied = pending.get(s.hub_id or "")
            if not emptied or s.outcome not in _CLEARABLE_OUTCOMES:
                continue
            hub: str = s.hub_id
            patches.setdefault(hub, {}).update(dict.fromkeys(emptied))
            conditions.clears[hub] = {self.system_names[name] for name in emptied}
            s.diff.update({name: (old, None) for name, old in emptied.items()})
            if s.outcome is Outcome.UNCHANGED:
                s.outcome = Outcome.UPDATED
