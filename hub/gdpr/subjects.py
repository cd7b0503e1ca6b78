"""Finding a person from what a request names: an e-mail, a phone, a national id or a hub id.

The state store holds no raw identifier, so the typed value is turned into its keyed hashes and
looked up in the subject index (filled during runs) and in the engine's match keys. The raw values
stay in memory: they are what the erasure searches quarantined payloads and checkpoints for, and
what the suppression list hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hub.consent.identifiers import Identifier, record_identifiers
from hub.engine.identity import match_keys
from hub.state.person_data import Needles
from hub.state.privacy import PrivacyStore

__all__ = ["Subject", "resolve_subject"]

_NON_DIGITS = re.compile(r"\D+")


@dataclass(slots=True)
class Subject:
    """A person a request is about: the identifier given, their hub ids, every identifier known of them."""

    given: Identifier
    pseudonym: str
    """The keyed hash of the identifier given: how requests and audit entries name the person."""
    hub_ids: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    indexed_hmacs: list[tuple[str, str]] = field(default_factory=list)
    """``(hmac, kind)`` of identifiers the subject index holds for the hub ids (their raw values are unknown)."""

    def add_identifiers(self, found: list[Identifier]) -> None:
        """Remember identifiers read from a system (before it erases them)."""
        for ident in found:
            if all((i.kind, i.value.casefold()) != (ident.kind, ident.value.casefold()) for i in self.identifiers):
                self.identifiers.append(ident)

    def add_from_record(self, canonical: dict[str, Any]) -> None:
        """Remember the identifiers of a canonical record found in a system."""
        self.add_identifiers(record_identifiers(canonical))

    def hmacs(self, keys: Any) -> list[tuple[str, str]]:
        """``(hmac, kind)`` of every identifier: given, read from systems, indexed, and the hub ids themselves."""
        found = {(ident.hmac(keys), ident.kind) for ident in self.identifiers}
        found |= set(self.indexed_hmacs)
        found |= {(keys.pseudonym("hub_id", hub_id), "hub_id") for hub_id in self.hub_ids}
        return sorted(found)

    def ledger_subjects(self, keys: Any) -> list[str]:
        """Every subject id the consent ledger may file this person under."""
        return sorted({*self.hub_ids, *(h for h, kind in self.hmacs(keys) if kind != "hub_id")})

    def needles(self) -> Needles:
        """The raw identifiers to search the store for (in memory only)."""
        emails = {i.value.casefold() for i in self.identifiers if i.kind == "email"}
        phones = {_NON_DIGITS.sub("", i.value) for i in self.identifiers if i.kind == "phone"}
        national = {_NON_DIGITS.sub("", i.value) for i in self.identifiers if i.kind == "national_id"}
        return Needles(frozenset(emails), frozenset(p for p in phones if len(p) >= 10), frozenset(national))


def resolve_subject(privacy: PrivacyStore, given: Identifier) -> Subject:
    """The hub ids known under ``given`` (none when the person never passed through crmhub)."""
    keys = privacy.keys
    subject = Subject(given=given, pseudonym=given.hmac(keys))
    if given.kind == "hub_id":
        subject.hub_ids = [given.value]
    else:
        subject.identifiers.append(given)
        field_name = {"email": "email", "national_id": "national_id.value"}.get(given.kind)
        engine_keys = match_keys({field_name: given.value}, "contacts", keys.pseudonym) if field_name else []
        subject.hub_ids = sorted(privacy.hub_ids_for([subject.pseudonym], engine_keys))
    subject.indexed_hmacs = sorted({(h, kind) for h, _, kind in privacy.subject_keys_of(subject.hub_ids)})
    return subject
