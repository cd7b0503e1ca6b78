"""Telling every recipient of a person about a change: consent withdrawn, processing restricted or lifted.

GDPR Art. 19 and KVKK Art. 11(1)(f): whoever received the person's data hears of corrections,
erasures and restrictions. The recipients are the systems runs sent the person to (the recipient
map: identity links plus the runs that wrote them). Each recipient's answer is kept; an unreachable
one stays ``pending`` and is tried again by ``crmhub consent propagate``.
"""

from __future__ import annotations

import logging
from typing import Any

from hub.consent.evidence import CHANNELS
from hub.gdpr.systems import Answer, SystemAccess
from hub.state.audit import AuditEvent
from hub.state.consent_ledger import ConsentEntry, Propagation
from hub.state.privacy import PrivacyStore
from hub.state.schema import utcnow

__all__ = ["propagate_withdrawals", "tell_recipients"]

NO_RECIPIENT = "-"
log = logging.getLogger("crmhub.gdpr")


def tell_recipients(hub: Any, hub_ids: list[str], fields: dict[str, Any], *, skip: str | None = None,
                    only: set[str] | None = None) -> dict[str, Answer]:
    """Write canonical ``fields`` to the person's record in every recipient system; answers by connection."""
    privacy = PrivacyStore(hub.store)
    access = SystemAccess(hub)
    links = {(link.hub_id, link.connection, link.stream): link.record_id for link in privacy.links(hub_ids)}
    answers: dict[str, Answer] = {}
    for recipient in privacy.recipients(hub_ids):
        if recipient.connection == skip or (only is not None and recipient.connection not in only):
            continue
        record_id = links.get((recipient.hub_id, recipient.connection, recipient.stream))
        answer = access.tell(recipient.connection, recipient.stream, recipient.hub_id, record_id, fields)
        log.info("told %s about hub id %s: %s (%s)", recipient.connection, recipient.hub_id, answer.status,
                 answer.message)
        previous = answers.get(recipient.connection)
        if previous is None or previous.status == "acknowledged":  # the worst answer of a system stands
            answers[recipient.connection] = answer
    return answers


def _subjects(privacy: PrivacyStore, entry: ConsentEntry) -> list[str]:
    if entry.subject_kind == "hub":
        return [entry.subject_id]
    return sorted(privacy.hub_ids_for([entry.subject_id]))


def propagate_withdrawals(hub: Any) -> list[Propagation]:
    """Push every withdrawal not yet pushed, and retry the pending ones; return the new states."""
    privacy = PrivacyStore(hub.store)
    pending: dict[str, set[str]] = {}
    for item in privacy.pending_propagation():
        pending.setdefault(item.consent_id, set()).add(item.connection)
    previous = {(p.consent_id, p.connection): p for p in privacy.propagation_of(pending)}
    work: list[tuple[ConsentEntry, set[str] | None]] = [(e, None) for e in privacy.unpropagated_withdrawals()]
    work += [(entry, pending[entry.consent_id]) for entry in privacy.consent_records(pending)]
    results: list[Propagation] = []
    events = []
    now = utcnow()
    for entry, only in work:
        fields = {f"consent.{entry.channel}": entry.status} if entry.channel in CHANNELS else {}
        answers = tell_recipients(hub, _subjects(privacy, entry), fields, skip=entry.source_system, only=only) \
            if fields else {}
        if not answers and only is None:
            results.append(Propagation(entry.consent_id, NO_RECIPIENT, "none", 0, None,
                                       "no system other than its source received this person"))
        for connection, answer in answers.items():
            before = previous.get((entry.consent_id, connection))
            results.append(Propagation(entry.consent_id, connection, answer.status,
                                       (before.attempts if before else 0) + 1,
                                       now if answer.status == "acknowledged" else None, answer.message))
        events.append(AuditEvent("consent.propagated", entry.subject_id, {
            "consent_id": entry.consent_id, "channel": entry.channel, "status": entry.status,
            "recipients": {c: a.status for c, a in sorted(answers.items())}}))
    privacy.record_propagation(results)
    hub.store.audit_many(events)
    return results
