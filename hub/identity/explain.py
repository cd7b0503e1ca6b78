"""The records of a review item side by side, read from where they live now.

The state store keeps no values, so ``crmhub review show`` fetches them: a record a run held back
comes from its (encrypted) quarantine payload; a hub record from its system's ``lookup``. Values
are shown to the person deciding and nowhere else: nothing here is logged.
"""

from __future__ import annotations

from typing import Any

from hub.connectors.api import Capability
from hub.engine.mappings import stream_mapping
from hub.state.resolution import Member, ReviewItem

__all__ = ["side_by_side"]


def side_by_side(hub: Any, item: ReviewItem) -> list[dict[str, Any]]:
    """Canonical values of each member of ``item`` (an empty dict where they cannot be fetched)."""
    return [_values(hub, item, member) for member in item.members]


def _values(hub: Any, item: ReviewItem, member: Member) -> dict[str, Any]:
    if member.connection not in hub.config.connections:
        return {}
    mapping = stream_mapping(hub.engine.connection(member.connection), item.stream, hub.config,
                             hub.host.transforms)
    held = _held_payload(hub, item, member)
    if held is not None:
        canonical, _ = mapping.to_canonical(held)
        return _plain(canonical)
    connector = hub.engine.build(member.connection)
    if Capability.LOOKUP not in connector.capabilities:
        return {}
    with connector:
        found = connector.lookup(mapping.object, [member.hub_id])
    if member.hub_id not in found:
        return {}
    canonical, _ = mapping.to_canonical(found[member.hub_id])
    return _plain(canonical)


def _held_payload(hub: Any, item: ReviewItem, member: Member) -> dict[str, Any] | None:
    if item.kind != "sync":
        return None
    for entry in hub.store.list_quarantine(status="open", limit=100_000):
        if entry.source_id == member.record_id and entry.stream == item.stream and any(
                reason.get("code") == "identity_review" for reason in entry.reasons):
            payload = hub.store.get_quarantine(entry.id).payload
            return dict(payload) if payload else None
    return None


def _plain(canonical: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in canonical.items() if v not in (None, "") and k != "id"}
