"""The review queue's decisions and ``unmerge``: what accepting, rejecting and undoing do to the identity map.

* **accept** a *sync* item (a record held back during a run because it only possibly matched a
  known hub record): the record is linked as merged into that hub record; ``crmhub quarantine
  retry`` then loads it, and it contributes by the survivorship rules instead of becoming a new
  record.
* **accept** a *records* item (found by ``crmhub dedup``): the records are linked under one hub id
  (the one a member already has, else one minted from the first member). Records already linked to
  two different hub ids are refused: that is two records in a target, to be merged there first.
* **reject**: the pair is vetoed — never merged automatically again, by syncs or by ``dedup``.
  A held record then loads as a new record on ``quarantine retry``.
* **unmerge** undoes an automatic or accepted merge: members get back the link they had (or lose
  the link the merge gave them) and the pair is vetoed. The target record keeps the blanks the
  merged record filled; the next run of the source creates the split-off record afresh.
"""

from __future__ import annotations

from hub.engine.identity import mint_hub_id
from hub.errors import FatalError
from hub.state import StateStore
from hub.state.resolution import MERGED_SUFFIX, IdentityStore, Member, MergeRecord, ReviewItem

__all__ = ["accept", "reject", "unmerge", "unmerge_record"]


def _own_id(stream: str, member: Member) -> str:
    return mint_hub_id(member.connection, stream, member.record_id)


def _current_links(store: StateStore, stream: str, members: list[Member]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for connection in sorted({m.connection for m in members}):
        ids = [m.record_id for m in members if m.connection == connection]
        for suffix in ("", MERGED_SUFFIX):
            for record_id, hub_id in store.resolve(connection, stream + suffix, ids).items():
                found.setdefault((connection, record_id), hub_id)
    return found


def plain_links(store: StateStore, stream: str, members: list[Member]) -> dict[tuple[str, str], str]:
    """Members that are hub records themselves (plainly linked), with their hub ids."""
    found: dict[tuple[str, str], str] = {}
    for connection in sorted({m.connection for m in members}):
        ids = [m.record_id for m in members if m.connection == connection]
        for record_id, hub_id in store.resolve(connection, stream, ids).items():
            found[(connection, record_id)] = hub_id
    return found


def link_cluster(store: StateStore, ledger: IdentityStore, stream: str, members: list[Member], *,
                 score: float | None, rule: str | None, decided_by: str, review_id: int | None = None,
                 run_id: str | None = None) -> int:
    """Link ``members`` (first = survivor) under one hub id and record the merge; return the merge id."""
    plain = plain_links(store, stream, members)
    hubs = sorted(set(plain.values()))
    if len(hubs) > 1:
        raise FatalError(f"these records are already {len(hubs)} separate hub records ({', '.join(hubs)}): "
                         "merge them in the target system first, then link them")
    linked = _current_links(store, stream, members)
    if hubs:
        hub_id = hubs[0]
        primary = next(m for m in members if (m.connection, m.record_id) in plain)
    else:
        primary = members[0]
        hub_id = _own_id(stream, primary)
    merged = [
        Member(m.connection, m.record_id, hub_id, previous_hub_id=linked.get((m.connection, m.record_id)),
               primary=m == primary)
        for m in members
    ]
    return ledger.merge(MergeRecord(stream, hub_id, merged, score, rule, decided_by, review_id, run_id))


def accept(store: StateStore, ledger: IdentityStore, item_id: int, note: str = "") -> int:
    """Accept a review item: link its records as one; return the merge id."""
    item = _open_item(ledger, item_id)
    if item.kind == "sync":
        record, known = item.members[0], item.members[1]
        merge = MergeRecord(item.stream, known.hub_id,
                            [Member(record.connection, record.record_id, known.hub_id,
                                    previous_hub_id=None)],
                            item.score, item.reason, "review", item.id, item.run_id)
        merge_id = ledger.merge(merge)
    else:
        merge_id = link_cluster(store, ledger, item.stream, item.members, score=item.score, rule=item.reason,
                                decided_by="review", review_id=item.id)
    ledger.decide_review(item.id, "accepted", note)
    store.audit("identity.review.accepted", item.members[-1].hub_id,
                {"review_id": item.id, "merge_id": merge_id, "score": item.score, "stream": item.stream})
    return merge_id


def reject(store: StateStore, ledger: IdentityStore, item_id: int, note: str = "") -> ReviewItem:
    """Reject a review item: its records are different people, and stay apart from now on."""
    item = _open_item(ledger, item_id)
    hub_ids = [m.hub_id for m in item.members]
    ledger.veto(item.stream, [(a, b) for i, a in enumerate(hub_ids) for b in hub_ids[i + 1:]])
    ledger.decide_review(item.id, "rejected", note)
    store.audit("identity.review.rejected", item.members[-1].hub_id,
                {"review_id": item.id, "score": item.score, "stream": item.stream})
    return item


def unmerge(store: StateStore, ledger: IdentityStore, merge_id: int) -> MergeRecord:
    """Undo a merge: restore the identity map as it was and keep the records apart from now on."""
    record = ledger.get_merge(merge_id)
    vetoes = [(record.hub_id, m.previous_hub_id or _own_id(record.stream, m))
              for m in record.members if not m.primary]
    undone = ledger.unmerge(merge_id, vetoes)
    if undone.review_id:
        ledger.decide_review(undone.review_id, "rejected", f"unmerged (merge {merge_id})")
    store.audit("identity.unmerged", undone.hub_id, {"merge_id": merge_id, "stream": undone.stream,
                                                     "members": len(undone.members)})
    return undone


def unmerge_record(store: StateStore, ledger: IdentityStore, stream: str, connection: str, record_id: str
                   ) -> MergeRecord:
    """Undo the newest merge that moved this record."""
    found = ledger.merges_of_record(stream, connection, record_id)
    if not found:
        raise FatalError(f"no merge of {connection}:{record_id} in {stream} to undo")
    assert found[0].id is not None
    return unmerge(store, ledger, found[0].id)


def _open_item(ledger: IdentityStore, item_id: int) -> ReviewItem:
    item = ledger.get_review(item_id)
    if item.status != "open":
        raise FatalError(f"review item {item_id} is already {item.status}")
    return item
