"""What a consent check is given and what it answers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.consent.policy import ConsentPolicy


class ConsentVerdict(enum.IntEnum):
    """Ordered from least to most restrictive: the most restrictive decision wins."""

    ALLOW = 0
    STRIP_FIELDS = 1
    SUPPRESS = 2


@dataclass(frozen=True, slots=True)
class ConsentContext:
    """The destination a record is about to reach, and what the pipeline uses data for."""

    pipeline: str
    destination: str
    purposes: tuple[str, ...] = ()
    classification: str | None = None
    """What the destination is used for: ``marketing``, ``sales``, ``accounting``, ``support``, ``storage``."""
    region: str | None = None
    """Where the destination keeps data (ISO country or ``EU``), for residency checks."""
    source: str | None = None
    """The connection the records come from (the capture source of consent read from them)."""
    dry_run: bool = False
    """A preview: decide, but record nothing (no ledger entries, no audit events)."""
    run_id: str | None = None
    dedup: bool = True
    """Whether the run matches people on e-mail and national id (then the engine's match keys find them)."""
    policy: ConsentPolicy | None = None
    """The ``consent:`` section of the configuration; ``None`` means its defaults."""


@dataclass(frozen=True, slots=True)
class ConsentDecision:
    """One rule's answer: allow, strip some fields, or suppress the record, and why."""

    verdict: ConsentVerdict
    rule: str
    reason: str = ""
    basis: str | None = None
    strip: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def suppress(cls, rule: str, reason: str, basis: str | None = None) -> ConsentDecision:
        return cls(ConsentVerdict.SUPPRESS, rule, reason, basis)

    @classmethod
    def strip_fields(cls, rule: str, fields: tuple[str, ...], reason: str = "") -> ConsentDecision:
        return cls(ConsentVerdict.STRIP_FIELDS, rule, reason, None, fields)

    @classmethod
    def allow(cls, rule: str, basis: str | None = None) -> ConsentDecision:
        return cls(ConsentVerdict.ALLOW, rule, "", basis)

    def as_detail(self) -> dict[str, str | None]:
        """What a suppressed record's outcome keeps of the decision: the rule, why, and on what basis."""
        return {"rule": self.rule, "reason": self.reason, "basis": self.basis}


ERASED = ConsentDecision.suppress("suppression_list", "the person's data was erased on request", "erasure")
"""The decision about any record of a person whose data was erased."""
