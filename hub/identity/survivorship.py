"""Survivorship: which value of each field the golden record keeps when several records offer one.

Rules per field come from the configuration (:class:`~hub.identity.settings.SurvivorshipSettings`):
``fill_blanks`` (the value there stays; others only fill empty fields — the default),
``source_priority`` (the most trusted connection wins), ``most_recent`` (the record updated last
wins), ``most_complete`` (the longer value wins). Whatever the rule, an empty value never
overwrites a value. Each field a contributor wins is reported with its rule, so the chosen source
of every field can be recorded (``hub_golden_fields``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.identity.settings import SurvivorshipRule, SurvivorshipSettings

__all__ = ["Chosen", "FieldChoice", "choose", "pick_survivor"]

_EMPTY = (None, "")


@dataclass(frozen=True, slots=True)
class FieldChoice:
    """A field the contributor won, and the rule that gave it."""

    field: str
    rule: str


@dataclass(slots=True)
class Chosen:
    """The fields to change and why."""

    changes: dict[str, Any] = field(default_factory=dict)
    provenance: list[FieldChoice] = field(default_factory=list)


def _as_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def choose(
    values: Mapping[str, Any],
    current: Mapping[str, Any],
    settings: SurvivorshipSettings,
    *,
    source: str,
    incoming_time: dt.datetime | None = None,
    current_sources: Callable[[str], str | None] = lambda _field: None,
) -> Chosen:
    """Which of a contributor's ``values`` (from connection ``source``) replace the ``current`` ones."""
    order = settings.source_priority

    def rank(connection: str | None) -> int:
        return order.index(connection) if connection in order else len(order)

    current_time = _as_time(current.get("updated_at"))
    new_time = _as_time(incoming_time)
    chosen = Chosen()
    for name, value in values.items():
        if value in _EMPTY:
            continue
        present = current.get(name)
        if present == value:
            continue
        rule = settings.rule_for(name)
        if present in _EMPTY:
            wins = True
        elif rule is SurvivorshipRule.SOURCE_PRIORITY:
            wins = rank(source) < rank(current_sources(name))
        elif rule is SurvivorshipRule.MOST_RECENT:
            wins = new_time is not None and (current_time is None or new_time > current_time)
        elif rule is SurvivorshipRule.MOST_COMPLETE:
            wins = len(str(value).strip()) > len(str(present).strip())
        else:
            wins = False
        if wins:
            chosen.changes[name] = value
            chosen.provenance.append(FieldChoice(name, rule.value if present not in _EMPTY else "fill_blanks"))
    return chosen


def pick_survivor(
    candidates: Sequence[tuple[str, Mapping[str, Any], dt.datetime | None]], settings: SurvivorshipSettings
) -> int:
    """The position of the record that survives a merge inside a system: ``(connection, fields, updated_at)``.

    The most trusted connection first, then the most complete record, then the most recently
    updated, then the first — so the same cluster always keeps the same record.
    """
    order = settings.source_priority

    def key(position: int) -> tuple[int, int, float, int]:
        connection, fields, updated = candidates[position]
        filled = sum(1 for v in fields.values() if v not in _EMPTY)
        rank = order.index(connection) if connection in order else len(order)
        moment = _as_time(updated)
        return (rank, -filled, -moment.timestamp() if moment else float("inf"), position)

    return min(range(len(candidates)), key=key)
