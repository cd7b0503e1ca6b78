"""Blocking: which pairs are worth comparing, so the cost grows with the records, not their square.

Each blocking rule files every record under zero or more keys (its e-mail, its phones, its sorted
name words, …); only records sharing a key are compared. Rules run in order, and a pair is produced
by the first rule that brings it together only (the later ones see it was already produced), as in
Splink. A key shared by more than ``max_block_size`` records (a common name in a big city, a shared
switchboard number) is too common to be evidence and its block is skipped: agreeing on it could not
carry a pair to a match on its own, the pairs that matter share a rarer key under another rule, and
comparing it all against all would cost ``size²``. The same limit applies to the candidate index
in syncs, so batch and incremental matching see the same candidates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from hub.identity.profiles import Features, StreamProfile

__all__ = ["Blocking", "BlockingStats", "candidate_pairs", "record_keys"]

Key = str | tuple[str, ...] | None


@dataclass(slots=True)
class BlockingStats:
    """What blocking did: pairs per rule, and how many blocks were too large to compare fully."""

    pairs: dict[str, int] = field(default_factory=dict)
    large_blocks: int = 0


def _compact(keys: tuple[str, ...]) -> Key:
    if not keys:
        return None
    return keys[0] if len(keys) == 1 else keys


def _shares(a: Key, b: Key) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, str):
        return a == b if isinstance(b, str) else a in b
    return any(key in b for key in a) if isinstance(b, tuple) else b in a


def record_keys(profile: StreamProfile, rules: Sequence[str], features: Sequence[Features]) -> list[list[Key]]:
    """Per rule, the key(s) of each record (``None`` when the record lacks the values)."""
    functions = [profile.blocking[name] for name in rules]
    return [[_compact(fn(f)) for f in features] for fn in functions]


class Blocking:
    """Blocks of every rule, built once; pairs can then be drawn in parts (one per worker process)."""

    def __init__(self, profile: StreamProfile, rules: Sequence[str], features: Sequence[Features], *,
                 max_block_size: int = 20) -> None:
        unknown = [name for name in rules if name not in profile.blocking]
        if unknown:
            raise ValueError(f"unknown blocking rules for {profile.stream}: {', '.join(unknown)} "
                             f"(known: {', '.join(profile.blocking)})")
        self.rules = list(rules)
        self.stats = BlockingStats()
        self.keys = record_keys(profile, rules, features)
        self.blocks = [_blocks(rule_keys, max_block_size, self.stats) for rule_keys in self.keys]

    def pairs(self, part: int = 0, parts: int = 1, counts: dict[str, int] | None = None
              ) -> Iterator[tuple[int, int]]:
        """Pairs ``(i, j)``, ``i < j``, of the blocks whose position is ``part`` modulo ``parts``."""
        counts = counts if counts is not None else self.stats.pairs
        for r, name in enumerate(self.rules):
            earlier = self.keys[:r]
            own = self.keys[r]
            produced = 0
            for number, (block_key, members) in enumerate(self.blocks[r].items()):
                if number % parts != part:
                    continue
                for x, i in enumerate(members):
                    for j in members[x + 1:]:
                        if earlier and _seen_before(earlier, i, j):
                            continue
                        if not isinstance(own[i], str) and _first_shared(own[i], own[j]) != block_key:
                            continue  # several shared keys of one rule: only the first one's block produces it
                        produced += 1
                        yield i, j
            counts[name] = counts.get(name, 0) + produced


def candidate_pairs(
    profile: StreamProfile,
    rules: Sequence[str],
    features: Sequence[Features],
    *,
    max_block_size: int = 20,
    stats: BlockingStats | None = None,
) -> Iterator[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``i < j`` of records sharing a blocking key; each pair at most once."""
    blocking = Blocking(profile, rules, features, max_block_size=max_block_size)
    if stats is not None:
        stats.large_blocks += blocking.stats.large_blocks
        blocking.stats = stats
    yield from blocking.pairs()


def _blocks(rule_keys: list[Key], limit: int, stats: BlockingStats) -> dict[str, list[int]]:
    """Records by key, for keys held by 2..``limit`` records; keys held by more are removed from ``rule_keys``.

    Removing them matters: a pair sharing only a skipped key must not count as produced by that rule.
    """
    blocks: dict[str, list[int]] = {}
    for i, key in enumerate(rule_keys):
        if key is None:
            continue
        for k in (key,) if isinstance(key, str) else key:
            blocks.setdefault(k, []).append(i)
    crowded = {k for k, members in blocks.items() if len(members) > limit}
    stats.large_blocks += len(crowded)
    for k in crowded:
        for i in blocks[k]:
            key = rule_keys[i]
            rule_keys[i] = None if isinstance(key, str) else _compact(tuple(x for x in key or () if x != k))
    return {k: members for k, members in blocks.items() if 1 < len(members) <= limit}


def _seen_before(earlier: list[list[Key]], i: int, j: int) -> bool:
    for previous in earlier:
        a = previous[i]
        if a is None:
            continue
        b = previous[j]
        if b is None:
            continue
        if a == b if type(a) is str and type(b) is str else _shares(a, b):
            return True
    return False


def _first_shared(a: Key, b: Key) -> str | None:
    keys = (a,) if isinstance(a, str) else a or ()
    return next((k for k in keys if _shares(k, b)), None)


