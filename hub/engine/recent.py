"""Comparison features of the records a run has just written, so matching need not read them back.

A migration's probable matches are mostly records the same run created a few batches earlier. The
target would give back the same values (the run checks, once, that the target keeps every field the
features are made of), so their features are kept here — at most ``capacity`` of them, the least
recently used dropped first — and only the rest are looked up in the target. A record a later batch
changes is dropped: its features would no longer be the target's.

Each is kept pickled: about 400 bytes with its hub id instead of about 1,900 as a tuple of strings
and token sets, so five times as many records fit in the same memory, and a miss (a lookup in the
target plus extracting the features again, some 100 µs) costs thirty times what unpickling does.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

DEFAULT_CAPACITY = 100_000
"""About 40 MB of features: every record of a 100,000-record run, the latest tenth of a million-record one."""


class RecentFeatures:
    """A bounded least-recently-used map of hub id → comparison features."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._kept)

    def take(self, hub_ids: Iterable[str]) -> dict[str, Any]:
        """The features kept for these hub ids (the others must be looked up)."""
        found = {}
        kept = self._kept
        for hub_id in hub_ids:
            features = kept.get(hub_id)
            if features is None:
                self.misses += 1
                continue
            kept.move_to_end(hub_id)
            found[hub_id] = pickle.loads(features)  # noqa: S301 - bytes this process pickled itself
            self.hits += 1
        return found

    def remember(self, hub_id: str, features: Any) -> None:
        if self.capacity <= 0:
            return
        self._kept[hub_id] = pickle.dumps(features, pickle.HIGHEST_PROTOCOL)
        self._kept.move_to_end(hub_id)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)

    def forget(self, hub_id: str) -> None:
        self._kept.pop(hub_id, None)
