"""What an erasure would do, found without changing anything: ``crmhub gdpr erase --dry-run``.

The same first steps as a real erasure — the person's hub ids from the identity map and the subject
index, their records in every system, each record read (when the system can look up) so every
identifier is known — then, instead of acting, the plan lists each system with the mechanism that
would be used and the records it would erase, and the suppression entries that would be added.
Nothing is written: not to a system, not to the state store (not even the audit log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.consent.identifiers import Identifier
from hub.gdpr.subjects import Subject, resolve_subject
from hub.gdpr.systems import SystemAccess
from hub.state.person_data import Link
from hub.state.privacy import PrivacyStore
from hub.state.resolution import MERGED_SUFFIX

__all__ = ["ErasurePlan", "Footprint", "PlannedSystem", "find_footprint", "plan_erasure"]


@dataclass(slots=True)
class Footprint:
    """The person an erasure is about and where they are: hub ids, links, identifiers read from systems."""

    privacy: PrivacyStore
    access: SystemAccess
    subject: Subject
    links: list[Link]

    def groups(self) -> dict[tuple[str, str], list[str]]:
        """Record ids by ``(connection, stream)``, in a stable order.

        A record merged into another's hub id is linked under ``STREAM#merged``; it lives in the
        system's ``STREAM`` like any other record.
        """
        grouped: dict[tuple[str, str], set[str]] = {}
        for link in self.links:
            stream = link.stream.removesuffix(MERGED_SUFFIX)
            grouped.setdefault((link.connection, stream), set()).add(link.record_id)
        return {where: sorted(ids) for where, ids in sorted(grouped.items())}


def find_footprint(hub: Any, given: Identifier) -> Footprint:
    """Resolve ``given`` and read the person's record in every system that can look up (read only)."""
    privacy = PrivacyStore(hub.store)
    access = SystemAccess(hub)
    subject = resolve_subject(privacy, given)
    footprint = Footprint(privacy, access, subject, privacy.links(subject.hub_ids))
    for (connection, stream), record_ids in footprint.groups().items():
        if access.configured(connection):
            seen = access.lookup(connection, stream, [*record_ids, *subject.hub_ids])
            for found in seen.records.values():
                subject.add_from_record(found["canonical"])
    return footprint


@dataclass(frozen=True, slots=True)
class PlannedSystem:
    """One system's part of an erasure: the mechanism it would get and the records it would lose."""

    connection: str
    stream: str
    mechanism: str
    record_ids: tuple[str, ...]


@dataclass(slots=True)
class ErasurePlan:
    """What ``crmhub gdpr erase`` would do for one person (pseudonyms, record ids and counts only)."""

    subject: str
    hub_ids: list[str]
    systems: list[PlannedSystem] = field(default_factory=list)
    suppression: list[tuple[str, str]] = field(default_factory=list)
    """``(id_type, hmac)`` of the entries that would be added (those already on the list are left out)."""
    already_suppressed: int = 0

    @property
    def found(self) -> bool:
        return bool(self.hub_ids)

    def as_dict(self) -> dict[str, Any]:
        """The ``--dry-run --json`` object."""
        return {"dry_run": True, "subject": self.subject, "found": self.found, "hub_ids": self.hub_ids,
                "systems": [{"connection": s.connection, "stream": s.stream, "mechanism": s.mechanism,
                             "records": list(s.record_ids)} for s in self.systems],
                "suppression_entries": [{"id_type": kind, "hmac": hmac} for kind, hmac in self.suppression],
                "already_suppressed": self.already_suppressed}


def plan_erasure(hub: Any, given: Identifier) -> ErasurePlan:
    """The systems, records and suppression entries an erasure of ``given`` would touch; changes nothing."""
    footprint = find_footprint(hub, given)
    subject, access = footprint.subject, footprint.access
    plan = ErasurePlan(subject.pseudonym, list(subject.hub_ids))
    for (connection, stream), record_ids in footprint.groups().items():
        mechanism = access.mechanism(connection) if access.configured(connection) else "none"
        plan.systems.append(PlannedSystem(connection, stream, mechanism, tuple(record_ids)))
    wanted = subject.hmacs(footprint.privacy.keys)
    listed = footprint.privacy.suppressed([h for h, _ in wanted])
    plan.suppression = sorted((kind, hmac) for hmac, kind in wanted if hmac not in listed)
    plan.already_suppressed = len(wanted) - len(plan.suppression)
    return plan


def record_pairs(links: Sequence[Link]) -> list[tuple[str, str]]:
    """``(connection, record id)`` of each link."""
    return sorted({(link.connection, link.record_id) for link in links})
