"""The Bloom filter that lets a first migration skip candidate-index lookups of keys nobody holds."""

from __future__ import annotations

import hashlib

import pytest

from hub.state import key_filter
from hub.state.key_filter import KeyFilter


def digests(prefix: str, count: int) -> list[str]:
    return [hashlib.sha256(f"{prefix}{i}".encode()).hexdigest()[:32] for i in range(count)]


def test_every_added_key_may_be_held_and_almost_no_other_key_is() -> None:
    held, others = digests("held", 50_000), digests("other", 50_000)
    present = KeyFilter()
    present.add_all(held)

    assert all(present.may_hold(k) for k in held)
    assert sum(present.may_hold(k) for k in others) < 50  # far below 0.1% while the slab is nearly empty
    assert len(present) == 50_000


def test_a_full_slab_starts_another_and_keys_of_both_are_still_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_filter, "PER_SLAB", 1_000)
    held = digests("held", 2_500)
    present = KeyFilter()
    present.add_all(held)

    assert len(present._slabs) == 3
    assert all(present.may_hold(k) for k in held)
    assert not any(present.may_hold(k) for k in digests("other", 2_000))
