"""The Fellegi–Sunter model: m and u probabilities per comparison level, weights, match probability.

For each comparison level, *m* is how often true matches show it and *u* how often random pairs
do; its weight is ``log2(m / u)`` and a pair's match weight is the sum over its comparisons (a
``null`` level adds nothing). With the prior share of matches λ, the match probability is
``1 / (1 + 2^-(weight + log2(λ / (1 - λ))))``.

Parameters come from built-in defaults, then from the configuration, and in batch runs from the
data: u from a seeded random sample of pairs (random pairs are nearly all non-matches) and m and λ
by expectation–maximisation over the candidate pairs' level patterns. EM runs on *pattern counts*,
not on pairs: a million candidate pairs have a few hundred distinct patterns, so estimation costs
milliseconds. u stays fixed during EM, which keeps the two classes from swapping places.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.identity.profiles import Features, StreamProfile
from hub.identity.settings import StreamIdentitySettings

__all__ = ["DEFAULT_PARAMETERS", "MatchModel", "estimate_m", "estimate_u", "model_for"]

_MAX_WEIGHT = 24.0
_FLOOR = 1e-9
_MAX_PRIOR = 0.5

# (m, u) by comparison, by level from ``different`` upward (``null`` has none). Deliberately generic
# rather than fitted to any one data set: batch runs re-estimate u from the data and m by EM.
DEFAULT_PARAMETERS: dict[str, dict[str, tuple[tuple[float, ...], tuple[float, ...]]]] = {
    "contacts": {
        "name": ((0.02, 0.05, 0.08, 0.15, 0.70), (0.929, 0.06, 0.008, 0.002, 0.001)),
        "email": ((0.15, 0.05, 0.05, 0.75), (0.99998, 0.00001, 0.000005, 0.000005)),
        "phone": ((0.10, 0.05, 0.85), (0.99985, 0.0001, 0.00005)),
        "company": ((0.10, 0.15, 0.75), (0.98, 0.01, 0.01)),
        "address": ((0.10, 0.10, 0.15, 0.65), (0.85, 0.14, 0.008, 0.002)),
        "birth_date": ((0.03, 0.07, 0.90), (0.9997, 0.0002, 0.0001)),
        "national_id": ((0.01, 0.99), (0.999999, 0.000001)),
    },
    "companies": {
        "name": ((0.10, 0.25, 0.65), (0.99, 0.008, 0.002)),
        "domain": ((0.10, 0.90), (0.9999, 0.0001)),
        "tax_id": ((0.01, 0.99), (0.999999, 0.000001)),
        "phone": ((0.10, 0.05, 0.85), (0.99985, 0.0001, 0.00005)),
        "address": ((0.10, 0.10, 0.15, 0.65), (0.85, 0.14, 0.008, 0.002)),
    },
}


@dataclass(slots=True)
class MatchModel:
    """m and u per comparison level (index 0, ``null``, unused) and the prior share of matches."""

    names: tuple[str, ...]
    m: list[list[float]]
    u: list[list[float]]
    prior: float = 0.05
    weights: list[list[float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the level weights after m, u or the prior changed."""
        self.weights = [
            [0.0] + [max(-_MAX_WEIGHT, min(_MAX_WEIGHT, math.log2(max(m, _FLOOR) / max(u, _FLOOR))))
                     for m, u in zip(ms[1:], us[1:], strict=True)]
            for ms, us in zip(self.m, self.u, strict=True)
        ]

    def match_weight(self, levels: Sequence[int], adjust: float = 0.0) -> float:
        """Sum of the level weights plus the prior's log-odds (and ``adjust`` bits)."""
        total = math.log2(self.prior / (1 - self.prior)) + adjust
        for weights, level in zip(self.weights, levels, strict=True):
            total += weights[level]
        return total

    def probability(self, levels: Sequence[int], adjust: float = 0.0) -> float:
        """The match probability of a pair with these comparison levels."""
        weight = self.match_weight(levels, adjust)
        return 1.0 / (1.0 + math.pow(2.0, -max(-60.0, min(60.0, weight))))

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready copy (kept in the state store so syncs use what the last batch run estimated)."""
        return {"names": list(self.names), "m": self.m, "u": self.u, "prior": self.prior}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        """The model :meth:`as_dict` described."""
        return cls(tuple(data["names"]), [[float(x) for x in row] for row in data["m"]],
                   [[float(x) for x in row] for row in data["u"]], float(data["prior"]))


def model_for(profile: StreamProfile, settings: StreamIdentitySettings) -> MatchModel:
    """The model from the defaults, with the configured parameters and prior applied."""
    defaults = DEFAULT_PARAMETERS[profile.stream]
    names = tuple(c.name for c in profile.comparisons)
    m: list[list[float]] = []
    u: list[list[float]] = []
    for comparison in profile.comparisons:
        dm, du = defaults[comparison.name]
        ms, us = [0.0, *dm], [0.0, *du]
        configured = settings.parameters.get(comparison.name)
        if configured:
            for values, given in ((ms, configured.m), (us, configured.u)):
                for level_name, value in given.items():
                    values[comparison.levels.index(level_name)] = value
        m.append(ms)
        u.append(us)
    return MatchModel(names, m, u, settings.prior or 0.05)


def estimate_u(
    model: MatchModel, profile: StreamProfile, features: Sequence[Features], *, pairs: int = 100_000, seed: int = 7,
    pseudo_count: float = 10.0,
) -> None:
    """Re-estimate u from ``pairs`` random pairs of ``features`` (seeded), smoothed towards the current u."""
    count = len(features)
    if count < 50:
        return
    rng = random.Random(seed)
    tallies = [Counter[int]() for _ in profile.comparisons]
    compare = [c.compare for c in profile.comparisons]
    for _ in range(pairs):
        i, j = rng.randrange(count), rng.randrange(count)
        if i == j:
            continue
        a, b = features[i], features[j]
        for tally, fn in zip(tallies, compare, strict=True):
            tally[fn(a, b)] += 1
    for index, tally in enumerate(tallies):
        seen = sum(n for level, n in tally.items() if level)
        current = model.u[index]
        # A level the sample never saw still happens by chance about once per record count: two
        # random records share a unique value with probability ~1/N. Flooring there keeps an
        # unobserved level from weighing 20+ bits.
        model.u[index] = [0.0] + [
            max((tally[level] + pseudo_count * current[level]) / (seen + pseudo_count), 1.0 / count)
            for level in range(1, len(current))
        ]
    model.refresh()


def estimate_m(
    model: MatchModel, patterns: Mapping[tuple[int, ...], int], *, iterations: int = 40, estimate_prior: bool = True,
    update_m: bool = True,
) -> None:
    """Expectation–maximisation of m (and λ) over candidate-pair level patterns, u held fixed.

    With ``update_m=False`` only λ is estimated, which is well posed whatever the data.
    """
    total = sum(patterns.values())
    if total < 20:
        return
    items = list(patterns.items())
    for _ in range(iterations):
        weights = [model.probability(levels) for levels, _ in items]
        matched = sum(p * n for p, (_, n) in zip(weights, items, strict=True))
        new_m = []
        for index, current in enumerate(model.m if update_m else ()):
            sums = [0.0] * len(current)
            for p, (levels, n) in zip(weights, items, strict=True):
                if levels[index]:
                    sums[levels[index]] += p * n
            seen = sum(sums)
            if seen <= 0:
                new_m.append(current)
                continue
            new_m.append([0.0] + [min(max(s / seen, 1e-4), 1 - 1e-4) for s in sums[1:]])
        shift = max((abs(a - b) for new, old in zip(new_m, model.m, strict=False)
                     for a, b in zip(new, old, strict=True)), default=abs(model.prior - matched / total))
        if update_m:
            model.m = new_m
        if estimate_prior:
            # Capped at one half: on small or lopsided inputs EM would otherwise talk itself into
            # "everything matches", and a cautious prior costs little recall where data is plentiful.
            model.prior = min(max(matched / total, 1e-6), _MAX_PRIOR)
        model.refresh()
        if shift < 1e-5:
            break


def estimate_m_from_rules(
    model: MatchModel, patterns: Mapping[tuple[int, ...], int], rules: Sequence[Sequence[tuple[int, int]]],
    conflicts: Sequence[int], *, pseudo_count: float = 20.0,
) -> int:
    """m of each comparison from the pairs a deterministic rule *not using that comparison* settles.

    Pairs with the same e-mail tell how often true matches agree on names, phones and birth dates;
    pairs with the same national id tell the same about e-mails. Rules are lists of
    ``(comparison index, minimum level)``; ``conflicts`` are comparisons whose ``different`` level
    vetoes a pair. Returns how many pairs the rules labelled.
    """
    labelled = 0
    tallies = [Counter[int]() for _ in model.m]
    for levels, count in patterns.items():
        if any(levels[i] == 1 for i in conflicts):
            continue
        fired = [rule for rule in rules if all(levels[i] >= level for i, level in rule)]
        if not fired:
            continue
        labelled += count
        for index, tally in enumerate(tallies):
            if levels[index] and any(all(i != index for i, _ in rule) for rule in fired):
                tally[levels[index]] += count
    for index, tally in enumerate(tallies):
        seen = sum(tally.values())
        if not seen:
            continue
        current = model.m[index]
        model.m[index] = [0.0] + [
            (tally[level] + pseudo_count * current[level]) / (seen + pseudo_count) for level in range(1, len(current))
        ]
    model.refresh()
    return labelled
