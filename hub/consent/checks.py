"""The checks every record passes before it is written, in the order privacy.md lists them.

1 suppression list · 2 restriction flags · 3 a legal basis for every purpose · 4 consent provable,
else absent · 5 channel opt-ins (double opt-in, İYS; an unsubscribe beats any subscription) ·
(6, the most restrictive answer across systems, is already folded into the channel states) ·
7 field allowlist per destination class · 8 children · 9 residency · 10 retention · 11 CCPA/GPC.

The first check that blocks suppresses the record; checks that strip fields add up. Each answer
names its rule and the legal basis relied on; the caller writes it to the audit log (12).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hub.consent.decision import ERASED, ConsentContext, ConsentDecision, ConsentVerdict
from hub.consent.evidence import CHANNELS, RESTRICTIVE, ChannelState, as_date, as_datetime
from hub.consent.policy import ConsentPolicy, LegalBasis, PurposeRule
from hub.consent.residency import jurisdiction_of, transfer_approved
from hub.state.suppression import SuppressionEntry

__all__ = ["CHECKS", "CONTACT_POINTS", "Person", "applicable_checks", "evaluate", "purposes_of"]

CONTACT_POINTS: dict[str, tuple[str, ...]] = {
    "email": ("email",), "sms": ("mobile",), "phone": ("phone", "mobile"), "post": ("address.street",
                                                                                   "address.postcode"),
}
_ALIASES = {"legitimate_interests": "legitimate_interest", "legal_obligations": "legal_obligation",
            "vital_interests": "vital_interest", "public_interest": "public_task", "public_interests": "public_task",
            "obtained": "consent", "contractual": "contract"}
_PENDING = frozenset({"consent_pending", "consent_not_responded", "pending", "awaiting", "consent_awaiting"})
_UNSTATED = frozenset({"", "unknown", "none", "not_applicable"})
_ALWAYS_SENT = ("id", "external_ids.*")
_UNKNOWN_PURPOSE = PurposeRule(bases=list(LegalBasis))


@dataclass(slots=True)
class Person:
    """One record and everything known about its person when it is checked."""

    record: dict[str, Any]
    channels: dict[str, ChannelState] = field(default_factory=dict)
    suppressions: list[SuppressionEntry] = field(default_factory=list)
    consented_purposes: frozenset[str] = frozenset()
    """Purposes with a granted, in-force consent in the ledger (beyond channel opt-ins)."""


@dataclass(slots=True)
class _Verdict:
    strip: list[str] = field(default_factory=list)
    strip_rules: list[str] = field(default_factory=list)
    bases: dict[str, str] = field(default_factory=dict)
    consent_purposes: list[str] = field(default_factory=list)

    def strip_fields(self, rule: str, names: list[str]) -> None:
        new = [n for n in names if n not in self.strip]
        if new:
            self.strip.extend(new)
            self.strip_rules.append(rule)


def purposes_of(context: ConsentContext) -> tuple[str, ...]:
    """The pipeline's declared purposes, else the destination's classification."""
    return context.purposes or ((context.classification,) if context.classification else ("storage",))


def _basis_declared(record: dict[str, Any]) -> str | None:
    raw = str(record.get("consent.legal_basis") or "").strip().lower().replace(" ", "_").replace("-", "_")
    return None if raw in _UNSTATED else _ALIASES.get(raw, raw)


Check = Callable[[Person, ConsentContext, ConsentPolicy, dt.date, _Verdict], ConsentDecision | None]


def _suppression_list(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
                      verdict: _Verdict) -> ConsentDecision | None:
    if not person.suppressions:
        return None
    reasons = {entry.reason for entry in person.suppressions}
    if "erasure" in reasons:
        return ERASED
    if "restriction" in reasons:
        return ConsentDecision.suppress("restriction", "processing is restricted on the person's request",
                                        "GDPR Art. 18 / KVKK Art. 11")
    if "opt_out" in reasons:
        if any(_rule(p, policy).contact for p in purposes_of(ctx)):
            return ConsentDecision.suppress("suppression_list", "the person opted out of marketing", "opt_out")
        for channel in CHANNELS:  # elsewhere the destination hears of the opt-out
            if person.record.get(f"consent.{channel}") not in (None, ""):
                person.record[f"consent.{channel}"] = "withdrawn"
    return None


def _restriction(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
                 verdict: _Verdict) -> ConsentDecision | None:
    if person.record.get("consent.processing_restricted") is True:
        return ConsentDecision.suppress("restriction", "processing of this person is restricted",
                                        "GDPR Art. 18 / KVKK Art. 11")
    return None


def _rule(purpose: str, policy: ConsentPolicy) -> PurposeRule:
    return policy.purposes.get(purpose, _UNKNOWN_PURPOSE)


def _has_consent(person: Person, purpose: str, rule: PurposeRule, declared: str | None) -> bool:
    if purpose in person.consented_purposes:
        return True
    if rule.contact:  # channel opt-ins are consents to be contacted, i.e. to marketing
        return any(c.status == "granted" for c in person.channels.values())
    return declared == "consent"  # the source records consent to the processing itself (Zoho, imports)


_ACCEPTED: dict[int, tuple[PurposeRule, frozenset[str]]] = {}


def _accepted(rule: PurposeRule) -> frozenset[str]:
    """The rule's bases as plain strings, computed once per rule object (this runs for every record)."""
    cached = _ACCEPTED.get(id(rule))
    if cached is None or cached[0] is not rule:
        cached = (rule, frozenset(str(b) for b in rule.bases))
        _ACCEPTED[id(rule)] = cached
    return cached[1]


