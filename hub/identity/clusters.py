"""Clusters from pairwise links, without chaining strangers together.

Linking every matched pair transitively would let A–B and B–C pull in C even when A and C have
nothing in common (a shared phone here, a typo there). Instead, matched pairs are taken strongest
first, and two groups are joined only when their members *support each other*: every cross pair is
at least a possible match and on average a match (average linkage with a floor). A link refused by
that test is not lost: it goes to the review queue, as do possible matches left between clusters.

Cross pairs that blocking never compared are scored on demand; the result is independent of the
order of the input because links are taken in a fixed order (strength, then record position in the
key-sorted input) and every decision looks only at strengths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["Cluster", "ClusterResult", "build_clusters"]

Pair = tuple[int, int]


@dataclass(slots=True)
class Cluster:
    """Records judged to be one person: member positions, and each member's strongest link inside."""

    members: list[int]
    support: dict[int, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """The weakest member's best link: how sure the cluster is as a whole."""
        return min(self.support.values()) if self.support else 1.0


@dataclass(slots=True)
class ClusterResult:
    """Clusters of two or more records, and pairs a person should look at."""

    clusters: list[Cluster]
    review: dict[Pair, float]
    split: int = 0
    """How many matched links were refused because the groups did not support each other."""


class _Groups:
    """Union–find whose groups also list their members."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}

    def find(self, i: int) -> int:
        parent = self.parent.setdefault(i, i)
        if parent == i:
            self.members.setdefault(i, [i])
            return i
        root = self.find(parent)
        self.parent[i] = root
        return root

    def join(self, a: int, b: int) -> int:
        keep, drop = (a, b) if a < b else (b, a)
        self.parent[drop] = keep
        self.members[keep].extend(self.members.pop(drop))
        return keep


def build_clusters(
    matches: Mapping[Pair, float],
    possible: Mapping[Pair, float],
    strength: Callable[[int, int], float],
    *,
    match_threshold: float,
    review_threshold: float,
    max_cluster_size: int = 50,
) -> ClusterResult:
    """Cluster ``matches`` (``(i, j) → probability``, ``i < j``); ``strength(i, j)`` scores any other pair.

    A strength below ``review_threshold`` (for example a national-id conflict, given as 0) keeps two
    records apart whatever links them through others.
    """
    known: dict[Pair, float] = {**possible, **matches}

    def link(i: int, j: int) -> float:
        pair = (i, j) if i < j else (j, i)
        value = known.get(pair)
        if value is None:
            value = known[pair] = strength(*pair)
        return value

    groups = _Groups()
    support: dict[int, float] = {}
    review: dict[Pair, float] = {}
    split = 0
    for (i, j), probability in sorted(matches.items(), key=lambda item: (-item[1], item[0])):
        a, b = groups.find(i), groups.find(j)
        if a == b:
            continue
        left, right = groups.members[a], groups.members[b]
        if len(left) + len(right) <= max_cluster_size and _supported(left, right, link, match_threshold,
                                                                      review_threshold):
            groups.join(a, b)
            for member in (i, j):
                support[member] = max(support.get(member, 0.0), probability)
        else:
            split += 1
            review[(i, j)] = probability
    for (i, j), probability in possible.items():
        if groups.find(i) != groups.find(j):
            review[(i, j)] = probability
    clusters = []
    for root, members in groups.members.items():
        if len(members) < 2 or groups.find(root) != root:
            continue
        ordered = sorted(members)
        for member in ordered:
            if member not in support:
                support[member] = max(link(member, other) for other in ordered if other != member)
        clusters.append(Cluster(ordered, {m: support[m] for m in ordered}))
    clusters.sort(key=lambda c: c.members[0])
    return ClusterResult(clusters, review, split)


def _supported(
    left: list[int], right: list[int], link: Callable[[int, int], float], match_threshold: float, floor: float
) -> bool:
    if len(left) == 1 and len(right) == 1:
        return True  # the link itself is the match being tested
    total = 0.0
    for i in left:
        for j in right:
            value = link(i, j)
            if value < floor:
                return False
            total += value
    return total / (len(left) * len(right)) >= match_threshold
