"""``crmhub gdpr erase``: remove a person from every connected system and from crmhub's own memory.

1. Find the person's records through the identity map (every system they came from or went to).
2. Read each record first (when the system can look up), so every identifier of the person is known.
3. Erase in each system with its strongest mechanism; a system that cannot be reached stays
   ``pending`` and is retried by ``crmhub gdpr retry``; one without a mechanism waits for a person.
4. Put keyed hashes of every identifier on the suppression list, so no run recreates the person.
5. Purge the state store: links, match keys, record ids in run outcomes, quarantined payloads,
   checkpoints naming them, consent records, and identity resolution's traces (candidate keys,
   merges, review items, golden-field sources, vetoes). The request itself keeps only pseudonyms.
Every step is audited under the pseudonym of the identifier given. ``plan_erasure`` (in
:mod:`hub.gdpr.erasure_plan`) answers what these steps would touch, without taking them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from hub.consent.identifiers import Identifier
from hub.consent.policy import Regime
from hub.gdpr.deadlines import earliest_deadline
from hub.gdpr.erasure_plan import find_footprint, record_pairs
from hub.gdpr.systems import SystemAccess
from hub.state.audit import AuditEvent
from hub.state.privacy import PrivacyStore
from hub.state.resolution import IdentityStore
from hub.state.schema import utcnow
from hub.state.subject_requests import RequestSystem, SubjectRequest
from hub.state.suppression import SuppressionEntry

__all__ = ["ErasureReport", "confirm_system", "erase", "retry_pending"]

log = logging.getLogger("crmhub.gdpr")


@dataclass(slots=True)
class ErasureReport:
    """What an erasure did: the request, each system's answer, and what left the state store."""

    request: SubjectRequest
    found: bool
    suppressed: int = 0
    purged: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object (pseudonyms and counts only)."""
        return {"request_id": self.request.request_id, "status": self.request.status, "found": self.found,
                "regime": self.request.regime, "due_at": self.request.due_at.isoformat(),
                "hub_ids": self.request.hub_ids, "suppression_entries": self.suppressed, "purged": self.purged,
                "systems": [{"connection": s.connection, "stream": s.stream, "mechanism": s.mechanism,
                             "status": s.status, "message": s.message} for s in self.request.systems]}


def _regimes(hub: Any, regime: Regime | None) -> list[Regime]:
    return [regime] if regime else list(hub.config.settings.consent.regimes)


def erase(hub: Any, given: Identifier, regime: Regime | None = None, note: str = "") -> ErasureReport:
    """Erase the person ``given`` names everywhere; see the module docstring for the steps."""
    footprint = find_footprint(hub, given)
    privacy, access, subject, links = footprint.privacy, footprint.access, footprint.subject, footprint.links
    keys = hub.store.keys
    chosen, due = earliest_deadline(_regimes(hub, regime), utcnow())
    request = SubjectRequest(kind="erase", subject=subject.pseudonym, hub_ids=subject.hub_ids, regime=chosen,
                             due_at=due, detail={"note": note} if note else {})
    groups = footprint.groups()
    events = [AuditEvent("gdpr.erase.requested", subject.pseudonym, {
        "request_id": request.request_id, "regime": chosen.value, "due_at": due.isoformat(),
        "hub_ids": subject.hub_ids, "systems": len(groups)})]
    for (connection, stream), record_ids in groups.items():
        answer = access.erase(connection, stream, record_ids, subject.hub_ids)
        system = RequestSystem(connection, stream, answer.mechanism or "none", answer.status, 1, utcnow(),
                               answer.message, keys=[*record_ids, *subject.hub_ids])
        request.systems.append(system)
        events.append(_system_event(request, system))
    entries = [SuppressionEntry(h, kind, "erasure", "all", request.request_id) for h, kind in subject.hmacs(keys)]
    privacy.suppress(entries)
    purged = privacy.erase_person(subject.hub_ids, links, subject.needles(), subject.ledger_subjects(keys))
    # Identity resolution's own memory (candidate keys, merges, reviews, golden-field sources) goes too.
    purged.update(IdentityStore(hub.store).forget(subject.hub_ids, record_pairs(links)))
    request.status = "pending" if request.open_systems else "completed"
    request.completed_at = utcnow() if request.status == "completed" else None
    request.detail["purged"] = purged
    privacy.open_request(request)
    events.append(_closing_event(request))
    hub.store.audit_many(events)
    return ErasureReport(request, bool(subject.hub_ids), len(entries), purged)


def _system_event(request: SubjectRequest, system: RequestSystem) -> AuditEvent:
    log.info("%s request %s, subject %s: %s by %s is %s (%s)", request.kind, request.request_id, request.subject,
             system.connection, system.mechanism, system.status, system.message)
    return AuditEvent(f"gdpr.{request.kind}.system", request.subject, {
        "request_id": request.request_id, "connection": system.connection, "stream": system.stream,
        "mechanism": system.mechanism, "status": system.status, "attempt": system.attempts})


def _closing_event(request: SubjectRequest) -> AuditEvent:
    return AuditEvent(f"gdpr.{request.kind}.{request.status}", request.subject, {
        "request_id": request.request_id, "open_systems": [s.connection for s in request.open_systems]})


def retry_pending(hub: Any, request_prefix: str | None = None) -> list[SubjectRequest]:
    """Try every unreachable system of pending erasures again; close the requests that are done."""
    privacy = PrivacyStore(hub.store)
    access = SystemAccess(hub)
    requests = [privacy.find_request(request_prefix)] if request_prefix else privacy.requests(["pending"])
    done = []
    for request in requests:
        if request.kind != "erase" or request.status != "pending":
            continue
        events = []
        for system in request.systems:
            if system.status != "pending":
                continue
            record_ids = [k for k in system.keys if k not in request.hub_ids]
            answer = access.erase(system.connection, system.stream, record_ids, request.hub_ids)
            system.status, system.message = answer.status, answer.message
            system.attempts += 1
            system.last_attempt_at = utcnow()
            privacy.save_request_system(request.request_id, system)
            events.append(_system_event(request, system))
        if not request.open_systems:
            request.status = "completed"
            privacy.set_request_status(request.request_id, "completed")
            events.append(_closing_event(request))
        hub.store.audit_many(events)
        done.append(request)
    return done


def confirm_system(hub: Any, request_prefix: str, connection: str, note: str = "") -> SubjectRequest:
    """Record that a person erased the record in a system crmhub cannot erase in (``manual``)."""
    privacy = PrivacyStore(hub.store)
    request = privacy.find_request(request_prefix)
    matching = [s for s in request.systems if s.connection == connection and s.status in ("manual", "failed",
                                                                                          "pending")]
    if not matching:
        from hub.errors import FatalError

        raise FatalError(f"request {request.request_id} has no open system named {connection!r}")
    events = []
    for system in matching:
        system.status, system.message = "confirmed", note or "erased by hand and confirmed"
        system.last_attempt_at = utcnow()
        privacy.save_request_system(request.request_id, system)
        events.append(_system_event(request, system))
    if not request.open_systems and request.status != "completed":
        request.status = "completed"
        privacy.set_request_status(request.request_id, "completed", request.detail)
        events.append(_closing_event(request))
    hub.store.audit_many(events)
    return request

