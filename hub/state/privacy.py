"""``PrivacyStore``: the data-protection side of the state store, one transaction per method.

Consent ledger, suppression list, subject index, subject requests and the person's footprint
(links, recipients, purge after erasure) live in their own modules; this facade opens the
transactions. It wraps a :class:`~hub.state.StateStore` (same database, same keys) and is what the
consent screening and the ``crmhub consent`` / ``crmhub gdpr`` commands use.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, or_, select

from hub.state import audit as audit_log
from hub.state import consent_ledger as ledger
from hub.state import person_data, subject_keys, subject_requests
from hub.state import suppression as suppression_list
from hub.state.audit import AuditEvent
from hub.state.consent_ledger import ConsentEntry, Propagation
from hub.state.database import read_tx, write_tx
from hub.state.person_data import Link, Needles, Recipient
from hub.state.schema import audit, match_keys, run_records, runs, suppression
from hub.state.store import StateStore
from hub.state.subject_requests import RequestSystem, SubjectRequest
from hub.state.suppression import SuppressionEntry

__all__ = ["BatchConsentState", "PrivacyStore"]

_CHUNK = 500
_SNAPSHOT_LIMIT = 200_000
"""Up to this many entries the suppression list is held in memory per store, not queried per batch."""
_SNAPSHOTS: weakref.WeakKeyDictionary[StateStore, tuple[tuple[Any, ...], dict[str, list[SuppressionEntry]]]] = (
    weakref.WeakKeyDictionary())


@dataclass(slots=True)
class BatchConsentState:
    """What the screening of one batch needs from the store, read in one transaction."""

    suppressed: dict[str, list[SuppressionEntry]] = field(default_factory=dict)
    """Entries by identifier HMAC."""
    suppressed_hubs: dict[str, list[SuppressionEntry]] = field(default_factory=dict)
    """Entries by hub id (the list holds their pseudonyms)."""
    history: dict[str, list[ConsentEntry]] = field(default_factory=dict)
    """Ledger records by subject id, oldest first."""


class PrivacyStore:
    """Consent ledger, suppression list, subject requests and erasure over one :class:`StateStore`."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._engine = store.engine
        self.keys = store.keys

    # Runs ----------------------------------------------------------------------------------------
    def batch_state(self, identifier_hmacs: Sequence[str], subject_ids: Iterable[str],
                    hub_ids: Sequence[str] = ()) -> BatchConsentState:
        """Suppression hits among ``identifier_hmacs`` and ``hub_ids``, and the ledger history of ``subject_ids``."""
        state = BatchConsentState()
        with read_tx(self._engine) as conn:
            whole = self._suppression_snapshot(conn)
            # Hub ids are hashed only when some are on the list: that is one HMAC per record saved.
            by_hub = {self.keys.pseudonym("hub_id", h): h for h in hub_ids} if whole is None or any(
                entries[0].id_type == "hub_id" for entries in whole.values()) else {}
            wanted = [*identifier_hmacs, *by_hub]
            if whole is None:
                found = suppression_list.find(conn, wanted)
            else:
                found = {h: whole[h] for h in wanted if h in whole}
            for hmac, entries in found.items():
                if hmac in by_hub:
                    state.suppressed_hubs.setdefault(by_hub[hmac], []).extend(entries)
                else:
                    state.suppressed[hmac] = entries
            for entry in ledger.history(conn, subject_ids):
                state.history.setdefault(entry.subject_id, []).append(entry)
        return state

    def _suppression_snapshot(self, conn: Connection) -> dict[str, list[SuppressionEntry]] | None:
        """The whole list, read again only when it changed (count or newest entry); ``None`` when too large."""
        marker = tuple(conn.execute(select(func.count(), func.max(suppression.c.created_at))).one())
        cached = _SNAPSHOTS.get(self.store)
        if cached is not None and cached[0] == marker:
            return cached[1]
        if int(marker[0]) > _SNAPSHOT_LIMIT:
            return None
        whole: dict[str, list[SuppressionEntry]] = {}
        for entry in suppression_list.list_entries(conn):
            whole.setdefault(entry.identifier_hmac, []).append(entry)
        _SNAPSHOTS[self.store] = (marker, whole)
        return whole

    def record_batch(self, entries: Sequence[ConsentEntry], subject_rows: Sequence[tuple[str, str, str]],
                     events: Sequence[AuditEvent] = (), forget: Sequence[str] = ()) -> None:
        """One transaction per batch: consent read in the run, the identifiers seen, the decisions' audit events.

        ``forget`` names hub ids of erased people the engine staged again this batch: their links go at once.
        """
        if not (entries or subject_rows or events or forget):
            return
        with write_tx(self._engine) as conn:
            ledger.append(conn, entries)
            subject_keys.index(conn, subject_rows)
            if forget:
                person_data.forget_links(conn, forget)
            audit_log.append(conn, events)

    # Consent ledger ------------------------------------------------------------------------------
    def record_consents(self, entries: Sequence[ConsentEntry]) -> None:
        """Append consent records (``consent record``, ``consent import``)."""
        with write_tx(self._engine) as conn:
            ledger.append(conn, entries)

    def consent_history(self, subject_ids: Iterable[str], channel: str | None = None) -> list[ConsentEntry]:
        """Every consent record of these subjects, oldest first."""
        with read_tx(self._engine) as conn:
            return ledger.history(conn, subject_ids, channel)

    def consent_records(self, consent_ids: Iterable[str]) -> list[ConsentEntry]:
        """The consent records with these ids."""
        with read_tx(self._engine) as conn:
            return ledger.by_ids(conn, consent_ids)

    def unpropagated_withdrawals(self) -> list[ConsentEntry]:
        """Withdrawals no recipient has been told about yet."""
        with read_tx(self._engine) as conn:
            return ledger.unpropagated_withdrawals(conn)

    def pending_propagation(self) -> list[Propagation]:
        """Propagations waiting for an unreachable system."""
        with read_tx(self._engine) as conn:
            return ledger.pending_propagation(conn)

    def propagation_of(self, consent_ids: Iterable[str]) -> list[Propagation]:
        """Where these consent records have been pushed."""
        with read_tx(self._engine) as conn:
            return ledger.propagation_of(conn, consent_ids)

    def record_propagation(self, items: Sequence[Propagation]) -> None:
        """Save each recipient's propagation state."""
        with write_tx(self._engine) as conn:
            for item in items:
                ledger.record_propagation(conn, item)

    # Suppression list and subject index ----------------------------------------------------------
    def suppress(self, entries: Sequence[SuppressionEntry]) -> None:
        """Add keyed-hash entries to the suppression list."""
        with write_tx(self._engine) as conn:
            suppression_list.add(conn, entries)

    def suppressed(self, hmacs: Iterable[str]) -> dict[str, list[SuppressionEntry]]:
        """The entries for these identifier HMACs."""
        with read_tx(self._engine) as conn:
            return suppression_list.find(conn, hmacs)

    def lift(self, hmacs: Iterable[str], reason: str) -> int:
        """Remove ``reason`` entries for these identifiers (not those under legal hold)."""
        with write_tx(self._engine) as conn:
            return suppression_list.remove(conn, hmacs, reason)

    def suppression_list(self, reason: str | None = None) -> list[SuppressionEntry]:
        """The whole list, oldest first."""
        with read_tx(self._engine) as conn:
            return suppression_list.list_entries(conn, reason)

    def hub_ids_for(self, subject_hmacs: Iterable[str], match_hmacs: Iterable[str] = ()) -> set[str]:
        """Hub ids known under these subject-index keys or engine match keys (any stream)."""
        found: set[str] = set()
        wanted = list(dict.fromkeys(match_hmacs))
        with read_tx(self._engine) as conn:
            for hub_ids in subject_keys.hub_ids_for(conn, subject_hmacs).values():
                found |= hub_ids
            for start in range(0, len(wanted), _CHUNK):
                query = select(match_keys.c.hub_id).where(match_keys.c.key_hmac.in_(wanted[start:start + _CHUNK]))
                found.update(conn.execute(query).scalars())
        return found

    def subject_keys_of(self, hub_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """``(key_hmac, hub_id, kind)`` of the identifiers indexed for these hub ids."""
        with read_tx(self._engine) as conn:
            return subject_keys.keys_of(conn, hub_ids)

    # The person's footprint ------------------------------------------------------------------------
    def links(self, hub_ids: Iterable[str]) -> list[Link]:
        """Every system record linked to these hub ids."""
        with read_tx(self._engine) as conn:
            return person_data.links_of(conn, hub_ids)

    def recipients(self, hub_ids: Iterable[str]) -> list[Recipient]:
        """Which systems received these people, and when."""
        with read_tx(self._engine) as conn:
            return person_data.recipients(conn, hub_ids)

    def audit_trail(self, subjects: Iterable[str]) -> list[dict[str, Any]]:
        """Audit entries about these subjects (as subject, or named in a batch decision), oldest first."""
        wanted = [s for s in dict.fromkeys(subjects) if s]
        if not wanted:
            return []
        found: dict[int, dict[str, Any]] = {}
        with read_tx(self._engine) as conn:
            for start in range(0, len(wanted), 50):
                chunk = wanted[start:start + 50]
                condition = or_(audit.c.subject.in_(chunk), *(audit.c.details.contains(s) for s in chunk))
                for row in conn.execute(select(audit).where(condition)):
                    found[int(row.id)] = {"id": int(row.id), "at": row.at.isoformat(), "event": row.event,
                                          "subject": row.subject, "run_id": row.run_id,
                                          "details": json.loads(row.details)}
        return [found[k] for k in sorted(found)]

    def retention_due(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Records the latest runs held back as past their retention: the list for periodic destruction."""
        query = (select(run_records.c.hub_id, run_records.c.ref, run_records.c.stream, runs.c.source,
                        runs.c.started_at, run_records.c.detail)
                 .join(runs, runs.c.run_id == run_records.c.run_id)
                 .where(run_records.c.outcome == "suppressed", run_records.c.detail.contains('"rule":"retention"'))
                 .order_by(runs.c.started_at.desc()))
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        with read_tx(self._engine) as conn:
            for hub_id, ref, stream, source, started, detail in conn.execute(query):
                key = (source, hub_id or ref)
                if key not in seen:
                    seen[key] = {"hub_id": hub_id, "source": source, "stream": stream, "ref": ref,
                                 "seen_at": started.isoformat(), "reason": json.loads(detail).get("reason")}
                if len(seen) >= limit:
                    break
        return list(seen.values())

    def erase_person(self, hub_ids: Sequence[str], links: Sequence[Link], needles: Needles,
                     ledger_subjects: Iterable[str]) -> dict[str, int]:
        """Remove the person from the store (links, keys, outcomes, quarantine, cursors, ledger) in one go."""
        with write_tx(self._engine) as conn:
            counts = person_data.purge(conn, self.keys, hub_ids, links, needles)
            counts["subject_keys"] = subject_keys.delete_hubs(conn, hub_ids)
            counts["consent_records"] = ledger.delete_subjects(conn, [*hub_ids, *ledger_subjects])
        return counts

    # Subject requests ----------------------------------------------------------------------------
    def open_request(self, request: SubjectRequest) -> None:
        """Store a new request with its systems."""
        with write_tx(self._engine) as conn:
            subject_requests.create(conn, self.keys, request)

    def find_request(self, prefix: str) -> SubjectRequest:
        """The request whose id starts with ``prefix``."""
        with read_tx(self._engine) as conn:
            return subject_requests.find(conn, self.keys, prefix)

    def requests(self, statuses: Sequence[str] | None = None, subject: str | None = None) -> list[SubjectRequest]:
        """Requests by due date."""
        with read_tx(self._engine) as conn:
            return subject_requests.list_requests(conn, self.keys, statuses, subject)

    def save_request_system(self, request_id: str, system: RequestSystem) -> None:
        """Record a system's progress on a request."""
        with write_tx(self._engine) as conn:
            subject_requests.save_system(conn, self.keys, request_id, system)

    def set_request_status(self, request_id: str, status: str, detail: dict[str, Any] | None = None) -> None:
        """Close or reopen a request."""
        with write_tx(self._engine) as conn:
            subject_requests.set_status(conn, request_id, status, detail)
