"""Which source ids a run has seen, in 16 bytes per id (a Python set of them takes about 76).

A source id that appears twice in one run is quarantined as a duplicate, so the engine must
remember every id it admitted: a million of them in a migration of a million records. This keeps a
64-bit fingerprint of each id (the process's string hash: two different ids colliding is about as
likely as in the set of hashes this replaces) in an open-addressed table that doubles when half full.
"""

from __future__ import annotations

from array import array

_START = 1 << 16


class SeenIds:
    """A set of source ids that only answers "seen before?" and remembers the id."""

    __slots__ = ("_count", "_mask", "_slots")

    def __init__(self, capacity: int = _START) -> None:
        size = 1 << max(4, (capacity - 1).bit_length())
        self._slots = array("q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, record_id: str) -> bool:
        """Remember ``record_id``; ``False`` when it was seen before."""
        fingerprint = hash(record_id) or 1  # 0 marks an empty slot
        slots, mask = self._slots, self._mask
        index = fingerprint & mask
        while True:
            held = slots[index]
            if held == 0:
                slots[index] = fingerprint
                self._count += 1
                if self._count * 2 > mask:
                    self._grow()
                return True
            if held == fingerprint:
                return False
            index = (index + 1) & mask

    def _grow(self) -> None:
        old = self._slots
        size = 2 * len(old)
        slots = array("q", bytes(8 * size))
        mask = size - 1
        for fingerprint in old:
            if fingerprint:
                index = fingerprint & mask
                while slots[index]:
                    index = (index + 1) & mask
                slots[index] = fingerprint
        self._slots, self._mask = slots, mask
