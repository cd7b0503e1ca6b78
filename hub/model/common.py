"""Building blocks shared by the canonical streams."""

from __future__ import annotations

import datetime as dt
import decimal
import enum

from pydantic import BaseModel, ConfigDict, Field


class CanonicalModel(BaseModel):
    """Base of every canonical model: unknown keys are refused, values validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


class Address(CanonicalModel):
    """A postal address; ``country`` is ISO 3166-1 alpha-2."""

    street: str | None = Field(None, max_length=255)
    city: str | None = Field(None, max_length=100)
    postcode: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2")


class NationalIdType(enum.StrEnum):
    """Kinds of national or tax identifier the validators know how to check."""

    TCKN = "TCKN"
    VKN = "VKN"
    OTHER = "OTHER"


class NationalId(CanonicalModel):
    """A person's national identifier: Turkish TCKN (11 digits) or another scheme."""

    type: NationalIdType | None = None
    value: str | None = Field(None, max_length=32)


class TaxId(CanonicalModel):
    """A company's tax identifier: Turkish VKN (10 digits), an EU VAT number, or another scheme."""

    type: NationalIdType | None = None
    value: str | None = Field(None, max_length=32)


class Money(CanonicalModel):
    """An amount with its ISO 4217 currency."""

    amount: decimal.Decimal | None = None
    currency: str | None = Field(None, min_length=3, max_length=3, description="ISO 4217")


class ConsentStatus(enum.StrEnum):
    """Where a person stands on one channel or purpose."""

    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class Consent(CanonicalModel):
    """The consent a source system carries for a person, per channel, and processing flags."""

    email: ConsentStatus | None = None
    sms: ConsentStatus | None = None
    phone: ConsentStatus | None = None
    post: ConsentStatus | None = None
    processing_restricted: bool | None = Field(None, description="GDPR Art. 18 / KVKK restriction")
    legal_basis: str | None = Field(None, max_length=64, description="consent, contract, legal_obligation, …")
    captured_at: dt.datetime | None = None
    source: str | None = Field(None, max_length=100, description="where the consent was captured")
    notice_version: str | None = Field(None, max_length=64)
    capture_method: str | None = Field(None, max_length=64, description="web form, call, paper, import, …")
    double_optin_at: dt.datetime | None = Field(None, description="when the e-mail opt-in was confirmed")
    iys_status: ConsentStatus | None = Field(None, description="İYS permission for Turkish commercial messages")
    jurisdiction: str | None = Field(None, max_length=8, description="whose law protects the person: ISO country or EU")
    sale_opt_out: bool | None = Field(None, description="CCPA opt-out of sale/sharing, a Global Privacy Control too")
    guardian_ref: str | None = Field(None, max_length=100, description="parental consent reference for a child")
    retention_until: dt.date | None = Field(None, description="after this day the record is not synced")
