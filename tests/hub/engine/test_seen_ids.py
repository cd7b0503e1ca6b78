"""The run's memory of source ids: exact for every id it holds, however many, in bounded space."""

from __future__ import annotations

from hub.engine.seen import SeenIds


def test_every_id_is_new_once_and_seen_after_through_many_doublings() -> None:
    seen = SeenIds(capacity=16)
    ids = [f"C{n:07d}" for n in range(50_000)] + ["", "ğüşiöç", "İstanbul", "1" * 1000]
    assert all(seen.add(i) for i in ids)
    assert len(seen) == len(ids)
    assert not any(seen.add(i) for i in ids)
    assert len(seen) == len(ids)
    assert seen.add("C9999999")


def test_space_is_sixteen_bytes_or_so_per_id() -> None:
    seen = SeenIds()
    for n in range(100_000):
        seen.add(str(n))
    assert len(seen._slots) * seen._slots.itemsize <= 32 * 100_000
