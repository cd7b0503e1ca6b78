"""Contact ↔ company associations, by the company's hub id (its ``key_property`` value).

A contact written with ``company_key`` is associated with that company through the v4 ``associate/default``
batch endpoint once both exist. Company ids are learnt from company writes and reads in the same process, or
looked up by ``batch/read`` on the key property; a company not in HubSpot yet leaves the association pending
until that company is written (run ``companies`` before ``contacts`` to need no pending state at all).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from crmhub_hubspot.client import HubSpotClient

log = logging.getLogger("crmhub.hubspot")
READ_BATCH = 100
ASSOCIATE_BATCH = 2000


class CompanyLinks:
    """Resolves company keys to HubSpot ids and writes contact → company associations."""

    def __init__(self, client: HubSpotClient, key_property: str, prepare: Callable[[], object]) -> None:
        self.client = client
        self.prepare = prepare  # makes sure companies have the key property before it is queried
        self.key_property = key_property
        self.key_to_id: dict[str, str] = {}
        self.id_to_key: dict[str, str] = {}
        self.pending: dict[str, str] = {}  # contact id → company key not yet in HubSpot
        self.linked = 0

    def remember(self, key: str, company_id: str) -> None:
        self.key_to_id[key] = company_id
        self.id_to_key[company_id] = key

    def companies_written(self, written: dict[str, str]) -> None:
        """Companies now exist (key → id): learn them and write the associations that waited for them."""
        for key, company_id in written.items():
            self.remember(key, company_id)
        ready = [(contact, key) for contact, key in self.pending.items() if key in self.key_to_id]
        if ready:
            for contact, _ in ready:
                del self.pending[contact]
            self.link(ready)

    def link(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Associate each ``(contact id, company key)``; unknown companies wait in :attr:`pending`."""
        pairs = list(pairs)
        self._resolve({key for _, key in pairs if key not in self.key_to_id})
        ready = []
        for contact_id, key in pairs:
            company_id = self.key_to_id.get(key)
            if company_id is None:
                self.pending[contact_id] = key
            else:
                ready.append({"from": {"id": contact_id}, "to": {"id": company_id}})
        for start in range(0, len(ready), ASSOCIATE_BATCH):
            chunk = ready[start:start + ASSOCIATE_BATCH]
            self.client.call(self.client.associations_batch, "create_default", "contacts", "companies",
                             {"inputs": chunk})
            self.linked += len(chunk)

    def flush(self) -> int:
        """Try the pending associations once more; returns how many still wait."""
        if self.pending:
            waiting = list(self.pending.items())
            self.pending.clear()
            self.link(waiting)
        if self.pending:
            log.warning("%d contact-company associations wait for companies not in HubSpot", len(self.pending))
        return len(self.pending)

    def keys_of(self, company_ids: Iterable[str]) -> dict[str, str]:
        """HubSpot company id → hub key, for ids seen on contacts (``associatedcompanyid``)."""
        wanted = list(company_ids)
        unknown = sorted({i for i in wanted if i and i not in self.id_to_key})
        _, batch, _ = self.client.objects["companies"]
        for start in range(0, len(unknown), READ_BATCH):
            inputs = [{"id": i} for i in unknown[start:start + READ_BATCH]]
            answer = self.client.call(batch, "read", {"inputs": inputs, "properties": [self.key_property]})
            for result in answer.body.get("results", []):
                key = (result.get("properties") or {}).get(self.key_property)
                if key:
                    self.remember(str(key), str(result["id"]))
        return {i: self.id_to_key[i] for i in wanted if i in self.id_to_key}

    def _resolve(self, keys: set[str]) -> None:
        if not keys:
            return
        self.prepare()
        ordered = sorted(keys)
        _, batch, _ = self.client.objects["companies"]
        for start in range(0, len(ordered), READ_BATCH):
            inputs = [{"id": k} for k in ordered[start:start + READ_BATCH]]
            answer = self.client.call(batch, "read", {"inputs": inputs, "idProperty": self.key_property,
                                                      "properties": [self.key_property]})
            for result in answer.body.get("results", []):
                self._learn(result)

    def _learn(self, result: dict[str, Any]) -> None:
        key = (result.get("properties") or {}).get(self.key_property)
        if key:
            self.remember(str(key), str(result["id"]))
