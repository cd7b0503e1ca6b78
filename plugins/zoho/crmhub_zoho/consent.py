"""Zoho's GDPR consent block ↔ the canonical consent fields.

In a module with GDPR compliance on, each record carries ``Data_Processing_Basis_Details`` (the
lawful basis, ``Data_Processing_Basis``, and per-channel flags ``Contact_Through_Email``/``_Phone``/
``_Survey``/``_Social``, ``Consent_Through``, ``Consent_Date``…) and the read-only flag
``$stop_processing``. Zoho refuses the block without a basis (``MANDATORY_NOT_FOUND``).

The connector exposes the block as one system field, ``Data_Processing_Basis_Details`` (a dict that
also holds ``$stop_processing``), and ``mappings/zoho.yaml`` splits it into canonical fields with
the transform pair registered here:

* ``zoho_consent`` (read): the block → ``[legal_basis, email, phone, processing_restricted, source]``.
* ``zoho_consent_block`` (write): those canonical values → the block. A stated ``legal_basis`` is
  written as its Zoho basis; without one the basis is *derived from the consent given*, never
  invented: any channel granted → ``Consent - Obtained``, else any denied or withdrawn →
  ``Consent - Denied``, else ``Consent - Pending``. A restriction writes ``Stop Processing``.

The engine writes only the fields that changed, so a block can arrive partial (one channel, no
basis). :func:`complete_block` — called by the connector with what Zoho holds now — merges it
over the current block and derives the basis again from the merged channels, unless Zoho holds a
basis that is no consent stage (``Contract``…), which a derived one never replaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub.mapping import TransformError

CONSENT_FIELD = "Data_Processing_Basis_Details"
STOP_KEY = "$stop_processing"
DERIVED_KEY = "$basis_derived"
BASIS = "Data_Processing_Basis"
CHANNEL_FLAGS = ("Contact_Through_Email", "Contact_Through_Phone", "Contact_Through_Survey",
                 "Contact_Through_Social")
OBTAINED, DENIED, PENDING = "Consent - Obtained", "Consent - Denied", "Consent - Pending"
AWAITING, NOT_RESPONDED = "Consent - Awaiting", "Consent - Not Responded"
STOP_PROCESSING = "Stop Processing"
# Zoho's picklist of the basis (English org labels; another org language shows other labels (?)).
PROCESSING_BASES = ("Not Applicable", "Legitimate Interests", "Contract", "Legal Obligation", "Vital Interests",
                    "Public Interests", PENDING, AWAITING, OBTAINED, NOT_RESPONDED, DENIED, STOP_PROCESSING)
# Canonical legal basis → Zoho basis. ``consent`` has no fixed label: its stage comes from the channels.
STATED_BASES = {
    "legitimate_interest": "Legitimate Interests", "contract": "Contract", "legal_obligation": "Legal Obligation",
    "vital_interest": "Vital Interests", "public_task": "Public Interests", "not_applicable": "Not Applicable",
    "consent_pending": PENDING, "consent_awaiting": AWAITING, "consent_not_responded": NOT_RESPONDED,
}
READ_BASES = {**{label: basis for basis, label in STATED_BASES.items()}, OBTAINED: "consent"}
# Bases that say *why* data is processed rather than where a consent stands: never re-derived.
FIXED_BASES = frozenset({"Legitimate Interests", "Contract", "Legal Obligation", "Vital Interests",
                         "Public Interests"})
# Spellings of the canonical bases the consent checks accept as the same basis.
_ALIASES = {"legitimate_interests": "legitimate_interest", "legal_obligations": "legal_obligation",
            "vital_interests": "vital_interest", "public_interest": "public_task", "public_interests": "public_task",
            "obtained": "consent", "contractual": "contract", "pending": "consent_pending",
            "awaiting": "consent_awaiting"}
_FLAG_OF = {"granted": True, "denied": False, "withdrawn": False}
_CHANNELS = (("email", "Contact_Through_Email"), ("phone", "Contact_Through_Phone"))


def derive_basis(flags: Sequence[bool | None]) -> str:
    """The consent stage from the channel flags: any granted → Obtained, any refused → Denied, else Pending."""
    if any(flag is True for flag in flags):
        return OBTAINED
    if any(flag is False for flag in flags):
        return DENIED
    return PENDING


def read_block(block: Any) -> list[Any]:
    """``zoho_consent``: the block → ``[legal_basis, email, phone, processing_restricted, source]``.

    A channel flag Zoho holds as ``null`` inside a block reads ``unknown`` (the block exists, the
    answer does not); ``Consent - Denied`` and ``Stop Processing`` state no legal basis.
    """
    if not isinstance(block, Mapping):
        return [None] * 5
    stop = block.get(STOP_KEY)
    present = any(key != STOP_KEY for key in block)
    channels = [_status(block.get(flag)) if present else None for _, flag in _CHANNELS]
    basis = READ_BASES.get(str(block.get(BASIS))) if block.get(BASIS) else None
    return [basis, *channels, stop if isinstance(stop, bool) else None, block.get("Consent_Through") or None]


def _status(flag: Any) -> str:
    return "granted" if flag is True else "denied" if flag is False else "unknown"


def write_block(parts: Sequence[Any]) -> dict[str, Any] | None:
    """``zoho_consent_block``: ``[legal_basis, email, phone, processing_restricted, source]`` → the block.

    Only the values given are set; a channel that is neither granted nor refused (pending, expired,
    unknown) is written as ``null``, so no earlier ``true`` outlives it. Without a stated basis the
    derived one is marked (``$basis_derived``) so :func:`complete_block` may derive it again.
    """
    legal_basis, email, phone, restricted, source = (list(parts) + [None] * 5)[:5]
    block: dict[str, Any] = {}
    for status, (_, flag) in zip((email, phone), _CHANNELS, strict=True):
        if status not in (None, ""):
            block[flag] = _FLAG_OF.get(str(status))
    if source not in (None, ""):
        block["Consent_Through"] = str(source)
    if isinstance(restricted, bool):
        block[STOP_KEY] = restricted
    basis = _canonical_basis(legal_basis)
    if restricted is True:
        block[BASIS] = STOP_PROCESSING
    elif basis in STATED_BASES:
        block[BASIS] = STATED_BASES[basis]
    elif basis == "consent" and not any(flag in block for flag in CHANNEL_FLAGS):
        block[BASIS] = OBTAINED  # consent is stated as the basis and no channel says otherwise
    elif basis not in (None, "consent"):
        raise TransformError("picklist_unmapped", "the legal basis has no Zoho Data Processing Basis")
    elif any(flag in block for flag in CHANNEL_FLAGS):
        block[BASIS] = derive_basis([block.get(flag) for flag in CHANNEL_FLAGS])
        block[DERIVED_KEY] = True
    return block or None


def _canonical_basis(value: Any) -> str | None:
    if value in (None, ""):
        return None
    raw = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(raw, raw) if raw not in ("", "unknown", "none") else None


def complete_block(given: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The whole block to send: ``given`` over Zoho's ``current`` block, the basis settled; ``None``: send none.

    ``$stop_processing`` and ``$basis_derived`` never reach Zoho: a restriction is the basis
    ``Stop Processing``; it stands until ``$stop_processing: false`` lifts it (even a stated basis
    does not replace it), and lifting it writes the stated basis or derives it again from the channels.
    """
    given = dict(given)
    derived = bool(given.pop(DERIVED_KEY, False))
    stop = given.pop(STOP_KEY, None)
    now = {k: v for k, v in (current or {}).items() if k not in (STOP_KEY, DERIVED_KEY, "id") and v is not None}
    merged = {**now, **given}
    held = now.get(BASIS)
    if stop is True or (held == STOP_PROCESSING and stop is not False):
        merged[BASIS] = STOP_PROCESSING  # a restriction stands until it is lifted in so many words
    elif BASIS in given and not derived:
        pass  # a stated basis
    elif held in FIXED_BASES:
        merged[BASIS] = held  # a derived stage never replaces a stated reason for processing
    elif any(flag in given for flag in CHANNEL_FLAGS) or held == STOP_PROCESSING or (held is None and given):
        merged[BASIS] = derive_basis([merged.get(flag) for flag in CHANNEL_FLAGS])
    elif held is not None:
        merged[BASIS] = held  # nothing about the channels changed: the stage Zoho holds stands
    return merged if BASIS in merged else None
