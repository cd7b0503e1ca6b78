"""Deterministic rules, conflicts and the three bands: match, possible, non-match.

Rules come first: the same normalised e-mail, the same national or tax id, the same phone with a
close name. A rule settles a pair without a score — unless a *conflict* says otherwise: two
different national ids are two people whatever else agrees, and a shared mailbox (the same e-mail,
names that have nothing in common) is only a possible match. Pairs no rule settles are banded by
the Fellegi–Sunter probability.

A decision depends only on the pair's comparison levels, so :class:`PairJudge` caches it per level
pattern: millions of pairs share a few hundred patterns.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hub.identity.profiles import StreamProfile
from hub.identity.scoring import MatchModel
from hub.identity.settings import StreamIdentitySettings

__all__ = ["RULES", "Band", "PairDecision", "PairJudge", "Rule"]


class Band(enum.StrEnum):
    """What happens to a pair."""

    MATCH = "match"
    POSSIBLE = "possible"
    NON_MATCH = "non_match"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule fires when every named comparison is at or above its level (by level name)."""

    name: str
    requires: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PairDecision:
    """The band of a pair, its match probability and the rule that settled it (if one did)."""

    band: Band
    probability: float
    rule: str | None = None


RULES: dict[str, tuple[Rule, ...]] = {
    "contacts": (
        Rule("email", {"email": "exact"}),
        Rule("national_id", {"national_id": "exact"}),
        Rule("phone_and_name", {"phone": "exact", "name": "close"}),
    ),
    "companies": (
        Rule("tax_id", {"tax_id": "exact"}),
        Rule("domain_and_name", {"domain": "exact", "name": "similar"}),
    ),
}
# Comparisons whose ``different`` level makes a pair a non-match outright, and those that demote a
# rule's match to a possible one.
_HARD_CONFLICTS = {"contacts": ("national_id",), "companies": ("tax_id",)}
# Names are the core of a person's identity: records whose names do not agree (at most one part of
# them does: relatives, a married name, a shared mailbox) are never merged without a person.
_SOFT_CONFLICTS = {"contacts": {"name": 2}, "companies": {"name": 1}}
_DIFFERENT = 1


class PairJudge:
    """Decides the band of a pair from its comparison levels."""

    def __init__(self, profile: StreamProfile, model: MatchModel, settings: StreamIdentitySettings) -> None:
        self.model = model
        self.match_threshold = settings.match_threshold
        self.review_threshold = settings.review_threshold
        index = {c.name: i for i, c in enumerate(profile.comparisons)}
        available = {rule.name: rule for rule in RULES.get(profile.stream, ())}
        chosen = settings.rules if settings.rules is not None else list(available)
        unknown = sorted(set(chosen) - set(available))
        if unknown:
            raise ValueError(f"unknown identity rules for {profile.stream}: {', '.join(unknown)} "
                             f"(known: {', '.join(available)})")
        self._rules = [
            (name, [(index[field], profile.comparison(field).levels.index(level))
                    for field, level in available[name].requires.items()])
            for name in chosen
        ]
        self._hard = [index[name] for name in _HARD_CONFLICTS.get(profile.stream, ()) if name in index]
        self._soft = [(index[name], top) for name, top in _SOFT_CONFLICTS.get(profile.stream, {}).items()
                      if name in index]
        self._size = len(profile.comparisons)
        self._cache: dict[tuple[int, ...], PairDecision] = {}

    @property
    def rule_levels(self) -> list[list[tuple[int, int]]]:
        """Each chosen rule as ``(comparison index, minimum level)`` requirements."""
        return [needs for _, needs in self._rules]

    @property
    def hard_conflicts(self) -> list[int]:
        """Comparisons whose ``different`` level makes any pair a non-match."""
        return list(self._hard)

    def judge(self, levels: tuple[int, ...]) -> PairDecision:
        """The decision for a pair with ``levels`` (cached per pattern).

        ``levels`` may carry one more number after the comparison levels: a weight adjustment in
        bits for how common the agreeing value is (see :mod:`hub.identity.frequency`).
        """
        decision = self._cache.get(levels)
        if decision is None:
            decision = self._cache[levels] = self._decide(levels)
        return decision

    def _decide(self, pattern: Sequence[int]) -> PairDecision:
        levels = pattern[:self._size]
        adjust = float(pattern[self._size]) if len(pattern) > self._size else 0.0
        probability = self.model.probability(levels, adjust)
        if any(levels[i] == _DIFFERENT for i in self._hard):
            return PairDecision(Band.NON_MATCH, probability)
        conflict = any(0 < levels[i] <= top for i, top in self._soft)
        for name, needs in self._rules:
            if all(levels[i] >= level for i, level in needs):
                if conflict:
                    return PairDecision(Band.POSSIBLE, max(probability, self.review_threshold), name)
                return PairDecision(Band.MATCH, max(probability, self.match_threshold), name)
        if conflict:
            return PairDecision(Band.NON_MATCH, probability)  # names disagree and no rule speaks for the pair
        if probability >= self.match_threshold:
            return PairDecision(Band.MATCH, probability)
        if probability >= self.review_threshold:
            return PairDecision(Band.POSSIBLE, probability)
        return PairDecision(Band.NON_MATCH, probability)

    def forget(self) -> None:
        """Drop cached decisions (after the model was re-estimated)."""
        self._cache.clear()