def _choose_basis(person: Person, purpose: str, rule: PurposeRule, declared: str | None) -> str | None:
    accepted = _accepted(rule)
    if declared and declared != "consent" and declared not in _PENDING and declared in accepted:
        return declared
    if declared is None and rule.assumed is not None:
        return str(rule.assumed)
    if "consent" in accepted and _has_consent(person, purpose, rule, declared):
        return "consent"
    return None


def _legal_basis(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
                 verdict: _Verdict) -> ConsentDecision | None:
    declared = _basis_declared(person.record)
    for purpose in purposes_of(ctx):
        rule = _rule(purpose, policy)
        basis = _choose_basis(person, purpose, rule, declared)
        if basis is None:
            return ConsentDecision.suppress("legal_basis", _why_no_basis(person, purpose, declared,
                                                                         set(_accepted(rule))))
        verdict.bases[purpose] = basis
        if basis == "consent":
            verdict.consent_purposes.append(purpose)
    return None


def _why_no_basis(person: Person, purpose: str, declared: str | None, accepted: set[str]) -> str:
    statuses = {c.status for c in person.channels.values() if c.status}
    if declared in _PENDING:
        return f"consent for {purpose} is still pending"
    if statuses and statuses <= RESTRICTIVE:
        return f"consent for {purpose} was denied or withdrawn"
    if declared and declared != "consent" and declared not in accepted:
        return f"legal basis {declared!r} does not cover {purpose} (accepted: {', '.join(sorted(accepted))})"
    return f"no consent and no other legal basis for {purpose}"


def _record_proof(record: dict[str, Any]) -> bool:
    return bool(record.get("consent.captured_at") and (record.get("consent.source")
                                                       or record.get("consent.capture_method"))
                and record.get("consent.notice_version"))


def _provable(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
              verdict: _Verdict) -> ConsentDecision | None:
    if not verdict.consent_purposes or not policy.require_proof:
        return None
    unproven = "consent cannot be proven: capture time, method or collection point, or notice version missing"
    for purpose in verdict.consent_purposes:
        if purpose in person.consented_purposes:
            continue  # the ledger's consent was merged with its proof already
        if not _rule(purpose, policy).contact:
            if not _record_proof(person.record):
                return ConsentDecision.suppress("consent_proof", unproven, "consent")
            continue
        for state in person.channels.values():
            if state.status == "granted" and not state.provable:
                state.status = None  # a consent nobody can prove counts as none (GDPR Art. 7(1))
        if not any(state.status == "granted" for state in person.channels.values()):
            return ConsentDecision.suppress("consent_proof", unproven, "consent")
    return None


def _channel_allowed(person: Person, channel: str, consent_based: bool, policy: ConsentPolicy,
                     jurisdiction: str | None) -> bool:
    state = person.channels.get(channel, ChannelState())
    if state.status in RESTRICTIVE or (consent_based and state.status != "granted"):
        return False
    if channel == "email" and jurisdiction in {j.upper() for j in policy.double_optin} and not state.double_optin:
        return False
    if jurisdiction == "TR" and channel != "post":
        iys = str(person.record.get("consent.iys_status") or "")
        if iys in RESTRICTIVE or (policy.iys_required and iys != "granted"):
            return False
    return True


def _channels(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
              verdict: _Verdict) -> ConsentDecision | None:
    contact = [p for p in purposes_of(ctx) if _rule(p, policy).contact]
    if not contact:
        return None
    consent_based = any(verdict.bases.get(p) == "consent" for p in contact)
    jurisdiction = jurisdiction_of(person.record, policy)
    allowed = {c for c in CHANNELS if _channel_allowed(person, c, consent_based, policy, jurisdiction)}
    reachable = [c for c in allowed if any(person.record.get(f) for f in CONTACT_POINTS[c])]
    if not reachable:
        return ConsentDecision.suppress("channel_optin", "no channel this person may be contacted on",
                                        ",".join(sorted(set(verdict.bases.values()))) or None)
    keep = {f for c in allowed for f in CONTACT_POINTS[c]}
    verdict.strip_fields("channel_optin", sorted({f for c in CHANNELS for f in CONTACT_POINTS[c]
                                                  if f not in keep and person.record.get(f) not in (None, "")}))
    return None


