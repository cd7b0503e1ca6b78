"""What reconciliation and two-way sync keep in the state store, behind one small facade.

:class:`ReconcileStore` wraps a :class:`~hub.state.StateStore` (it uses the same engine and
transactions) so the core facade's pinned API stays as it is. It reads a connection's identity
links in bulk (streamed, never held in a list) and forgets links to records that no longer exist.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import delete, select

from hub.state.database import read_tx, write_tx
from hub.state.schema import identity

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
