"""Salesforce's consent data model on Contact: ``Individual`` and ``ContactPointTypeConsent``, read side.

Salesforce keeps a person's privacy preferences on an ``Individual`` (``Contact.IndividualId``):
``HasOptedOutProcessing``, ``HasOptedOutSolicit``, ``HasOptedOutTracking``, ``CanStorePiiElsewhere``…
and their consent per channel type in ``ContactPointTypeConsent`` rows (``PartyId`` → the
Individual, ``ContactPointType`` Email/Phone/MailingAddress/…, ``DataUsePurposeId``,
``PrivacyConsentStatus`` OptIn/OptOut/Seen/NotSeen, capture evidence, effective period).

The connector shows them on the ``Contact`` stream as *consent fields* whose names cannot clash
with Salesforce's (API names have no dots) — ``Individual.HasOptedOutProcessing``,
``ContactPointTypeConsent.Email``, ``ContactPointTypeConsent.CaptureDate`` … — typed like the
Salesforce fields they stand for, so the mapping maps them like any other field. Reading:

* a channel's value is the ``PrivacyConsentStatus`` of its row for the configured purpose (the
  newest capture if there are several); an ``OptIn`` past its ``EffectiveTo`` reads ``Expired``;
* the most restrictive answer wins: Contact's own ``HasOptedOutOfEmail`` / ``DoNotCall`` read as
  ``OptOut`` of Email / Phone, and ``HasOptedOutSolicit`` as ``OptOut`` of every channel that has
  no row of its own;
* the evidence fields are those of the most recently captured row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any

from crmhub_salesforce.client import SalesforceApi
from crmhub_salesforce.schema import ObjectSchema, SfField, parse_datetime
from crmhub_salesforce.soql import in_clauses, quote_string, select

INDIVIDUAL = "Individual"
CONSENT = "ContactPointTypeConsent"
PURPOSE = "DataUsePurpose"
INDIVIDUAL_FLAGS = ("HasOptedOutProcessing", "HasOptedOutSolicit", "HasOptedOutTracking", "CanStorePiiElsewhere")
CHANNELS = ("Email", "Phone", "MailingAddress")
"""The ContactPointType values mapped to canonical channels (e-mail, phone, post)."""
EVIDENCE = ("CaptureDate", "CaptureSource", "CaptureContactPointType", "DoubleConsentCaptureDate")
CONTACT_OPT_OUTS = {"Email": "HasOptedOutOfEmail", "Phone": "DoNotCall"}
OPT_IN, OPT_OUT, EXPIRED = "OptIn", "OptOut", "Expired"
CONSENT_COLUMNS = ("Id", "PartyId", "ContactPointType", "PrivacyConsentStatus", *EVIDENCE, "EffectiveFrom",
                   "EffectiveTo", "SystemModstamp")


def individual_field(flag: str) -> str:
    return f"{INDIVIDUAL}.{flag}"


def consent_field(part: str) -> str:
    return f"{CONSENT}.{part}"


def is_consent_field(name: str) -> bool:
    """Whether ``name`` is one of the consent fields the connector adds to Contact."""
    return name.startswith((INDIVIDUAL + ".", CONSENT + "."))


def consent_fields(individual: ObjectSchema, consent: ObjectSchema) -> dict[str, SfField]:
    """The consent fields of Contact, typed as the Individual / ContactPointTypeConsent fields behind them."""
    fields: dict[str, SfField] = {}

    def add(name: str, source: SfField | None, label: str) -> None:
        if source is not None:
            fields[name] = dataclasses.replace(source, name=name, label=label, nillable=True,
                                               createable=True, updateable=True)

    for flag in INDIVIDUAL_FLAGS:
        add(individual_field(flag), individual.get(flag), f"Individual: {flag}")
    status = consent.get("PrivacyConsentStatus")
    for channel in CHANNELS:
        add(consent_field(channel), status, f"{channel} consent ({CONSENT}.PrivacyConsentStatus)")
    for part in EVIDENCE:
        add(consent_field(part), consent.get(part), f"{CONSENT}.{part} of the latest capture")
    return fields


def _when(value: Any) -> dt.datetime | None:
    try:
        return parse_datetime(str(value)) if value else None
    except ValueError:
        return None


def _newest(rows: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The row captured last (then modified last)."""
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    return max(rows, key=lambda r: (_when(r.get("CaptureDate")) or floor, str(r.get("SystemModstamp") or "")),
               default=None)


def channel_status(row: dict[str, Any], now: dt.datetime) -> str | None:
    """A row's status; an opt-in whose effective period has ended is ``Expired``."""
    status = row.get("PrivacyConsentStatus")
    ends = _when(row.get("EffectiveTo"))
    if status == OPT_IN and ends is not None and ends <= now:
        return EXPIRED
    return str(status) if status else None


