"""What a reconciliation found: one :class:`Finding` per real difference, and the counts behind the report."""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from dataclasses import dataclass
from typing import Any

__all__ = ["Action", "Comparison", "Finding", "Kind"]


class Kind(enum.StrEnum):
    """The sorts of difference a reconciliation reports."""

    MISSING = "missing"
    """A record some systems hold and one does not (``system`` names the one without it)."""
    FIELD = "field"
    """A field whose normalised values differ between systems."""
    CONSENT = "consent"
    """A ``consent.*`` field whose values differ: reported apart, because it decides who may be contacted."""
    DUPLICATE = "duplicate"
    """A second record of the same person inside one system that the hub has not merged."""
    STALE_LINK = "stale_link"
    """An identity-map entry pointing at a record its system no longer holds."""


class Action(enum.StrEnum):
    """What ``--fix`` does about a finding under the pipeline's rules."""

    WRITE = "write"
    """Write the kept value (or the whole record) into the other systems."""
    DELETE = "delete"
    """Delete the record where it still exists (its owner deleted it and deletes propagate)."""
    MERGE = "merge"
    """Merge the duplicate into the hub record (fills blanks, links it as merged)."""
    FORGET = "forget"
    """Remove the dead link from the identity map."""
    REVIEW = "review"
    """Nothing automatic: the rule is ``manual``."""
    NONE = "none"
    """Nothing, by the pipeline's rules (for example ``deletes: ignore``)."""


@dataclass(slots=True)
class Finding:
    """One real difference, with each system's value and what the pipeline's rule would keep."""

    kind: Kind
    hub_id: str | None
    system: str | None = None
    field: str | None = None
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    records: dict[str, str] = dataclasses.field(default_factory=dict)
    kept: str | None = None
    action: Action = Action.NONE
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain JSON values."""
        return {
            "kind": self.kind.value, "hub_id": self.hub_id, "system": self.system, "field": self.field,
            "values": dict(self.values), "records": dict(self.records), "kept": self.kept,
            "action": self.action.value, "note": self.note,
        }


@dataclass(slots=True)
class Comparison:
    """The counts of a comparison and its findings."""

    systems: list[str]
    fields: list[str]
    records: dict[str, int] = dataclasses.field(default_factory=dict)
    unreadable: dict[str, int] = dataclasses.field(default_factory=dict)
    hub_records: int = 0
    matched: int = 0
    differing: int = 0
    missing: Counter[str] = dataclasses.field(default_factory=Counter)
    field_differences: Counter[str] = dataclasses.field(default_factory=Counter)
    duplicates: Counter[str] = dataclasses.field(default_factory=Counter)
    stale_links: Counter[str] = dataclasses.field(default_factory=Counter)
    known_merged: Counter[str] = dataclasses.field(default_factory=Counter)
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def consent_disagreements(self) -> int:
        return sum(1 for f in self.findings if f.kind is Kind.CONSENT)

    @property
    def differences(self) -> int:
        """Every real difference: the rows of ``differences.csv``."""
        return len(self.findings)

    def absorb(self, part: Comparison) -> None:
        """Add the counts and findings of a part compared elsewhere (a range of hub ids)."""
        self.hub_records += part.hub_records
        self.matched += part.matched
        self.differing += part.differing
        for mine, theirs in ((self.missing, part.missing), (self.field_differences, part.field_differences),
                             (self.duplicates, part.duplicates), (self.known_merged, part.known_merged)):
            mine.update(theirs)
        self.findings.extend(part.findings)

    def by_kind(self) -> dict[str, int]:
        counts = Counter(f.kind.value for f in self.findings)
        return {kind.value: counts.get(kind.value, 0) for kind in Kind}
