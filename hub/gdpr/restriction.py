"""``crmhub gdpr restrict``: stop processing a person (GDPR Art. 18, KVKK Art. 11) and tell every recipient.

A restriction is a suppression entry (reason ``restriction``) for the keyed hash of every known
identifier and hub id of the person: no run sends them anywhere while it stands. Each system the
person was sent to gets ``consent.processing_restricted`` set (where its mapping has that field:
Salesforce ``HasOptedOutProcessing``, Zoho "Stop Processing", a column). ``--lift`` undoes both.
"""

from __future__ import annotations

from typing import Any

from hub.consent.identifiers import Identifier
from hub.consent.policy import Regime
from hub.gdpr.deadlines import earliest_deadline
from hub.gdpr.propagation import tell_recipients
from hub.gdpr.subjects import resolve_subject
from hub.state.audit import AuditEvent
from hub.state.privacy import PrivacyStore
from hub.state.schema import utcnow
from hub.state.subject_requests import RequestSystem, SubjectRequest
from hub.state.suppression import SuppressionEntry

__all__ = ["restrict", "retry_restrictions"]


def restrict(hub: Any, given: Identifier, *, lift: bool = False, regime: Regime | None = None) -> SubjectRequest:
    """Restrict (or lift the restriction of) the person ``given`` names; return the recorded request."""
    privacy = PrivacyStore(hub.store)
    keys = hub.store.keys
    subject = resolve_subject(privacy, given)
    hmacs = subject.hmacs(keys)
    if lift:
        privacy.lift([h for h, _ in hmacs], "restriction")
    else:
        privacy.suppress([SuppressionEntry(h, kind, "restriction", "all") for h, kind in hmacs])
    answers = tell_recipients(hub, subject.hub_ids, {"consent.processing_restricted": not lift})
    regimes = [regime] if regime else list(hub.config.settings.consent.regimes)
    chosen, due = earliest_deadline(regimes, utcnow())
    now = utcnow()
    request = SubjectRequest(
        kind="lift" if lift else "restrict", subject=subject.pseudonym, hub_ids=subject.hub_ids, regime=chosen,
        due_at=due, systems=[RequestSystem(c, "contacts", a.mechanism or "write", a.status, 1, now, a.message)
                             for c, a in sorted(answers.items())])
    request.status = "pending" if any(s.status == "pending" for s in request.systems) else "completed"
    request.completed_at = now if request.status == "completed" else None
    privacy.open_request(request)
    hub.store.audit_many([AuditEvent(f"gdpr.{request.kind}.{request.status}", subject.pseudonym, {
        "request_id": request.request_id, "hub_ids": subject.hub_ids, "suppression_entries": len(hmacs),
        "recipients": {c: a.status for c, a in sorted(answers.items())}})])
    return request


def retry_restrictions(hub: Any) -> list[SubjectRequest]:
    """Tell the recipients that were unreachable when a restriction was placed or lifted."""
    privacy = PrivacyStore(hub.store)
    done = []
    for request in privacy.requests(["pending"]):
        if request.kind not in ("restrict", "lift"):
            continue
        waiting = {s.connection for s in request.systems if s.status == "pending"}
        answers = tell_recipients(hub, request.hub_ids, {"consent.processing_restricted": request.kind == "restrict"},
                                  only=waiting)
        for system in request.systems:
            if system.connection in answers:
                answer = answers[system.connection]
                system.status, system.message = answer.status, answer.message
                system.attempts += 1
                system.last_attempt_at = utcnow()
                privacy.save_request_system(request.request_id, system)
        if not any(s.status == "pending" for s in request.systems):
            request.status = "completed"
            privacy.set_request_status(request.request_id, "completed")
        hub.store.audit_many([AuditEvent(f"gdpr.{request.kind}.retried", request.subject, {
            "request_id": request.request_id, "recipients": {c: a.status for c, a in sorted(answers.items())}})])
        done.append(request)
    return done
