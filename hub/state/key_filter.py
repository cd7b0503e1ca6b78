"""``KeyFilter``: which pseudonymous keys *may* be filed in an index, so lookups of the others are skipped.

A first migration files every contact's blocking keys (about nine each) in the candidate index and
looks up each new contact's keys there. Most of those keys belong to nobody else, and a database
lookup that finds nothing costs as much as one that finds something. A Bloom filter answers
"certainly not filed" for almost all of them in memory, in about 1.4 bytes per filed key (a set of
the keys' 64-bit fingerprints would take 16). It may answer "perhaps" for a key that is not filed
(about one time in 200 when full), which costs only the lookup that would have been made anyway.

It stands in for an index only while it has seen every key the index holds: the engine arms one
only for a stream whose index is empty when the run begins, and adds each key as the run files it.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["KeyFilter"]

_BITS = 1 << 25
"""Bits of one slab (4 MiB): about 11 bits for each of ``PER_SLAB`` keys."""
_MASK = _BITS - 1
PER_SLAB = 3_000_000
"""Keys a slab takes before the next one starts, which keeps the false "perhaps" rate near 0.5%."""


class KeyFilter:
    """A growing Bloom filter over keys that are hex digests (HMAC pseudonyms): no hashing of its own."""

    __slots__ = ("_count", "_slabs")

    def __init__(self) -> None:
        self._slabs: list[bytearray] = [bytearray(_BITS // 8)]
        self._count = 0

    def __len__(self) -> int:
        """How many keys were added (a key added twice counts twice)."""
        return self._count

    def add(self, key: str) -> None:
        """Remember ``key`` (a hex string of at least 32 digits, as pseudonyms are)."""
        if self._count and self._count % PER_SLAB == 0:
            self._slabs.append(bytearray(_BITS // 8))
        self._count += 1
        slab = self._slabs[-1]
        for position in _positions(key):
            slab[position >> 3] |= 1 << (position & 7)

    def add_all(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add(key)

    def may_hold(self, key: str) -> bool:
        """``False`` only for a key that was certainly never added."""
        positions = _positions(key)
        for slab in self._slabs:
            for p in positions:
                if not slab[p >> 3] & (1 << (p & 7)):
                    break
            else:
                return True
        return False


def _positions(key: str) -> tuple[int, int, int, int, int, int]:
    """The six bits ``key`` sets: double hashing on the two halves of the digest, which is random already."""
    value = int(key[:32], 16)
    a, b = value & _MASK, ((value >> 64) & _MASK) | 1
    return a, (a + b) & _MASK, (a + 2 * b) & _MASK, (a + 3 * b) & _MASK, (a + 4 * b) & _MASK, (a + 5 * b) & _MASK
