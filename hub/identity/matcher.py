"""Batch matching: a whole system (or several) in, clusters of the same person and review pairs out.

The steps are pure functions of the records, so they map one to one onto a distributed engine
(docs/identity-at-scale.md): normalise each record into features; block; compare each candidate
pair into a level pattern; estimate the model on pattern counts; band each pattern; cluster.

Records are sorted by (connection, record id) before anything else, so positions — and with them
every tie-break, every random sample and every cluster — do not depend on the order of the input.
Candidate pairs are kept as three compact integer arrays (two positions and a pattern number), so a
million records with several million candidate pairs stay well inside a few hundred megabytes.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hub.identity.blocking import Blocking
from hub.identity.clusters import Cluster, build_clusters
from hub.identity.frequency import ValueFrequencies
from hub.identity.profiles import Features, NormaliseOptions, StreamProfile, profile_for
from hub.identity.rules import Band, PairJudge
from hub.identity.scoring import MatchModel, estimate_m, estimate_m_from_rules, estimate_u, model_for
from hub.identity.settings import StreamIdentitySettings

__all__ = ["BatchMatcher", "BatchResult", "MatchRecord"]


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """A record to match: where it lives, and its canonical fields."""

    connection: str
    record_id: str
    data: Mapping[str, Any]
    updated_at: dt.datetime | None = None


@dataclass(slots=True)
class BatchResult:
    """Clusters (positions into ``keys``), review pairs, the model used, and figures."""

    keys: list[tuple[str, str]]
    clusters: list[Cluster]
    review: dict[tuple[int, int], float]
    model: MatchModel
    stats: dict[str, Any] = field(default_factory=dict)

    def cluster_id(self, cluster: Cluster) -> str:
        """A stable name for a cluster: its first member's connection and record id."""
        connection, record_id = self.keys[cluster.members[0]]
        return f"{connection}:{record_id}"

    def rows(self) -> Iterator[tuple[str, str, str, float]]:
        """``(cluster_id, connection, record_id, score)`` for every record in a cluster of two or more."""
        for cluster in self.clusters:
            name = self.cluster_id(cluster)
            for member in cluster.members:
                connection, record_id = self.keys[member]
                yield name, connection, record_id, round(cluster.support[member], 6)

    @property
    def records_in_clusters(self) -> int:
        return sum(len(c.members) for c in self.clusters)


