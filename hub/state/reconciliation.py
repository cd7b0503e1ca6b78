"""What reconciliation and two-way sync keep in the state store, behind one small facade.

:class:`ReconcileStore` wraps a :class:`~hub.state.StateStore` (it uses the same engine and
transactions) so the core facade's pinned API stays as it is. It reads a connection's identity
links in bulk (streamed, never held in a list) and forgets links to records that no longer exist.

Two-way sync keeps, per hub record of a pipeline's stream, the last agreed state (a short hash of
each field's comparison form), the hash of what crmhub last saw or wrote on each side (echo
suppression) and which side still owes the other a change; and a review queue of conflicts a person
decides (``conflict: manual``). Both live in the encrypted key-value table (``hub_kv``) under
namespaces of their own — ``sync:<pipeline>:<stream>`` and ``sync-review:<pipeline>:<stream>`` — so
they need no schema of their own, and the values a conflict shows stay encrypted at rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select

from hub.state import kv as kv_values
from hub.state.database import read_tx, write_tx
from hub.state.schema import identity, kv

__all__ = ["ReconcileStore"]

_CHUNK = 500


class ReconcileStore:
    """Reconciliation's view of the state store."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._engine = store.engine

    def identity_links(self, connection: str, stream: str) -> Iterator[tuple[str, str]]:
        """``(record_id, hub_id)`` of every link of ``connection`` in ``stream``, fetched in pages."""
        query = (
            select(identity.c.record_id, identity.c.hub_id)
            .where(identity.c.connection == connection, identity.c.stream == stream)
            .execution_options(yield_per=10_000)
        )
        with read_tx(self._engine) as conn:
            for record_id, hub_id in conn.execute(query):
                yield str(record_id), str(hub_id)

    def forget_identity_links(self, connection: str, stream: str, record_ids: Sequence[str]) -> int:
        """Delete the links of these records of ``connection``; return how many went."""
        gone = 0
        unique = list(dict.fromkeys(record_ids))
        with write_tx(self._engine) as conn:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start:start + _CHUNK]
                result = conn.execute(delete(identity).where(
                    identity.c.connection == connection, identity.c.stream == stream,
                    identity.c.record_id.in_(chunk)))
                gone += result.rowcount or 0
        return gone

    # Two-way sync state -----------------------------------------------------------------------------
    def sync_states(self, namespace: str, hub_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{hub_id: state}`` for the hub records that have a sync state."""
        with read_tx(self._engine) as conn:
            texts = kv_values.get_values(conn, self.store.keys, namespace, hub_ids)
        return {hub_id: json.loads(text) for hub_id, text in texts.items()}

    def save_sync_states(self, namespace: str, states: Mapping[str, Mapping[str, Any] | None]) -> None:
        """Store (or, for ``None``, forget) the states of these hub records, in one transaction."""
        with write_tx(self._engine) as conn:
            kv_values.delete_values(conn, namespace, [hub_id for hub_id, state in states.items() if state is None])
            kv_values.set_values(conn, self.store.keys, namespace, {
                hub_id: json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
                for hub_id, state in states.items() if state is not None})

    def entries(self, namespace: str) -> dict[str, dict[str, Any]]:
        """Every entry of a namespace (the review queue is small: conflicts waiting for a person)."""
        with read_tx(self._engine) as conn:
            keys = list(conn.execute(select(kv.c.key).where(kv.c.namespace == namespace).order_by(kv.c.key)).scalars())
            found = {}
            for key in keys:
                text = kv_values.get_value(conn, self.store.keys, namespace, key)
                if text is not None:
                    found[key] = json.loads(text)
        return found
