"""Writing a Contact's consent fields into ``Individual`` and ``ContactPointTypeConsent`` rows.

One ``write`` of Contacts that carry consent fields (see :mod:`crmhub_salesforce.consent`):

1. the Contacts are upserted as usual, with Contact's own ``HasOptedOutOfEmail`` / ``DoNotCall``
   following an ``OptOut`` / ``OptIn`` of Email / Phone (Salesforce's e-mail sends honour them);
2. consent values equal to what Salesforce shows are dropped (re-runs send nothing);
3. a Contact without an Individual gets one (its name, the flags given), linked by ``IndividualId``;
   an existing Individual gets the flags given;
4. each channel given updates its row for the configured purpose, or creates one (``PartyId``,
   ``ContactPointType``, ``DataUsePurposeId``); capture evidence goes to the rows of the channels
   written, or — when only evidence changed — to the person's existing rows. A fresh ``OptIn``
   clears an ended ``EffectiveTo``.

The connector writes what it is given and nothing else: it never chooses a status or a basis (the
engine's consent rules decide whether a withdrawal may become a grant). sObject Collections, 200
records per call, ``allOrNone: false``: a refused row fails its own Contact's result only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crmhub_salesforce.client import SalesforceApi
from crmhub_salesforce.consent import (
    CHANNELS,
    CONSENT,
    CONTACT_OPT_OUTS,
    EVIDENCE,
    INDIVIDUAL,
    INDIVIDUAL_FLAGS,
    OPT_IN,
    OPT_OUT,
    ConsentReader,
    consent_field,
    individual_field,
    is_consent_field,
)
from crmhub_salesforce.schema import ObjectSchema, ValueProblem, same_value
from crmhub_salesforce.writing import COLLECTION_SIZE, Writer, failed, lookup_rows
from hub.records import WriteOutcome, WriteRequest, WriteResult

CONTACT_COLUMNS = ("Id", "IndividualId", "FirstName", "LastName", *CONTACT_OPT_OUTS.values())


@dataclass(slots=True)
class ConsentChange:
    """The consent fields one request changes, in Salesforce's JSON form, and where they go."""

    index: int
    key: str
    values: dict[str, Any]
    contact_id: str | None = None
    individual_id: str | None = None
    names: dict[str, Any] = field(default_factory=dict)
    problem: WriteResult | None = None

    def flags(self) -> dict[str, Any]:
        return {f: self.values[individual_field(f)] for f in INDIVIDUAL_FLAGS if individual_field(f) in self.values}

    def channels(self) -> dict[str, Any]:
        return {c: self.values[consent_field(c)] for c in CHANNELS if consent_field(c) in self.values}

    def evidence(self) -> dict[str, Any]:
        return {p: self.values[consent_field(p)] for p in EVIDENCE if consent_field(p) in self.values}


def _collections(method: str, body: dict[str, Any], sf: Any) -> Any:
    return sf.restful("composite/sobjects", method=method, json=body)