def _matches(name: str, patterns: list[str]) -> bool:
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


def _fields(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
            verdict: _Verdict) -> ConsentDecision | None:
    cls = ctx.classification or ""
    denied, allowed = policy.denied_fields.get(cls), policy.allowed_fields.get(cls)
    if not denied and allowed is None:
        return None
    names = [n for n, v in person.record.items() if v not in (None, "")]
    doomed = [n for n in names if denied and _matches(n, denied)]
    if allowed is not None:
        doomed += [n for n in names if not _matches(n, [*allowed, *_ALWAYS_SENT]) and n not in doomed]
    verdict.strip_fields("field_allowlist", doomed)
    return None


def _children(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
              verdict: _Verdict) -> ConsentDecision | None:
    born = as_date(person.record.get("birth_date"))
    if born is None:
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age >= policy.children_age or person.record.get("consent.guardian_ref"):
        return None
    scoped = set(policy.child_purposes)
    if bool(scoped & {*purposes_of(ctx), ctx.classification or ""}) or ctx.destination in policy.sale_share:
        return ConsentDecision.suppress(
            "children", f"under {policy.children_age} and no parental consent on file", "GDPR Art. 8 / KVKK")
    return None


def _residency(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
               verdict: _Verdict) -> ConsentDecision | None:
    if not policy.transfers:
        return None
    ok, why = transfer_approved(jurisdiction_of(person.record, policy), ctx.region, policy)
    return None if ok else ConsentDecision.suppress("residency", why, "GDPR Ch. V / KVKK Art. 9")


def _retention(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
               verdict: _Verdict) -> ConsentDecision | None:
    until = as_date(person.record.get("consent.retention_until"))
    if until is None and policy.retention_days:
        last = as_datetime(person.record.get("updated_at")) or as_datetime(person.record.get("created_at"))
        until = (last + dt.timedelta(days=policy.retention_days)).date() if last else None
    if until is not None and until < today:
        return ConsentDecision.suppress("retention", f"retention ended on {until.isoformat()}: listed for destruction",
                                        "storage limitation")
    return None


def _sale_opt_out(person: Person, ctx: ConsentContext, policy: ConsentPolicy, today: dt.date,
                  verdict: _Verdict) -> ConsentDecision | None:
    if ctx.destination in policy.sale_share and person.record.get("consent.sale_opt_out") is True:
        return ConsentDecision.suppress("ccpa_opt_out", "the person opted out of sale or sharing (or sent GPC)",
                                        "CCPA §1798.120")
    return None


CHECKS: tuple[tuple[str, Check], ...] = (
    ("suppression_list", _suppression_list), ("restriction", _restriction), ("legal_basis", _legal_basis),
    ("consent_proof", _provable), ("channel_optin", _channels), ("field_allowlist", _fields),
    ("children", _children), ("residency", _residency), ("retention", _retention), ("ccpa_opt_out", _sale_opt_out),
)


def applicable_checks(context: ConsentContext, policy: ConsentPolicy) -> tuple[tuple[str, Check], ...]:
    """The checks that can say anything for this destination under this policy (decided once per batch).

    A check left out would pass every record: residency without transfer rules, CCPA outside sale/share
    destinations, field rules for a class without any, channels and children outside their purposes.
    """
    purposes = purposes_of(context)
    scope = {*purposes, context.classification or ""}
    skip = set()
    if not policy.transfers:
        skip.add("residency")
    if context.destination not in policy.sale_share:
        skip.add("ccpa_opt_out")
    cls = context.classification or ""
    if not policy.denied_fields.get(cls) and cls not in policy.allowed_fields:
        skip.add("field_allowlist")
    if not any(_rule(p, policy).contact for p in purposes):
        skip.add("channel_optin")
    if not set(policy.child_purposes) & scope and context.destination not in policy.sale_share:
        skip.add("children")
    return tuple((name, check) for name, check in CHECKS if name not in skip)


def evaluate(person: Person, context: ConsentContext, policy: ConsentPolicy, today: dt.date,
             checks: tuple[tuple[str, Check], ...] = CHECKS) -> ConsentDecision:
    """Run the checks in order: the first suppression decides; otherwise strips add up, or the record is allowed."""
    verdict = _Verdict()
    for _, check in checks:
        decision = check(person, context, policy, today, verdict)
        if decision is not None:
            return decision
    basis = ",".join(f"{p}:{b}" for p, b in sorted(verdict.bases.items())) or None
    if verdict.strip:
        reason = f"stripped by {', '.join(verdict.strip_rules)}"
        return ConsentDecision(ConsentVerdict.STRIP_FIELDS, ",".join(verdict.strip_rules), reason, basis,
                               tuple(verdict.strip))
    return ConsentDecision.allow("allowed", basis)
