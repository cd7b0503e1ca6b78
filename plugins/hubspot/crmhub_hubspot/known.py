"""What this connection last saw in HubSpot for each hub id, so unchanged writes cost no request.

HubSpot's API does not say whether a write changed anything. Looking every record up before writing would
double the requests, and requests are what HubSpot rations (190 per 10 s at best). So the connection remembers,
for a few minutes, the property values it last wrote or looked up per key: a write whose every value equals what
is remembered is answered ``unchanged`` without a request. The engine looks records up before it writes, so
within a run the memory is fresh; entries older than ``ttl_s`` are ignored, which bounds how stale a decision
can be if someone edits the record in HubSpot meanwhile.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Entry:
    values: dict[str, str]
    target_id: str | None
    seen_at: float


class KnownValues:
    """A bounded, expiring memory of ``(stream, key) → property values``."""

    def __init__(self, ttl_s: float = 300.0, capacity: int = 200_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.capacity = capacity
        self._clock = clock
        self._entries: collections.OrderedDict[tuple[str, str], _Entry] = collections.OrderedDict()

    def remember(self, stream: str, key: str, values: dict[str, str], target_id: str | None,
                 *, replace: bool = False) -> None:
        """Record ``values`` as HubSpot's current ones (merged into what is known unless ``replace``)."""
        entry = self._entries.pop((stream, key), None)
        merged = dict(values) if replace or entry is None else {**entry.values, **values}
        self._entries[(stream, key)] = _Entry(merged, target_id or (entry.target_id if entry else None),
                                              self._clock())
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def get(self, stream: str, key: str) -> dict[str, str] | None:
        """The values known for ``(stream, key)`` while fresh."""
        entry = self._entries.get((stream, key))
        if entry is None or self._clock() - entry.seen_at > self.ttl_s:
            return None
        return entry.values

    def forget(self, stream: str, key: str) -> None:
        self._entries.pop((stream, key), None)

    def unchanged(self, stream: str, key: str, values: dict[str, str]) -> _Entry | None:
        """The entry when writing ``values`` would change nothing HubSpot holds (as far as is known)."""
        entry = self._entries.get((stream, key))
        if entry is None or self._clock() - entry.seen_at > self.ttl_s:
            return None
        if all(entry.values.get(name, "") == value for name, value in values.items()):
            return entry
        return None
