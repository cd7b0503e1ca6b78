"""Conflict rules: which system's value the pipeline keeps when two systems disagree on a field.

The same policy decides what ``crmhub reconcile`` reports as "kept" (and ``--fix`` writes) and what a
two-way sync does when a field changed on both sides:

* ``source_wins`` / ``target_wins``: the pipeline's source (target) system;
* ``newest_wins``: the system whose record was modified last, by each system's own modification
  time; two times closer than the clock-skew tolerance cannot be ordered and fall back to the source;
* ``field_owner``: the owner named for the field (``consent.*`` patterns allowed), else the source;
* ``manual``: nobody: the conflict goes to the review queue and nothing is written.

When the preferred system holds no copy of the record, the next one in the order source, target,
then the other systems as listed, decides.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["RULES", "ConflictPolicy", "Side"]

RULES = ("source_wins", "target_wins", "newest_wins", "field_owner", "manual")


@dataclass(frozen=True, slots=True)
class Side:
    """One system's copy of a field: its value, its comparison form, and when the record last changed."""

    connection: str
    value: Any
    form: str | None
    modified: dt.datetime | None = None


def as_moment(value: Any) -> dt.datetime | None:
    """A modification time as an aware UTC datetime (ISO text and naive times are read as UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


class ConflictPolicy:
    """A pipeline's conflict rule, bound to its systems."""

    def __init__(
        self,
        rule: str,
        source: str,
        target: str,
        *,
        owners: Mapping[str, str] | None = None,
        clock_skew_s: float = 5.0,
        others: Sequence[str] = (),
    ) -> None:
        if rule not in RULES:
            raise ValueError(f"unknown conflict rule {rule!r} (known: {', '.join(RULES)})")
        self.rule = rule
        self.source = source
        self.target = target
        self.owners = dict(owners or {})
        self.clock_skew = dt.timedelta(seconds=clock_skew_s)
        self.order = tuple(dict.fromkeys([source, target, *others]))

    @classmethod
    def from_settings(cls, settings: Any, others: Sequence[str] = ()) -> ConflictPolicy:
        """The policy of a :class:`~hub.config.PipelineSettings`."""
        return cls(
            str(getattr(settings.conflict, "value", settings.conflict)),
            settings.source,
            settings.target,
            owners=getattr(settings, "field_owners", None),
            clock_skew_s=float(getattr(settings, "clock_skew_s", 5.0)),
            others=others,
        )

    def __repr__(self) -> str:
        return f"<ConflictPolicy {self.rule} source={self.source} target={self.target}>"

    @property
    def record_owner(self) -> str | None:
        """The system whose having or lacking a record decides (``None`` under ``manual``)."""
        if self.rule == "manual":
            return None
        return self.target if self.rule == "target_wins" else self.source

    def owner_of(self, field: str) -> str | None:
        """The system that owns ``field`` under ``field_owner`` (exact names first, then patterns)."""
        if field in self.owners:
            return self.owners[field]
        for pattern, owner in self.owners.items():
            if fnmatch.fnmatchcase(field, pattern):
                return owner
        return None

    def _first_of(self, preferred: Sequence[str], present: Sequence[str]) -> str | None:
        for name in (*preferred, *self.order, *present):
            if name in present:
                return name
        return None

    def winner(self, field: str, sides: Sequence[Side]) -> str | None:
        """The connection whose value is kept; ``None`` means a person decides (``manual``)."""
        present = [side.connection for side in sides]
        if self.rule == "manual":
            return None
        if self.rule == "target_wins":
            return self._first_of([self.target], present)
        if self.rule == "field_owner":
            owner = self.owner_of(field)
            return self._first_of([owner] if owner else [], present)
        if self.rule == "newest_wins":
            return self._newest(sides, present)
        return self._first_of([self.source], present)

    def _newest(self, sides: Sequence[Side], present: Sequence[str]) -> str | None:
        timed = [(side.modified, side.connection) for side in sides if side.modified is not None]
        if len(timed) < len(sides) or not timed:
            return self._first_of([self.source], present)  # a side without a time cannot be ordered
        timed.sort(reverse=True)
        newest, runner_up = timed[0], timed[1] if len(timed) > 1 else None
        if runner_up is not None and newest[0] - runner_up[0] <= self.clock_skew:
            return self._first_of([self.source], present)
        return newest[1]
