"""Built-in consent rules, registered through the ``hub_screen_batch`` hook like any plugin's.

Every check runs in the main process on whole batches, after identities are resolved, because
most of them need the state store (suppression list, consent ledger) and the hub id of the person
(the subject of the ledger and the audit log). The checks themselves are in
:mod:`hub.consent.checks`; the store-backed part and the audit trail in :mod:`hub.consent.screening`.
Block the whole set with ``CRMHUB_BLOCK_PLUGINS=hub.consent.builtin`` (benchmarks only).
"""

from __future__ import annotations

from typing import Any

from hub.consent.decision import ConsentContext, ConsentDecision
from hub.hookspecs import hookimpl


@hookimpl
def hub_screen_batch(
    records: list[dict[str, Any]], hub_ids: list[str], stream: str, context: ConsentContext, store: Any,
    identifiers: list[list[tuple[str, str]]] | None,
) -> dict[int, ConsentDecision] | None:
    """Screen a batch of contacts; companies are not people and pass."""
    if stream != "contacts" or not records:
        return None
    from hub.consent.screening import screen_contacts

    return screen_contacts(records, hub_ids, context, store, identifiers)
