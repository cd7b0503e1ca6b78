"""The consent screening of one batch: the store-backed half of every check, and its paper trail.

For each contact of the batch it computes the keyed hashes of the person's identifiers, reads the
suppression list and the consent ledger once for the whole batch, merges what every system said
(the most restrictive answer wins and is written to the destination), runs the checks of
:mod:`hub.consent.checks`, then — in one transaction, and never in a dry run — appends the consent
this source stated to the ledger, indexes the identifiers for later requests, and writes an audit
event for every decision. Suppressions are audited by the engine record by record; allowed and
stripped records are audited here, grouped by rule and basis, with their hub ids.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from hub.consent.checks import Person, applicable_checks, evaluate
from hub.consent.decision import ConsentContext, ConsentDecision, ConsentVerdict
from hub.consent.evidence import RESTRICTIVE, consented_purposes, effective_channels, entries_from_record
from hub.consent.identifiers import record_identifiers
from hub.consent.policy import ConsentPolicy
from hub.state.audit import AuditEvent
from hub.state.consent_ledger import ConsentEntry
from hub.state.privacy import PrivacyStore
from hub.state.schema import utcnow

__all__ = ["screen_contacts"]

_DEFAULT_POLICY = ConsentPolicy()
log = logging.getLogger("crmhub.consent")


def _latest(history: Sequence[ConsentEntry], entry: ConsentEntry) -> ConsentEntry | None:
    """The newest ledger entry for the same subject, channel and purpose (what ``entry`` supersedes)."""
    for old in reversed(history):
        if (old.subject_id, old.channel, old.purpose) == (entry.subject_id, entry.channel, entry.purpose):
            return old
    return None


def _news(history: Sequence[ConsentEntry], current: list[ConsentEntry]) -> list[ConsentEntry]:
    """The statements of this read that the ledger does not hold yet, chained to what they supersede."""
    fresh = []
    for entry in current:
        same_source = [h for h in history if h.source_system == entry.source_system]
        previous = _latest(same_source, entry)
        if previous is not None and previous.fingerprint == entry.fingerprint:
            continue
        latest = _latest(history, entry)
        entry.supersedes_id = latest.consent_id if latest else None
        fresh.append(entry)
    return fresh


def screen_contacts(records: list[dict[str, Any]], hub_ids: list[str], context: ConsentContext,
                    store: Any, hashed: list[list[tuple[str, str]]] | None = None) -> dict[int, ConsentDecision]:
    """Decide about every contact of a batch; return the decisions that suppress or strip, by position.

    ``hashed``: each record's identifiers as ``(kind, pseudonym)``, when they were computed already.
    """
    policy = context.policy or _DEFAULT_POLICY
    privacy = PrivacyStore(store)
    keys = store.keys
    identifiers = hashed if hashed is not None else [
        [(ident.kind, ident.hmac(keys)) for ident in record_identifiers(record)] for record in records]
    wanted = [h for found in identifiers for _, h in found]
    state = privacy.batch_state(wanted, [*hub_ids, *wanted], hub_ids)
    now = utcnow()
    today = now.date()
    checks = applicable_checks(context, policy)
    # With deduplication the engine's match keys already find people by e-mail and national id.
    indexed = {"phone"} if context.dedup else {"phone", "email", "national_id"}
    decisions: dict[int, ConsentDecision] = {}
    news: list[ConsentEntry] = []
    subject_rows: list[tuple[str, str, str]] = []
    forget: list[str] = []
    groups: dict[tuple[str, str, str | None, tuple[str, ...]], list[str]] = {}
    for index, (record, hub_id) in enumerate(zip(records, hub_ids, strict=True)):
        found = identifiers[index]
        hmacs = tuple(h for _, h in found)
        suppressions = [e for h in hmacs for e in state.suppressed.get(h, ())]
        suppressions += state.suppressed_hubs.get(hub_id, ())
        found_history = [e for s in (hub_id, *hmacs) for e in state.history.get(s, ())]
        history = sorted(found_history, key=lambda e: e.recorded_at or now) if len(found_history) > 1 else found_history
        current = entries_from_record(record, hub_id, hmacs, context.source, context.run_id)
        channels = effective_channels(current, history, now)
        for channel, merged in channels.items():
            if merged.status in RESTRICTIVE and record.get(f"consent.{channel}") != merged.status:
                record[f"consent.{channel}"] = merged.status  # the destination hears the refusal too
        purposes = consented_purposes(history, now, policy.require_proof) if history else frozenset()
        person = Person(record, channels, suppressions, purposes)
        decision = evaluate(person, context, policy, today, checks)
        if decision.verdict is not ConsentVerdict.ALLOW:
            decisions[index] = decision
        if any(e.reason == "erasure" for e in suppressions):
            forget.append(hub_id)  # an erased person leaves no new trace in the store
            continue
        if decision.verdict is not ConsentVerdict.SUPPRESS:
            groups.setdefault((decision.verdict.name, decision.rule, decision.basis, decision.strip), []).append(hub_id)
        if policy.record_ledger:
            news.extend(_news(history, current))
        subject_rows.extend((h, hub_id, kind) for kind, h in found if kind in indexed)
    if not context.dry_run:
        privacy.record_batch(news, subject_rows, _events(groups, news, context), forget)
    log.debug("screened %d contacts for %s: %d held back or stripped, %d consent records new", len(records),
              context.destination, len(decisions), len(news))
    return decisions


def _events(groups: dict[tuple[str, str, str | None, tuple[str, ...]], list[str]], news: list[ConsentEntry],
            context: ConsentContext) -> list[AuditEvent]:
    where = {"pipeline": context.pipeline, "destination": context.destination, "source": context.source}
    events = []
    for (verdict, rule, basis, stripped), subjects in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                           kv[0][2] or "")):
        outcome = "stripped" if verdict == ConsentVerdict.STRIP_FIELDS.name else "allowed"
        details: dict[str, Any] = {**where, "outcome": outcome, "rule": rule, "basis": basis, "subjects": subjects}
        if stripped:
            details["fields"] = list(stripped)
        events.append(AuditEvent(f"consent.{outcome}", None, details, context.run_id))
    if news:
        events.append(AuditEvent("consent.recorded", None, {
            **where, "records": len(news), "subjects": sorted({e.subject_id for e in news}),
            "consent_ids": [e.consent_id for e in news]}, context.run_id))
    return events
