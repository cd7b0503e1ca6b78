"""One leg of a two-way sync, record by record: a three-way merge against the last agreed state.

For each record the leg's source yields, the hook compares three versions field by field, on
comparison forms (:mod:`hub.reconcile.normalise`): the source's values, the target's current values
and the *base* — what both sides last agreed on. A field only the source changed is written; a
field only the target changed is left for the other leg; a field both changed to different values
is a conflict the pipeline's rule decides (``manual`` sends it to the review queue and writes
nothing). Fields both sides hold alike simply become the new base.

Bookkeeping fields (``external_ids.*``) are not synced: the identity map links the two records, and a
system's own table need not have room for the other's ids.

Echoes: crmhub remembers a hash of what it last saw or wrote on each side; a record whose content
equals that hash is crmhub's own write coming back (or nothing new) and is skipped. Lost updates:
just before writing, the target is read again; a record that changed since it was compared is
not written. The rest are written on condition (:attr:`~hub.records.WriteRequest.expected`, when
the target declares ``conditional_write``) that they are still exactly as that re-read found them,
so an edit landing in the instant before the write is refused by the target itself. Either way
the base stays as it was and the record is owed to the target: the next legs see both sides'
edits and the rule decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hub.engine.sync_hooks import SyncHook
from hub.reconcile.addressing import WriteConditions
from hub.reconcile.clearing import FieldClearing
from hub.reconcile.normalise import Normaliser
from hub.reconcile.rules import ConflictPolicy, Side, as_moment
from hub.records import Outcome

__all__ = ["MergeHook", "ReadBack", "SyncNamespaces", "short_hash"]

_WRITTEN = (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.MERGED)


def short_hash(text: str) -> str:
    """12 hex digits: enough to tell a changed value, too short to be worth reversing."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


@dataclass(frozen=True, slots=True)
class ReadBack:
    """A target record read again just before the write: its canonical values and its fingerprint there."""

    values: dict[str, Any]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class SyncNamespaces:
    """Where a pipeline's sync state and review queue live in the key-value table."""

    pipeline: str
    stream: str

    @property
    def state(self) -> str:
        return f"sync:{self.pipeline}:{self.stream}"

    @property
    def review(self) -> str:
        return f"sync-review:{self.pipeline}:{self.stream}"

    @property
    def owed(self) -> str:
        return f"sync-owed:{self.pipeline}:{self.stream}"