def consent_view(contact: dict[str, Any], individual: dict[str, Any] | None,
                 rows: Sequence[dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
    """The consent fields of one Contact row, from its Individual and consent rows (see the module doc)."""
    view: dict[str, Any] = {individual_field(f): (individual or {}).get(f) if individual else None
                            for f in INDIVIDUAL_FLAGS}
    solicit = bool(individual and individual.get("HasOptedOutSolicit"))
    by_type: dict[str, dict[str, Any]] = {}
    for channel in CHANNELS:
        row = _newest(r for r in rows if r.get("ContactPointType") == channel)
        status = channel_status(row, now) if row else None
        if row is not None:
            by_type[channel] = row
        if contact.get(CONTACT_OPT_OUTS.get(channel, "")) is True or (row is None and solicit):
            status = OPT_OUT  # an opt-out anywhere in Salesforce beats an opt-in
        view[consent_field(channel)] = status
    latest = _newest(by_type.values())
    for part in EVIDENCE:
        view[consent_field(part)] = latest.get(part) if latest else None
    return view


class ConsentReader:
    """Adds the consent fields to Contact rows: two queries per page of rows (Individuals, consent rows)."""

    def __init__(self, api: SalesforceApi, schemas: dict[str, ObjectSchema], purpose_id: Any) -> None:
        self.api = api
        self.schemas = schemas
        self.purpose_id = purpose_id
        """A callable answering the configured DataUsePurpose's Id (``None`` when the org has none)."""

    def enrich(self, rows: Sequence[dict[str, Any]]) -> None:
        """Set the consent fields on each row (in place)."""
        parties = sorted({str(r["IndividualId"]) for r in rows if r.get("IndividualId")})
        individuals = self.individuals(parties)
        consents = self.consent_rows(parties)
        now = dt.datetime.now(dt.UTC)
        for row in rows:
            party = str(row.get("IndividualId") or "")
            row.update(consent_view(row, individuals.get(party), consents.get(party, []), now))

    def individuals(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Individuals by Id."""
        schema = self.schemas[INDIVIDUAL]
        found: dict[str, dict[str, Any]] = {}
        for soql in in_clauses(schema, "Id", ids, ["Id", "LastName", *INDIVIDUAL_FLAGS]):
            for row in self._query(f"query of {INDIVIDUAL}", soql):
                found[str(row["Id"])] = row
        return found

    def consent_rows(self, parties: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The configured purpose's consent rows by PartyId."""
        purpose = self.purpose_id() if parties else None
        if not parties or purpose is None:
            return {}
        schema = self.schemas[CONSENT]
        found: dict[str, list[dict[str, Any]]] = {}
        also = f"DataUsePurposeId = {quote_string(purpose)}"
        for soql in in_clauses(schema, "PartyId", parties, CONSENT_COLUMNS, also=also):
            for row in self._query(f"query of {CONSENT}", soql):
                found.setdefault(str(row["PartyId"]), []).append(row)
        return found

    def individual_of(self, schema: ObjectSchema, record_id: str) -> str | None:
        """The ``IndividualId`` of one record (Contact or Lead), if it has one."""
        if schema.get("IndividualId") is None:
            return None
        soql = select(schema, ["Id", "IndividualId"], f"Id = {quote_string(record_id)}")
        rows = self._query(f"query of {schema.name}", soql)
        return str(rows[0]["IndividualId"]) if rows and rows[0].get("IndividualId") else None

    def all_consent_ids(self, party: str) -> list[str]:
        """Ids of every consent row of an Individual, whatever the purpose."""
        soql = select(self.schemas[CONSENT], ["Id"], f"PartyId = {quote_string(party)}")
        return [str(row["Id"]) for row in self._query(f"query of {CONSENT}", soql)]

    def _query(self, what: str, soql: str) -> list[dict[str, Any]]:
        answer = self.api.call(what, functools.partial(_query_all, soql))
        return [{k: v for k, v in row.items() if k != "attributes"} for row in answer.get("records", [])]


def _query_all(soql: str, sf: Any) -> Any:
    return sf.query_all(soql)


class PurposeResolver:
    """The Id of the configured ``DataUsePurpose`` (by Name), looked up once; created on the first write."""

    def __init__(self, api: SalesforceApi, schema: ObjectSchema, name: str) -> None:
        self.api = api
        self.schema = schema
        self.name = name
        self._id: str | None = None

    def find(self) -> str | None:
        """The purpose's Id, or ``None`` while the org has no purpose of that name."""
        if self._id is None:
            soql = select(self.schema, ["Id"], f"Name = {quote_string(self.name)}", order_by=("Id",)) + " LIMIT 1"
            rows = self.api.call(f"query of {PURPOSE}", functools.partial(_query_all, soql)).get("records", [])
            self._id = str(rows[0]["Id"]) if rows else None
        return self._id

    def ensure(self) -> tuple[str, str]:
        """``(Id, Name)`` of the purpose, creating it if the org has none (it names a purpose, no person)."""
        found = self.find()
        if found is None:
            answer = self.api.call(f"create of {PURPOSE}", functools.partial(_create_purpose, self.name))
            found = self._id = str(answer["id"])
        return found, self.name


def _create_purpose(name: str, sf: Any) -> Any:
    return sf.restful(f"sobjects/{PURPOSE}", method="POST", json={"Name": name})
