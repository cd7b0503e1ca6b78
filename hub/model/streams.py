"""The canonical streams: :class:`Contact` and :class:`Company`, and the catalogue of streams."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from hub.model.common import Address, CanonicalModel, Consent, Money, NationalId, TaxId
from hub.model.fields import FieldSpec, iter_flat_fields


class Contact(CanonicalModel):
    """A person: customer, lead or contact, in the hub's own vocabulary."""

    id: str | None = Field(None, max_length=64, description="hub id, stable across systems")
    external_ids: dict[str, str] = Field(default_factory=dict, description="connection → id in that system")
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32, description="E.164")
    mobile: str | None = Field(None, max_length=32, description="E.164")
    company: str | None = Field(None, max_length=255)
    job_title: str | None = Field(None, max_length=128)
    address: Address = Field(default_factory=Address)
    birth_date: dt.date | None = None
    national_id: NationalId = Field(default_factory=NationalId)
    language: str | None = Field(None, max_length=8, description="BCP 47, e.g. tr or en-GB")
    lifecycle_stage: str | None = Field(None, max_length=32)
    owner: str | None = Field(None, max_length=100)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    consent: Consent = Field(default_factory=Consent)
    custom: dict[str, Any] = Field(default_factory=dict)


class Company(CanonicalModel):
    """An organisation: account, customer company or partner."""

    id: str | None = Field(None, max_length=64, description="hub id, stable across systems")
    external_ids: dict[str, str] = Field(default_factory=dict, description="connection → id in that system")
    name: str | None = Field(None, max_length=255)
    domain: str | None = Field(None, max_length=253)
    tax_id: TaxId = Field(default_factory=TaxId)
    industry: str | None = Field(None, max_length=100)
    address: Address = Field(default_factory=Address)
    phone: str | None = Field(None, max_length=32, description="E.164")
    annual_revenue: Money = Field(default_factory=Money)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


STREAM_MODELS: dict[str, type[BaseModel]] = {"contacts": Contact, "companies": Company}


def stream_fields(stream: str) -> dict[str, FieldSpec]:
    """The flat canonical fields of ``stream``, by dotted name."""
    try:
        model = STREAM_MODELS[stream]
    except KeyError:
        known = ", ".join(sorted(STREAM_MODELS))
        raise KeyError(f"unknown canonical stream {stream!r} (known: {known})") from None
    return {spec.name: spec for spec in iter_flat_fields(model)}


def is_canonical_field(stream: str, name: str) -> bool:
    """True for a dotted canonical name of ``stream``, including ``custom.*`` and ``external_ids.*``."""
    fields = stream_fields(stream)
    if name in fields:
        return True
    head, _, tail = name.partition(".")
    return bool(tail) and head in fields and fields[head].type == "map"
