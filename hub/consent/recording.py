"""Consent stated by a person outside any synced system: ``crmhub consent record`` and ``consent import``.

A statement names its subject by e-mail, phone, national id or hub id. When crmhub knows the
person, the record is filed under each of their hub ids; otherwise under the keyed hash of the
identifier, where the screening finds it as soon as a run meets the person. Every field is checked
here, so that the ledger only holds values it can reason about; datetimes without an offset are UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from hub.consent.identifiers import Identifier
from hub.consent.policy import LegalBasis, Regime
from hub.errors import FatalError
from hub.state.audit import AuditEvent
from hub.state.consent_ledger import ConsentEntry
from hub.state.privacy import PrivacyStore

__all__ = ["FIELDS", "ConsentInputError", "entries_for", "parse_statement", "record_statement"]

CHANNELS = frozenset({"email", "sms", "phone", "post", "any"})
STATUSES = frozenset({"granted", "denied", "withdrawn", "pending", "expired"})
ACTORS = frozenset({"self", "agent", "guardian"})
_DATES = ("captured_at", "effective_from", "effective_to", "double_optin_at", "withdrawn_at", "retention_until")
_TEXTS = ("article", "assessment_ref", "jurisdiction", "capture_method", "source_system", "collection_point",
          "notice_id", "notice_version", "notice_language", "notice_hash", "evidence_ref", "iys_status")
FIELDS = ("channel", "purpose", "status", "legal_basis", "regime", "actor", *_DATES, *_TEXTS)
"""The keys a statement may carry (command options, CSV headers, JSONL keys), besides the subject."""


class ConsentInputError(FatalError):
    """A consent statement with a missing or invalid value (names the field, never the person)."""


def _moment(name: str, value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ConsentInputError(f"{name}: not an ISO date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _choice(name: str, value: Any, allowed: frozenset[str] | set[str], default: str | None = None) -> str | None:
    text = str(value).strip().lower() if value not in (None, "") else default
    if text is not None and text not in allowed:
        raise ConsentInputError(f"{name}: {text!r} is not one of {', '.join(sorted(allowed))}")
    return text


def parse_statement(raw: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the fields of one statement (unknown keys are refused)."""
    unknown = sorted(set(raw) - set(FIELDS) - {"subject", "subject_type", "notice_text"})
    if unknown:
        raise ConsentInputError(f"unknown field(s): {', '.join(unknown)} (known: subject, subject_type, "
                                f"notice_text, {', '.join(FIELDS)})")
    fields: dict[str, Any] = {
        "channel": _choice("channel", raw.get("channel"), CHANNELS, "any"),
        "purpose": str(raw.get("purpose") or "marketing").strip().lower(),
        "status": _choice("status", raw.get("status"), STATUSES),
        "legal_basis": _choice("legal_basis", raw.get("legal_basis"), {str(b) for b in LegalBasis}, "consent"),
        "actor": _choice("actor", raw.get("actor"), ACTORS, "self"),
    }
    if fields["status"] is None:
        raise ConsentInputError("status: required (granted, denied, withdrawn, pending or expired)")
    regime = raw.get("regime")
    if regime not in (None, ""):
        try:
            fields["regime"] = Regime(str(regime).strip().upper()).value
        except ValueError:
            raise ConsentInputError(f"regime: {regime!r} is not one of {', '.join(r.value for r in Regime)}") from None
    for name in _DATES:
        fields[name] = _moment(name, raw.get(name))
    for name in _TEXTS:
        value = raw.get(name)
        fields[name] = None if value in (None, "") else str(value).strip()
    if raw.get("notice_text"):  # the exact wording shown, kept as its hash: proof without storing the text
        fields["notice_hash"] = hashlib.sha256(str(raw["notice_text"]).encode("utf-8")).hexdigest()
    if fields["status"] == "withdrawn" and fields["withdrawn_at"] is None:
        fields["withdrawn_at"] = fields["captured_at"]
    if fields["jurisdiction"]:
        fields["jurisdiction"] = fields["jurisdiction"].upper()
    return fields


def entries_for(privacy: PrivacyStore, given: Identifier, hub_ids: list[str], fields: dict[str, Any],
                run_id: str | None = None) -> list[ConsentEntry]:
    """One ledger entry per hub id of the person (or one under the identifier's pseudonym), chained."""
    pseudonym = given.hmac(privacy.keys)
    identifiers = () if given.kind == "hub_id" else (pseudonym,)
    subjects = [(h, "hub") for h in hub_ids] or [(pseudonym, given.kind)]
    history = privacy.consent_history([s for s, _ in subjects], fields["channel"])
    entries = []
    for subject_id, kind in subjects:
        previous = [e for e in history if e.subject_id == subject_id and e.purpose == fields["purpose"]]
        entries.append(ConsentEntry(subject_id=subject_id, subject_kind=kind, identifier_hmacs=identifiers,
                                    supersedes_id=previous[-1].consent_id if previous else None, run_id=run_id,
                                    **fields))
    return entries


def record_statement(hub: Any, given: Identifier, fields: dict[str, Any]) -> list[ConsentEntry]:
    """Append a statement about the person ``given`` names, and audit it."""
    from hub.gdpr.subjects import resolve_subject

    privacy = PrivacyStore(hub.store)
    subject = resolve_subject(privacy, given)
    entries = entries_for(privacy, given, subject.hub_ids, fields)
    privacy.record_consents(entries)
    hub.store.audit_many([AuditEvent("consent.recorded", e.subject_id, {
        "consent_id": e.consent_id, "supersedes_id": e.supersedes_id, "channel": e.channel, "purpose": e.purpose,
        "status": e.status, "basis": e.legal_basis, "source": e.source_system}) for e in entries])
    return entries
