"""Term-frequency adjustment: agreeing on a rare value says more than agreeing on a common one.

Two records both named "Mehmet Yılmaz" are weaker evidence than two named "Ilgın Karaosmanoğlu",
and two addresses ``mehmet.yilmaz@…`` at different providers are weaker evidence than two
``ilgin.k1987@…``. The model's u for an agreement level is an average over all values; for one
value ``v`` held by a fraction ``f(v)`` of the records it is ``f(v)`` itself, so such a pair's weight
is adjusted by ``log2(u_level / f(v))`` bits (as Splink's term-frequency adjustments do).
Adjustments are rounded to whole bits so that decisions can still be cached per pattern.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hub.identity.profiles import Features, StreamProfile
from hub.identity.scoring import MatchModel

__all__ = ["ValueFrequencies"]

_LIMIT = 10
_MIN_RECORDS = 1000


@dataclass(slots=True)
class _Term:
    index: int
    level: int
    key: Callable[[Features], str | None]
    counts: Counter[str]
    u_level: float = 0.0


class ValueFrequencies:
    """Frequencies of the profile's frequency keys, and the adjustment of an agreement on them."""

    def __init__(self, terms: list[_Term], total: int) -> None:
        self.terms = terms
        self.total = max(total, 1)

    @classmethod
    def count(cls, profile: StreamProfile, features: Sequence[Features]) -> ValueFrequencies | None:
        """Count every frequency key over ``features``; ``None`` when the profile adjusts nothing.

        Below ``_MIN_RECORDS`` records, counts say nothing about how common a name is (every name is
        rare among ten people), so no adjustment is made.
        """
        if not profile.frequency or len(features) < _MIN_RECORDS:
            return None
        names = [c.name for c in profile.comparisons]
        terms = []
        for name, level, key in profile.frequency:
            counts: Counter[str] = Counter()
            for f in features:
                value = key(f)
                if value:
                    counts[value] += 1
            terms.append(_Term(names.index(name), level, key, counts))
        return cls(terms, len(features))

    def calibrate(self, model: MatchModel) -> None:
        """Take the model's average u of each adjusted level (after it was estimated)."""
        for term in self.terms:
            term.u_level = model.u[term.index][term.level]

    def adjustment(self, levels: list[int], a: Features) -> int:
        """Whole bits to add to a pair's weight (0 unless it agrees on a counted value)."""
        bits = 0.0
        for term in self.terms:
            if levels[term.index] != term.level or not term.u_level:
                continue
            value = term.key(a)
            count = term.counts.get(value, 1) if value else 0
            if count:
                bits += math.log2(term.u_level * self.total / count)
        return max(-_LIMIT, min(_LIMIT, round(bits)))
