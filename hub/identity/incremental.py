"""Incremental matching: a sync batch against the records already known, in milliseconds per record.

The state store must not hold names, e-mails or phones, so it cannot hold comparison data. What it
holds instead is a *candidate index*: each blocking key of every known record (sorted name and
city, last name and postcode, e-mail, phone …) as an HMAC, filed under the record's hub id. A new
record's blocking keys are hashed the same way and looked up; the few hub ids found are fetched
from the target with ``lookup`` (the system of record holds the data anyway) and compared there,
in memory, with the same comparisons, rules and model as batch matching. The index reveals only
that two records share *some* key, never what the key is (docs/identity-at-scale.md discusses the
alternatives, such as an encrypted feature cache).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hub.identity.profiles import Features, NormaliseOptions, StreamProfile, profile_for
from hub.identity.rules import Band, PairDecision, PairJudge
from hub.identity.scoring import MatchModel, model_for
from hub.identity.settings import StreamIdentitySettings

__all__ = ["Candidate", "IncrementalMatcher"]

Pseudonym = Callable[[str, str], str]
SYNC_PRIOR = 0.05
"""The prior share of matches among a sync record's candidates, unless the configuration sets ``prior``."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """The best known record for a new one: its hub id and the decision."""

    hub_id: str
    decision: PairDecision


class IncrementalMatcher:
    """Hashes blocking keys, and decides new records against fetched candidates."""

    def __init__(self, stream: str, settings: StreamIdentitySettings | None = None,
                 model: MatchModel | None = None) -> None:
        self.settings = settings or StreamIdentitySettings()
        self.profile: StreamProfile = profile_for(stream)
        self.options = NormaliseOptions(self.settings.default_region, self.settings.email_provider_rules)
        self.model = model_for(self.profile, self.settings)
        if model is not None:
            # m and u carry over from a batch run; its prior does not: it is the share of matches among
            # *batch* candidate pairs, and a sync's candidates for one new record are mostly strangers.
            self.model = MatchModel(model.names, model.m, model.u, self.settings.prior or SYNC_PRIOR)
        self.judge = PairJudge(self.profile, self.model, self.settings)
        names = self.settings.blocking if self.settings.blocking is not None else (
            self.profile.default_blocking or tuple(self.profile.blocking))
        self.blocking = [(name, self.profile.blocking[name]) for name in names]
        self._compare = [c.compare for c in self.profile.comparisons]
        self._levels = self.profile.levels

    def features(self, record: Mapping[str, object]) -> Features:
        """The comparison features of a canonical record."""
        return self.profile.extract(record, self.options)

    def block_keys(self, features: Features, pseudonym: Pseudonym) -> list[str]:
        """HMACs of the record's blocking keys (``pseudonym(kind, value)``, kind naming the rule)."""
        return [pseudonym(f"block:{name}", key) for name, fn in self.blocking for key in fn(features)]

    def decide(self, a: Features, b: Features) -> PairDecision:
        """The decision for one pair (no term-frequency adjustment: syncs keep no value counts)."""
        if self._levels is not None:  # every comparison in one call: the same levels, fewer calls
            return self.judge.judge((*self._levels(a, b), 0))
        return self.judge.judge((*[fn(a, b) for fn in self._compare], 0))

    def best(self, features: Features, candidates: Sequence[tuple[str, Features]]) -> Candidate | None:
        """The strongest match, else the strongest possible match, among ``candidates``; ``None`` if neither."""
        best: Candidate | None = None
        for hub_id, other in sorted(candidates, key=lambda item: item[0]):
            decision = self.decide(features, other)
            if decision.band is Band.NON_MATCH:
                continue
            if best is None or (decision.band is Band.MATCH, decision.probability) > (
                    best.decision.band is Band.MATCH, best.decision.probability):
                best = Candidate(hub_id, decision)
        return best