class ConsentWriter:
    """Writes Contacts and their consent rows (see the module docstring)."""

    def __init__(self, api: SalesforceApi, contact: ObjectSchema, reader: ConsentReader,
                 purpose: Callable[[], tuple[str, str]]) -> None:
        self.api = api
        self.contact = contact
        self.reader = reader
        self.purpose = purpose
        """Answers ``(Id, Name)`` of the configured DataUsePurpose, creating it when the org has none."""

    def write(self, batch: Sequence[WriteRequest], known: dict[str, dict[str, Any]] | None,
              contacts: Writer) -> list[WriteResult]:
        """Upsert ``batch`` and its consent; one result per request."""
        plain, changes = self._split(batch)
        keys = [c.key for c in changes]
        before = known if known is not None and all(k.lower() in known for k in keys) else self.current(keys)
        results = contacts.write(plain, before)
        todo = []
        for change in changes:
            result = results[change.index]
            row = before.get(change.key.lower())
            if change.problem is not None or result.outcome is WriteOutcome.FAILED:
                results[change.index] = change.problem or result
                continue
            change.values = {n: v for n, v in change.values.items()
                             if row is None or not same_value(self.contact.fields[n.lower()], v, row.get(n))}
            change.contact_id = result.target_id or (row or {}).get("Id")
            change.individual_id = (row or {}).get("IndividualId")
            change.names = {n: batch[change.index].fields.get(n) or (row or {}).get(n) for n in ("FirstName",
                                                                                                 "LastName")}
            if change.values:
                todo.append(change)
        if todo:
            self._individuals(todo)
            self._consent_rows([c for c in todo if c.problem is None])
        for change in todo:
            result = results[change.index]
            if change.problem is not None:
                results[change.index] = change.problem
            elif result.outcome is WriteOutcome.UNCHANGED:
                results[change.index] = WriteResult(key=result.key, outcome=WriteOutcome.UPDATED,
                                                    target_id=result.target_id)
        return results

    def current(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Contact rows (with their consent fields) by lower-cased key."""
        if not keys:
            return {}
        rows = lookup_rows(self.api, self.contact, keys, CONTACT_COLUMNS)
        self.reader.enrich(list(rows.values()))
        return rows

    # Steps -----------------------------------------------------------------------------------------
    def _split(self, batch: Sequence[WriteRequest]) -> tuple[list[WriteRequest], list[ConsentChange]]:
        plain: list[WriteRequest] = []
        changes: list[ConsentChange] = []
        for index, request in enumerate(batch):
            given = {n: v for n, v in request.fields.items() if is_consent_field(n)}
            fields = {n: v for n, v in request.fields.items() if not is_consent_field(n)}
            if given:
                change = ConsentChange(index, request.key, {})
                try:
                    for name, value in given.items():
                        spec = self.contact.fields[name.lower()]
                        change.values[spec.name] = spec.to_wire(value)
                except ValueProblem as problem:
                    change.problem = failed(request.key, problem.code, str(problem))
                for channel, flag in CONTACT_OPT_OUTS.items():
                    status = change.values.get(consent_field(channel))
                    if status in (OPT_IN, OPT_OUT):
                        fields.setdefault(flag, status == OPT_OUT)
                changes.append(change)
            plain.append(WriteRequest(key=request.key, fields=fields, target_id=request.target_id))
        return plain, changes

    def _individuals(self, changes: list[ConsentChange]) -> None:
        """Create the missing Individuals (and link them), update the flags of existing ones."""
        new = [c for c in changes if not c.individual_id]
        for change in new:
            if not change.names.get("LastName"):
                change.problem = failed(change.key, "REQUIRED_FIELD_MISSING",
                                        "Required fields are missing: [LastName] (for the Individual)")
        new = [c for c in new if c.problem is None]
        created = self._send("POST", INDIVIDUAL, [
            ({**{k: v for k, v in c.names.items() if v}, **c.flags()}, c) for c in new])
        for change, answer in created:
            change.individual_id = answer
        linked = [c for c in new if c.problem is None]
        self._send("PATCH", self.contact.name, [({"id": c.contact_id, "IndividualId": c.individual_id}, c)
                                                 for c in linked])
        fresh = {c.index for c in new}
        self._send("PATCH", INDIVIDUAL, [({"id": c.individual_id, **c.flags()}, c)
                                         for c in changes if c.index not in fresh and c.flags() and c.problem is None])

    def _consent_rows(self, changes: list[ConsentChange]) -> None:
        wanted = [c for c in changes if c.channels() or c.evidence()]
        if not wanted:
            return
        purpose_id, purpose_name = self.purpose()
        held = self.reader.consent_rows(sorted({str(c.individual_id) for c in wanted}))
        creates: list[tuple[dict[str, Any], ConsentChange]] = []
        updates: list[tuple[dict[str, Any], ConsentChange]] = []
        for change in wanted:
            rows = held.get(str(change.individual_id), [])
            newest = {r["ContactPointType"]: r for r in sorted(rows, key=lambda r: str(r.get("SystemModstamp")))}
            evidence = change.evidence()
            targets = change.channels() or {channel: None for channel in newest}
            for channel, status in targets.items():
                values = dict(evidence)
                if status is not None:
                    values["PrivacyConsentStatus"] = status
                row = newest.get(channel)
                if row is None:
                    values.update({"Name": f"{channel} – {purpose_name}", "PartyId": change.individual_id,
                                   "ContactPointType": channel, "DataUsePurposeId": purpose_id})
                    if evidence.get("CaptureDate"):
                        values["EffectiveFrom"] = evidence["CaptureDate"]
                    creates.append((values, change))
                else:
                    if status == OPT_IN and row.get("EffectiveTo"):
                        values["EffectiveTo"] = None  # a fresh opt-in starts a new effective period
                    updates.append(({"id": row["Id"], **values}, change))
        self._send("POST", CONSENT, creates)
        self._send("PATCH", CONSENT, updates)

    def _send(self, method: str, obj: str, items: list[tuple[dict[str, Any], ConsentChange]]
              ) -> list[tuple[ConsentChange, str]]:
        """Create (POST) or update (PATCH) rows in collections of 200; failures mark their change."""
        done: list[tuple[ConsentChange, str]] = []
        for start in range(0, len(items), COLLECTION_SIZE):
            chunk = items[start:start + COLLECTION_SIZE]
            body = {"allOrNone": False, "records": [{"attributes": {"type": obj}, **values} for values, _ in chunk]}
            answer = self.api.call(f"{'create' if method == 'POST' else 'update'} of {len(chunk)} {obj}",
                                   functools.partial(_collections, method, body))
            for (_, change), result in zip(chunk, answer or [], strict=False):
                if result.get("success"):
                    done.append((change, str(result.get("id"))))
                elif change.problem is None:
                    error = (result.get("errors") or [{}])[0]
                    change.problem = failed(change.key, str(error.get("statusCode") or "UNKNOWN"),
                                            f"{obj}: {error.get('message', '')}", target_id=change.contact_id)
        return done
