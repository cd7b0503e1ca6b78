"""Built-in consent rules, registered through the same ``hub_check_consent`` hook as any plugin's.

The rules run on the mapped, validated record and the destination of the run:

- ``restriction``: a person whose processing is restricted (GDPR Art. 18, KVKK Art. 11) reaches no system.
- ``marketing_basis``: a marketing destination, or a pipeline declaring the ``marketing`` purpose, needs a
  granted channel (e-mail, SMS or phone) or a documented legal basis other than consent; withdrawn or denied
  consent on every channel the record carries suppresses it.
- ``field_allowlist``: national ids never reach marketing or analytics systems; the fields are stripped.
"""

from __future__ import annotations

from typing import Any

from hub.consent.decision import ConsentContext, ConsentDecision
from hub.hookspecs import hookimpl

_CHANNELS = ("consent.email", "consent.sms", "consent.phone")
_BLOCKING = frozenset({"denied", "withdrawn", "expired"})
_NON_CONSENT_BASES = frozenset({"contract", "legal_obligation", "legitimate_interest", "vital_interest"})
_SENSITIVE = ("national_id.value", "national_id.type")
_MARKETING_CLASSES = frozenset({"marketing", "analytics"})


def _is_marketing(context: ConsentContext) -> bool:
    return context.classification == "marketing" or "marketing" in context.purposes


@hookimpl
def hub_check_consent(record: dict[str, Any], stream: str, context: ConsentContext) -> ConsentDecision | None:
    """Apply the built-in rules in order; the first that blocks decides."""
    if stream != "contacts":
        return None
    if record.get("consent.processing_restricted") is True:
        return ConsentDecision.suppress("restriction", "processing of this person is restricted")
    if _is_marketing(context):
        statuses = [str(record[name]) for name in _CHANNELS if record.get(name)]
        basis = str(record.get("consent.legal_basis") or "").lower()
        if "granted" not in statuses and basis not in _NON_CONSENT_BASES:
            if statuses and all(status in _BLOCKING for status in statuses):
                return ConsentDecision.suppress("marketing_basis", "consent was denied or withdrawn on every channel")
            return ConsentDecision.suppress("marketing_basis", "no granted channel and no other legal basis")
    if context.classification in _MARKETING_CLASSES and any(record.get(f) for f in _SENSITIVE):
        return ConsentDecision.strip_fields("field_allowlist", _SENSITIVE, "national ids never go to marketing")
    return ConsentDecision.allow("default")
