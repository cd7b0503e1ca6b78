"""``StateStore``: the one object the engine and the CLI use to remember runs, identities and history.

A facade over the concept modules (:mod:`~hub.state.runs`, :mod:`~hub.state.leases`,
:mod:`~hub.state.checkpoints`, :mod:`~hub.state.identity`, :mod:`~hub.state.quarantine`,
:mod:`~hub.state.audit`, :mod:`~hub.state.kv`); each public method is one transaction. Tables are
described in :mod:`hub.state.schema`.

The lease of a pipeline is the lease whose name is the pipeline's name: :meth:`StateStore.commit_batch`
checks its fencing token against the lease named ``pipeline``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from hub.errors import FatalError, scrub
from hub.state import audit as audit_log
from hub.state import checkpoints, identity, kv, leases, runs
from hub.state import quarantine as quarantine_log
from hub.state.audit import AuditEvent, AuditVerification
from hub.state.database import create_state_engine, read_tx, write_tx
from hub.state.keys import StoreKeys
from hub.state.migrate import upgrade
from hub.state.quarantine import QuarantineEntry, QuarantineItem
from hub.state.runs import RecordOutcome, RunInfo

__all__ = ["StateStore"]


class StateStore:
    """Durable state of crmhub on SQLite (embedded) or PostgreSQL. Open with :meth:`open`."""

    def __init__(self, engine: Engine, keys: StoreKeys, url: str) -> None:
        self._engine = engine
        self._keys = keys
        self._url = scrub(url)

    @classmethod
    def open(cls, url: str, keys: StoreKeys) -> StateStore:
        """Connect to ``url`` (``sqlite:///.crmhub/state.db``, ``postgresql://...``); migrate to the newest schema."""
        engine = create_state_engine(url)
        try:
            upgrade(engine)
        except DBAPIError as exc:
            engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
            raise FatalError(f"cannot open the state store at {scrub(url)}: {reason}") from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, keys, url)

    def close(self) -> None:
        """Release every database connection."""
        self._engine.dispose()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StateStore({self._url!r})"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for maintenance and tests; normal use goes through the methods)."""
        return self._engine

    @property
    def keys(self) -> StoreKeys:
        """The keys that encrypt payloads and make pseudonyms."""
        return self._keys

    # Runs ----------------------------------------------------------------------------------------
    def start_run(
        self, pipeline: str, source: str, target: str, streams: list[str], dry_run: bool, fencing_token: int
    ) -> str:
        """Record a new run (status ``running``) and return its id (32 hex digits)."""
        with write_tx(self._engine) as conn:
            return runs.start(
                conn,
                pipeline=pipeline,
                source=source,
                target=target,
                streams=streams,
                dry_run=dry_run,
                fencing_token=fencing_token,
            )

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        """Close a run as ``succeeded``, ``failed`` or ``stopped`` with its summary."""
        with write_tx(self._engine) as conn:
            runs.finish(conn, run_id, status, summary)

    def list_runs(self, limit: int = 20, pipeline: str | None = None) -> list[RunInfo]:
        """The newest runs first, optionally of one pipeline."""
        with read_tx(self._engine) as conn:
            return runs.list_runs(conn, limit, pipeline)

    def get_run(self, run_id: str) -> RunInfo | None:
        """The run with exactly this id."""
        with read_tx(self._engine) as conn:
            return runs.get(conn, run_id)

    def find_run(self, prefix: str) -> RunInfo | None:
        """The run whose id starts with ``prefix``; raises ``StateLookupError`` when several do."""
        with read_tx(self._engine) as conn:
            return runs.find(conn, prefix)

    # Leases --------------------------------------------------------------------------------------
    def acquire_lease(
        self, name: str, holder: str, ttl_s: float, holder_gone: Callable[[str], bool] | None = None
    ) -> int:
        """Take lease ``name`` for ``ttl_s`` seconds and return its fencing token (``LeaseHeldError`` if held).

        ``holder_gone(holder)`` may declare the current holder dead, which frees the lease at once.
        """
        with write_tx(self._engine) as conn:
            return leases.acquire(conn, name, holder, ttl_s, holder_gone)

    def renew_lease(self, name: str, token: int, ttl_s: float) -> None:
        """Extend the lease for another ``ttl_s`` seconds; ``LeaseHeldError`` if ``token`` is no longer current."""
        with write_tx(self._engine) as conn:
            leases.renew(conn, name, token, ttl_s)

    def release_lease(self, name: str, token: int) -> None:
        """Give up the lease (nothing happens if it was already taken over)."""
        with write_tx(self._engine) as conn:
            leases.release(conn, name, token)

    # Checkpoints ---------------------------------------------------------------------------------
    def get_checkpoint(self, pipeline: str, stream: str) -> dict[str, Any] | None:
        """The last committed cursor of (pipeline, stream), or ``None`` to start from the beginning."""
        with read_tx(self._engine) as conn:
            return checkpoints.get(conn, pipeline, stream)

    def save_checkpoint(self, pipeline: str, stream: str, checkpoint: dict[str, Any], fencing_token: int) -> None:
        """Save a checkpoint outside a batch (phase data); refused like ``commit_batch`` for a stale token."""
        with write_tx(self._engine) as conn:
            leases.check_fence(conn, pipeline, fencing_token)
            checkpoints.save(conn, pipeline, stream, checkpoint, None)

    def clear_checkpoints(self, pipeline: str) -> None:
        """Forget every checkpoint of ``pipeline`` so its next run starts over (``--restart``)."""
        with write_tx(self._engine) as conn:
            checkpoints.clear(conn, pipeline)

    # Identity map --------------------------------------------------------------------------------
    def resolve(self, connection: str, stream: str, record_ids: Sequence[str]) -> dict[str, str]:
        """``{record_id: hub_id}`` for the records of ``connection`` already in the identity map."""
        with read_tx(self._engine) as conn:
            return identity.resolve(conn, connection, stream, record_ids)

    def hub_links(self, hub_ids: Sequence[str], stream: str) -> dict[str, dict[str, str]]:
        """``{hub_id: {connection: record_id}}``: where each hub record lives."""
        with read_tx(self._engine) as conn:
            return identity.hub_links(conn, hub_ids, stream)

    def find_match_keys(self, stream: str, key_hmacs: Sequence[str]) -> dict[str, str]:
        """``{key_hmac: hub_id}`` for match keys already seen in ``stream``."""
        with read_tx(self._engine) as conn:
            return identity.find_match_keys(conn, stream, key_hmacs)

    def stage_identities(
        self, stream: str, links: Sequence[tuple[str, str, str]], match_keys: Sequence[tuple[str, str]]
    ) -> None:
        """Insert-or-ignore links ``(hub_id, connection, record_id)`` and match keys ``(key_hmac, hub_id)``.

        Committed at once: the engine stages before writing to the target, so a crash after the
        write still finds the ids on the next run.
        """
        with write_tx(self._engine) as conn:
            identity.insert_links(conn, stream, links)
            identity.insert_match_keys(conn, stream, match_keys)

    # The batch commit ----------------------------------------------------------------------------
    def commit_batch(
        self,
        run_id: str,
        pipeline: str,
        stream: str,
        outcomes: Sequence[RecordOutcome],
        links: Sequence[tuple[str, str, str]],
        quarantine: Sequence[QuarantineItem],
        checkpoint: dict[str, Any] | None,
        fencing_token: int,
    ) -> None:
        """Record a batch the target confirmed, in ONE transaction: outcomes, target links, quarantine, checkpoint.

        Refused with ``LeaseHeldError`` (and nothing written) when ``fencing_token`` is no longer
        the live token of the pipeline's lease: an overtaken run must not move the checkpoint.
        """
        # Serialise and encrypt first, so the write lock is held only for the inserts.
        outcome_rows = runs.outcome_rows(run_id, stream, outcomes)
        quarantine_rows = quarantine_log.item_rows(self._keys, run_id, pipeline, stream, quarantine)
        with write_tx(self._engine) as conn:
            leases.check_fence(conn, pipeline, fencing_token)
            runs.insert_outcomes(conn, outcome_rows)
            identity.insert_links(conn, stream, links)
            quarantine_log.insert_items(conn, quarantine_rows)
            if checkpoint is not None:
                checkpoints.save(conn, pipeline, stream, checkpoint, run_id)

    def list_outcomes(
        self, run_id: str, outcome: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[RecordOutcome]:
        """Record outcomes of a run in the order they were committed, optionally of one kind."""
        with read_tx(self._engine) as conn:
            return runs.list_outcomes(conn, run_id, outcome, limit, offset)

    def count_outcomes(self, run_id: str) -> dict[str, int]:
        """``{outcome: count}`` of a run."""
        with read_tx(self._engine) as conn:
            return runs.count_outcomes(conn, run_id)

    # Quarantine ----------------------------------------------------------------------------------
    def list_quarantine(
        self, status: str = "open", pipeline: str | None = None, limit: int = 100
    ) -> list[QuarantineEntry]:
        """Quarantined records with a status, oldest first, without their payloads."""
        with read_tx(self._engine) as conn:
            return quarantine_log.list_entries(conn, status, pipeline, limit)

    def get_quarantine(self, entry_id: int) -> QuarantineEntry:
        """One entry with its decrypted payload (``None`` once purged); ``StateLookupError`` if unknown."""
        with read_tx(self._engine) as conn:
            return quarantine_log.get_entry(conn, self._keys, entry_id)

    def set_quarantine_status(self, entry_ids: Sequence[int], status: str, note: str = "") -> None:
        """Mark entries ``open``, ``retried``, ``resolved`` or ``discarded``, with an optional note."""
        with write_tx(self._engine) as conn:
            quarantine_log.set_status(conn, entry_ids, status, note)

    def purge_quarantine_payloads(self, older_than_days: int) -> int:
        """Erase payloads of entries older than ``older_than_days`` (the entries stay); return how many."""
        with write_tx(self._engine) as conn:
            return quarantine_log.purge_payloads(conn, older_than_days)

    # Audit ---------------------------------------------------------------------------------------
    def audit(self, event: str, subject: str | None, details: dict[str, Any], run_id: str | None = None) -> None:
        """Append one event to the hash-chained log. ``subject`` is a pseudonym or hub id, never raw PII."""
        self.audit_many([AuditEvent(event, subject, details, run_id)])

    def audit_many(self, entries: Sequence[AuditEvent]) -> None:
        """Append many events in one transaction (the fast path)."""
        with write_tx(self._engine) as conn:
            audit_log.append(conn, entries)

    def verify_audit(self) -> AuditVerification:
        """Walk the whole chain and report the first missing or altered entry."""
        with read_tx(self._engine) as conn:
            return audit_log.verify(conn)

    # Encrypted key-value -------------------------------------------------------------------------
    def kv_get(self, namespace: str, key: str) -> str | None:
        """The decrypted value, or ``None``."""
        with read_tx(self._engine) as conn:
            return kv.get_value(conn, self._keys, namespace, key)

    def kv_set(self, namespace: str, key: str, value: str) -> None:
        """Store ``value`` encrypted, replacing any previous one."""
        with write_tx(self._engine) as conn:
            kv.set_value(conn, self._keys, namespace, key, value)

    def kv_delete(self, namespace: str, key: str) -> None:
        """Forget a value (nothing happens if there is none)."""
        with write_tx(self._engine) as conn:
            kv.delete_value(conn, namespace, key)