class BatchMatcher:
    """Finds the same person among many records of one stream, within and across connections."""

    def __init__(self, stream: str, settings: StreamIdentitySettings | None = None,
                 model: MatchModel | None = None, *, workers: int | None = None,
                 parallel_after: int = 200_000) -> None:
        self.settings = settings or StreamIdentitySettings()
        self.profile: StreamProfile = profile_for(stream)
        self.options = NormaliseOptions(self.settings.default_region, self.settings.email_provider_rules)
        self.model = model or model_for(self.profile, self.settings)
        self.rules = (self.settings.blocking if self.settings.blocking is not None
                      else list(self.profile.default_blocking or self.profile.blocking))
        self.workers = 1 if workers is None else max(1, min(workers, os.cpu_count() or 1))
        """Processes comparing candidate pairs. One by default: forked workers share the records only
        until Python's reference counting writes to them, so each ends up with its own copy — on two
        cores, two workers halve the wall time at a million records but take 5.3 GB instead of 2.4 GB."""
        self.parallel_after = parallel_after

    def features(self, records: Iterable[MatchRecord]) -> tuple[list[tuple[str, str]], list[Features]]:
        """Keys and features, sorted by key."""
        extract, options = self.profile.extract, self.options
        rows = [((r.connection, r.record_id), extract(r.data, options)) for r in records]
        rows.sort(key=lambda row: row[0])
        return [k for k, _ in rows], [f for _, f in rows]

    def run(self, records: Iterable[MatchRecord],
            apart: Callable[[tuple[str, str], tuple[str, str]], bool] | None = None) -> BatchResult:
        """Match ``records`` against each other; ``apart(key_a, key_b)`` names pairs a person declared different."""
        clock = time.perf_counter()
        stats: dict[str, Any] = {}
        keys, features = self.features(records)
        clock = _lap(stats, "normalise_s", clock)
        duplicates = len(keys) - len(set(keys))
        if duplicates:
            raise ValueError(f"{duplicates} records share a (connection, record id) with another")
        model = self.model
        if self.settings.estimate == "em" and len(features) >= 50:
            estimate_u(model, self.profile, features)
        frequencies = ValueFrequencies.count(self.profile, features)
        if frequencies:
            frequencies.calibrate(model)
        clock = _lap(stats, "estimate_u_s", clock)
        pattern_of = self._patterns(frequencies)
        left, right, pattern_ids, patterns = self._compare(features, pattern_of, stats)
        clock = _lap(stats, "compare_s", clock)
        judge = PairJudge(self.profile, model, self.settings)
        if self.settings.estimate == "em":
            counts = Counter[tuple[int, ...]]()
            size = len(self.profile.comparisons)
            for number in pattern_ids:
                counts[patterns[number][:size]] += 1
            stats["labelled_pairs"] = estimate_m_from_rules(model, counts, judge.rule_levels, judge.hard_conflicts)
            estimate_m(model, counts, estimate_prior=self.settings.prior is None, update_m=False)
            judge.forget()
        clock = _lap(stats, "estimate_m_s", clock)
        decisions = [judge.judge(pattern) for pattern in patterns]
        matches: dict[tuple[int, int], float] = {}
        possible: dict[tuple[int, int], float] = {}
        for i, j, number in zip(left, right, pattern_ids, strict=True):
            decision = decisions[number]
            if apart is not None and decision.band is not Band.NON_MATCH and apart(keys[i], keys[j]):
                continue
            if decision.band is Band.MATCH:
                matches[(i, j)] = decision.probability
            elif decision.band is Band.POSSIBLE:
                possible[(i, j)] = decision.probability

        def strength(i: int, j: int) -> float:
            if apart is not None and apart(keys[i], keys[j]):
                return 0.0
            decision = judge.judge(pattern_of(features[i], features[j]))
            return 0.0 if decision.band is Band.NON_MATCH else decision.probability

        result = build_clusters(matches, possible, strength, match_threshold=self.settings.match_threshold,
                                review_threshold=self.settings.review_threshold)
        _lap(stats, "cluster_s", clock)
        stats.update(records=len(keys), candidate_pairs=len(pattern_ids), patterns=len(patterns),
                     matched_pairs=len(matches), possible_pairs=len(possible), split_links=result.split,
                     prior=round(model.prior, 6))
        return BatchResult(keys, result.clusters, result.review, model, stats)

    def _patterns(self, frequencies: ValueFrequencies | None) -> Callable[[Features, Features], tuple[int, ...]]:
        """The function giving a pair's pattern: its comparison levels and its frequency adjustment."""
        compare = [c.compare for c in self.profile.comparisons]
        levels_of = self.profile.levels or (lambda a, b: [fn(a, b) for fn in compare])
        if frequencies is None:
            return lambda a, b: (*levels_of(a, b), 0)
        adjustment = frequencies.adjustment

        def pattern(a: Features, b: Features) -> tuple[int, ...]:
            levels = levels_of(a, b)
            levels.append(adjustment(levels, a))
            return tuple(levels)

        return pattern

    def _compare(
        self, features: list[Features], pattern_of: Callable[[Features, Features], tuple[int, ...]],
        stats: dict[str, Any],
    ) -> tuple[array[int], array[int], array[int], list[tuple[int, ...]]]:
        blocking = Blocking(self.profile, self.rules, features, max_block_size=self.settings.max_block_size)
        workers = self.workers if len(features) >= self.parallel_after else 1
        if workers > 1:
            global _JOB
            _JOB = (blocking, features, pattern_of)
            try:
                with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                    parts = list(pool.map(_compare_part, [(w, workers) for w in range(workers)]))
            finally:
                _JOB = None
        else:
            parts = [_compare_blocks(blocking, features, pattern_of, 0, 1)]
        left, right, pattern_ids = array("I"), array("I"), array("I")
        numbers: dict[tuple[int, ...], int] = {}
        counts: dict[str, int] = {}
        for part_left, part_right, part_ids, part_patterns, part_counts in parts:
            translate = array("I", (numbers.setdefault(p, len(numbers)) for p in part_patterns))
            left.extend(part_left)
            right.extend(part_right)
            pattern_ids.extend(translate[n] for n in part_ids)
            for name, n in part_counts.items():
                counts[name] = counts.get(name, 0) + n
        stats["pairs_by_rule"] = {name: counts.get(name, 0) for name in self.rules}
        stats["large_blocks"] = blocking.stats.large_blocks
        stats["workers"] = workers
        return left, right, pattern_ids, list(numbers)


Part = tuple["array[int]", "array[int]", "array[int]", list[tuple[int, ...]], dict[str, int]]
_JOB: tuple[Blocking, list[Features], Callable[[Features, Features], tuple[int, ...]]] | None = None
"""What forked workers compare: set just before the pool forks, so it is inherited rather than pickled."""


def _compare_part(part: tuple[int, int]) -> Part:
    assert _JOB is not None, "a compare worker started without a job"
    blocking, features, pattern_of = _JOB
    return _compare_blocks(blocking, features, pattern_of, *part)


def _compare_blocks(blocking: Blocking, features: list[Features],
                    pattern_of: Callable[[Features, Features], tuple[int, ...]], part: int, parts: int) -> Part:
    """Compare the candidate pairs of one part of the blocks: positions, pattern numbers, patterns, counts."""
    left, right, pattern_ids = array("I"), array("I"), array("I")
    numbers: dict[tuple[int, ...], int] = {}
    counts: dict[str, int] = {}
    for i, j in blocking.pairs(part, parts, counts):
        pattern = pattern_of(features[i], features[j])
        number = numbers.get(pattern)
        if number is None:
            number = numbers[pattern] = len(numbers)
        left.append(i)
        right.append(j)
        pattern_ids.append(number)
    return left, right, pattern_ids, list(numbers), counts


def _lap(stats: dict[str, Any], name: str, since: float) -> float:
    now = time.perf_counter()
    stats[name] = round(now - since, 3)
    return now
