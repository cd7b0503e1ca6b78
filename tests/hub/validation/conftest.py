"""Generators of valid Turkish identifiers, computed by the published algorithms."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest


def make_tckn(rng: random.Random) -> str:
    """A TCKN with correct check digits: first digit 1-9, digits 10 and 11 by the checksum rules."""
    d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    d.append((7 * (d[0] + d[2] + d[4] + d[6] + d[8]) - (d[1] + d[3] + d[5] + d[7])) % 10)
    d.append(sum(d) % 10)
    return "".join(map(str, d))


def make_vkn(rng: random.Random) -> str:
    """A VKN with the GİB check digit."""
    d = [rng.randint(0, 9) for _ in range(9)]
    total = 0
    for i, digit in enumerate(d):
        step = (digit + 9 - i) % 10
        weighted = (step * 2 ** (9 - i)) % 9
        if step != 0 and weighted == 0:
            weighted = 9
        total += weighted
    d.append((10 - total % 10) % 10)
    return "".join(map(str, d))


@pytest.fixture
def tckn() -> Callable[[random.Random], str]:
    """Makes valid TCKNs: ``tckn(rng)``."""
    return make_tckn


@pytest.fixture
def vkn() -> Callable[[random.Random], str]:
    """Makes valid VKNs: ``vkn(rng)``."""
    return make_vkn
