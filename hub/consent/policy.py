"""The ``consent:`` section of ``crmhub.yaml``: how the data-protection checks are tuned.

Every key has a default, so a configuration without the section gets the rules as the law reads
by default: children under 16, consent that must be provable, İYS for Turkish recipients of
commercial messages, special categories, national ids and IBANs never to marketing systems.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field


class LegalBasis(enum.StrEnum):
    """GDPR Art. 6(1) / KVKK Art. 5 grounds for processing."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTEREST = "legitimate_interest"


class Regime(enum.StrEnum):
    """The data-protection laws crmhub knows deadlines and articles for."""

    GDPR = "GDPR"
    KVKK = "KVKK"
    CCPA = "CCPA"


class PurposeRule(BaseModel):
    """Which legal bases make a purpose lawful, and which one a record without a declared basis gets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bases: list[LegalBasis]
    assumed: LegalBasis | None = Field(None, description="basis of records that declare none; none: they need one")
    contact: bool = Field(False, description="the purpose contacts people: channel opt-ins and unsubscribes apply")


_ALL = list(LegalBasis)
_BASES = LegalBasis


def _default_purposes() -> dict[str, PurposeRule]:
    return {
        "marketing": PurposeRule(bases=[_BASES.CONSENT, _BASES.LEGITIMATE_INTEREST], contact=True),
        "profiling": PurposeRule(bases=[_BASES.CONSENT]),
        "analytics": PurposeRule(bases=[_BASES.CONSENT, _BASES.LEGITIMATE_INTEREST],
                                 assumed=_BASES.LEGITIMATE_INTEREST),
        "sales": PurposeRule(bases=[_BASES.CONTRACT, _BASES.LEGITIMATE_INTEREST, _BASES.CONSENT,
                                    _BASES.LEGAL_OBLIGATION], assumed=_BASES.LEGITIMATE_INTEREST),
        "support": PurposeRule(bases=[_BASES.CONTRACT, _BASES.LEGITIMATE_INTEREST, _BASES.CONSENT,
                                      _BASES.LEGAL_OBLIGATION, _BASES.VITAL_INTEREST], assumed=_BASES.CONTRACT),
        "accounting": PurposeRule(bases=[_BASES.CONTRACT, _BASES.LEGAL_OBLIGATION], assumed=_BASES.LEGAL_OBLIGATION),
        "storage": PurposeRule(bases=_ALL, assumed=_BASES.LEGITIMATE_INTEREST),
    }


# GDPR Art. 9 and KVKK Art. 6 special categories, national ids (TCKN/VKN), bank and credit details.
_NEVER_TO_MARKETING = [
    "national_id.*", "tax_id.*", "custom.*iban*", "custom.*credit_limit*", "custom.*kredi*", "custom.*health*",
    "custom.*saglik*", "custom.*sağlık*", "custom.*religio*", "custom.*din*", "custom.*ethnic*", "custom.*irk*",
    "custom.*political*", "custom.*siyasi*", "custom.*union*", "custom.*sendika*", "custom.*biometric*",
    "custom.*genetic*", "custom.*sex*", "custom.*criminal*", "custom.*ceza*", "custom.*blood*", "custom.*kan_grubu*",
    "custom.*disab*", "custom.*engel*",
]


def _default_denied_fields() -> dict[str, list[str]]:
    return {"marketing": list(_NEVER_TO_MARKETING), "analytics": list(_NEVER_TO_MARKETING)}


class ConsentPolicy(BaseModel):
    """The ``consent:`` section: tuning of the checks every record passes before it is written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    purposes: dict[str, PurposeRule] = Field(
        default_factory=_default_purposes,
        description="purpose → accepted legal bases; a pipeline's purposes, else the target's classification")
    require_proof: bool = Field(True, description="consent without capture time, source and notice counts as none")
    children_age: int = Field(16, ge=13, le=18, description="GDPR Art. 8 / KVKK: younger people need a guardian")
    child_purposes: list[str] = Field(
        default_factory=lambda: ["marketing", "profiling", "analytics"],
        description="purposes (and classifications) that children reach only with a guardian's consent")
    default_jurisdiction: str | None = Field(
        None, description="jurisdiction of people whose record names none (ISO country or EU)")
    transfers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="person's jurisdiction → approved destination regions, e.g. {TR: [TR], EU: [EU, TR]}; "
                    "'*' applies to every jurisdiction not listed; no entry: no residency limit")
    double_optin: list[str] = Field(
        default_factory=list, description="jurisdictions whose e-mail marketing needs double opt-in, e.g. [DE]")
    iys_required: bool = Field(
        True, description="Turkish recipients of commercial messages need an İYS permission on file")
    retention_days: int | None = Field(
        None, ge=1, description="records not updated for this long are not synced and listed for destruction")
    sale_share: list[str] = Field(
        default_factory=list, description="connections whose use is a sale or sharing (CCPA): opt-outs and GPC apply")
    denied_fields: dict[str, list[str]] = Field(
        default_factory=_default_denied_fields,
        description="destination class → field patterns never sent there (stripped)")
    allowed_fields: dict[str, list[str]] = Field(
        default_factory=dict, description="destination class → the only field patterns sent there (optional)")
    regimes: list[Regime] = Field(
        default_factory=lambda: [Regime.GDPR, Regime.KVKK],
        description="laws that apply to requests: the earliest deadline among them is tracked")
    record_ledger: bool = Field(True, description="record consent read from sources in the consent ledger")