class MergeHook(SyncHook):
    """The :class:`SyncHook` of one leg (``source`` → ``target``) of a two-way sync."""

    def __init__(self, *, store: Any, spaces: SyncNamespaces, source: str, target: str, policy: ConflictPolicy,
                 normaliser: Normaliser, delete_rule: str, reread: Any,
                 conditions: WriteConditions | None = None, clearing: FieldClearing | None = None) -> None:
        self.store = store
        self.spaces = spaces
        self.source = source
        self.target = target
        self.policy = policy
        self.normaliser = normaliser
        self.delete_rule = delete_rule
        self.reread = reread
        """``reread(hub_ids) -> {hub_id: ReadBack}``: the target's current records, read again."""
        self.conditions = conditions if conditions is not None else WriteConditions()
        """Shared with the leg's target: the fingerprints writes expect, the writes it refused, fields to empty."""
        self.clearing = clearing
        """Which fields the target can hold empty; ``None``: emptied fields are not propagated."""
        self.emptied: dict[str, dict[str, Any]] = {}
        """Per hub id, the fields the source emptied that this write empties in the target (with their old value)."""
        self.planned: dict[str, dict[str, Any]] = {}
        self.expected: dict[str, dict[str, str]] = {}
        self.conflicts: dict[str, dict[str, Any]] = {}
        self.counts = {"echoes": 0, "conflicts": 0, "for_review": 0, "deferred": 0, "refused": 0,
                       "target_deleted": 0, "cleared": 0, "cannot_clear": 0}
        self._review: dict[str, dict[str, Any]] | None = None
        self._states: dict[str, dict[str, Any]] = {}
        """Sync states of the batch at hand, read at once by :meth:`prepare`; dropped once the batch is written."""

    # Helpers ---------------------------------------------------------------------------------------
    def forms(self, record: dict[str, Any]) -> dict[str, str]:
        return self.normaliser.form_map(record)

    @staticmethod
    def content(forms: dict[str, str]) -> str:
        return short_hash("\x1f".join(f"{k}={v}" for k, v in sorted(forms.items())))

    def prepare(self, hub_ids: Sequence[str]) -> None:
        """Read the sync states of a batch's records in one go (a new batch: the previous one's are let go)."""
        batch = dict.fromkeys(hub_ids)
        wanted = [hub for hub in batch if hub not in self._states]
        if wanted:
            kept = {hub: state for hub, state in self._states.items() if hub in batch}
            found: dict[str, dict[str, Any]] = self.store.sync_states(self.spaces.state, wanted)
            self._states = kept | {hub: found.get(hub, {}) for hub in wanted}

    def _state(self, hub_id: str) -> dict[str, Any]:
        if hub_id not in self._states:  # not announced by a batch's lookup: read on its own
            self._states[hub_id] = self.store.sync_states(self.spaces.state, [hub_id]).get(hub_id, {})
        return self._states[hub_id]

    def _open_review(self) -> dict[str, dict[str, Any]]:
        if self._review is None:
            self._review = {k: v for k, v in self.store.entries(self.spaces.review).items()
                            if v.get("status") in ("open", "decided")}
        return self._review

    # The merge -------------------------------------------------------------------------------------
    def values_to_write(self, staged: Any, values: dict[str, Any], state: dict[str, Any] | None
                        ) -> dict[str, Any] | None:
        hub_id: str = staged.hub_id
        known = self._state(hub_id)
        mine = self.forms(values)
        if state is None:
            if known.get("base") is not None and self.delete_rule != "ignore":
                self.counts["target_deleted"] += 1  # the target deleted it; deletes are not undone
                return None
            self.planned[hub_id] = self._next(known, mine, mine, pending=None)
            return {k: v for k, v in values.items() if not k.startswith("external_ids.")}
        theirs = self.forms(state)
        seen = known.get("seen", {})
        if seen.get(self.source) == self.content(mine) and known.get("pending") != self.target:
            self.counts["echoes"] += 1
            return None
        base: dict[str, str] | None = known.get("base")
        out: dict[str, Any] = {}
        agreed = dict(base or {})
        owed_back = False
        emptied: dict[str, Any] = {}
        cannot_clear: list[str] = []
        mine_at = as_moment(staged.record.updated_at or values.get("updated_at"))
        theirs_at = as_moment(state.get("updated_at"))
        for name in self.normaliser.fields:
            a, b = mine.get(name), theirs.get(name)
            old = (base or {}).get(name)
            ha = short_hash(a) if a is not None else None
            hb = short_hash(b) if b is not None else None
            if ha == hb:
                _set(agreed, name, ha)
                continue
            a_changed, b_changed = base is None or old != ha, base is None or old != hb
            if base is None and (a is None or b is None):
                take = b is None  # first sync: blanks are filled from the other side, never a conflict
            elif a_changed and not b_changed:
                take = True
            elif b_changed and not a_changed:
                take = False
            else:
                take, decided = self._decide(hub_id, name, values, state, a, b, mine_at, theirs_at)
                if not decided:
                    continue  # waits for a person; neither side is written, the base stays
            if take and a is not None:
                out[name] = values[name]
                _set(agreed, name, ha)
            elif take and self.clearing is not None and self.clearing.can_clear(name):
                emptied[name] = state.get(name)  # the source emptied it and its value stands: empty it there
                _set(agreed, name, None)
            elif take:
                cannot_clear.append(name)  # the target cannot hold it empty: reported, the base stays
            else:
                owed_back = True
        pending = self.source if owed_back else None
        after = {k: v for k, v in {**theirs, **{k: v for k, v in mine.items() if k in out}}.items()
                 if k not in emptied}
        if emptied:
            self.emptied[hub_id] = emptied
        if cannot_clear:
            self.counts["cannot_clear"] += len(cannot_clear)
            staged.detail["cannot_clear"] = cannot_clear
        self.planned[hub_id] = self._next(known, mine, after, pending=pending, base=agreed)
        self.expected[hub_id] = theirs
        return out

    def _decide(self, hub_id: str, name: str, values: dict[str, Any], state: dict[str, Any], a: str | None,
                b: str | None, mine_at: dt.datetime | None, theirs_at: dt.datetime | None) -> tuple[bool, bool]:
        """``(take the source's value, decided)`` for a field both sides changed."""
        self.counts["conflicts"] += 1
        key = f"{hub_id}:{name}"
        item = self._open_review().get(key)
        if item is not None and item.get("status") == "decided":
            if item.get("keep") == self.source:  # written now: settled (else the other leg writes it)
                self.conflicts[key] = {**item, "status": "resolved"}
            return item.get("keep") == self.source, True
        winner = self.policy.winner(name, [Side(self.source, values.get(name), a, mine_at),
                                           Side(self.target, state.get(name), b, theirs_at)])
        if winner is None:
            if item is None:
                self.counts["for_review"] += 1
                self.conflicts[key] = {"hub_id": hub_id, "field": name, "status": "open",
                                       "values": {self.source: _plain(values.get(name)),
                                                  self.target: _plain(state.get(name))},
                                       "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            return False, False
        return winner == self.source, True

    def _next(self, known: dict[str, Any], mine: dict[str, str], after: dict[str, str], *, pending: str | None,
              base: dict[str, str] | None = None) -> dict[str, Any]:
        seen = dict(known.get("seen", {}))
        seen[self.source] = self.content(mine)
        seen[self.target] = self.content(after)
        if base is None:
            base = {k: short_hash(v) for k, v in mine.items()}
        return {"base": base, "seen": seen, "pending": pending}

    # Around the write ------------------------------------------------------------------------------
    def before_write(self, live: Sequence[Any], patches: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Re-read the target: a record edited since it was compared is not written now (it is owed); the
        others are written on condition that they are still as this re-read found them."""
        emptied = {s.hub_id: self.emptied.pop(s.hub_id) for s in live if s.hub_id in self.emptied}
        if emptied and self.clearing is not None:
            self.clearing.apply(live, patches, emptied, self.conditions)
        checked = [hub for hub in patches if hub in self.expected]
        if not checked:
            return patches
        now = self.reread(checked)
        moved = {hub for hub in checked if hub not in now or self.forms(now[hub].values) != self.expected[hub]}
        for hub in moved:
            patches.pop(hub, None)
        self.counts["deferred"] += len(moved)
        self._defer(moved, live, "the target changed while this record was synced; the next cycle decides")
        self.conditions.expected.update({hub: now[hub].fingerprint for hub in checked if hub not in moved})
        return patches

    def _defer(self, hubs: set[str], live: Sequence[Any], why: str) -> None:
        """Leave these records unwritten: the base stays, the target is owed them, the next cycle decides."""
        for hub in hubs:
            self.conditions.clears.pop(hub, None)
            before = self._state(hub)
            self.planned[hub] = {**before, "pending": self.target} if before else {"pending": self.target}
        for s in live:
            if s.hub_id in hubs:
                s.outcome = Outcome.UNCHANGED
                s.diff = {}
                s.detail["deferred"] = why

    def after_write(self, live: Sequence[Any]) -> None:
        """Remember the new agreed state of every record the target confirmed; refused ones wait for the rule."""
        refused = self.conditions.refused & {s.hub_id for s in live}
        self.conditions.refused -= refused
        self.counts["refused"] += len(refused)
        self._defer(refused, live, "the target changed just before the write and refused it; the next cycle decides")
        for s in live:
            self._states.pop(s.hub_id, None)
            self.conditions.expected.pop(s.hub_id, None)
            cleared = self.conditions.clears.pop(s.hub_id, ())
            if s.outcome in (Outcome.UPDATED, Outcome.MERGED):
                self.counts["cleared"] += len(cleared)
        done = {s.hub_id for s in live if s.outcome in _WRITTEN and s.hub_id in self.planned}
        states = {hub: self.planned.pop(hub) for hub in done}
        if states:
            self.store.save_sync_states(self.spaces.state, states)
            self.store.save_sync_states(self.spaces.owed, {
                hub: {"to": state["pending"]} if state.get("pending") else None for hub, state in states.items()})
        if self.conflicts:
            self.store.save_sync_states(self.spaces.review, self.conflicts)
            if self._review is not None:
                self._review.update(self.conflicts)
            self.conflicts = {}


def _set(agreed: dict[str, Any], name: str, value: str | None) -> None:
    if value is None:
        agreed.pop(name, None)
    else:
        agreed[name] = value


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)

