"""The comparison: a sort-merge of every system's records by hub id, reporting real differences only.

Records are grouped by the hub id the identity map gives them (plain links and merged ones). In
each group: a system without a record is *missing* it (and a dead link there says it was deleted);
records present in several systems are compared as text first and, for the fields whose text
differs, on their comparison forms; two records of one system in one group, or records sharing an
e-mail or national id that the hub never merged, are *duplicates*. Records the hub merged on
purpose (``#merged`` links) are counted as known merges, not reported.
"""

from __future__ import annotations

import itertools
import multiprocessing
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hub.reconcile.findings import Action, Comparison, Finding, Kind
from hub.reconcile.normalise import Normaliser
from hub.reconcile.rules import ConflictPolicy, Side, as_moment
from hub.reconcile.scratch import SEPARATOR, ScratchIndex

__all__ = ["compare"]

Row = tuple[str, int, str, str, str | None, str | None, int]


def compare(
    index: ScratchIndex,
    normaliser: Normaliser,
    policy: ConflictPolicy,
    delete_rule: str = "ignore",
    workers: int = 1,
) -> Comparison:
    """Compare the systems in ``index`` and return the counts and findings.

    With ``workers`` > 1 the hub-id space is cut into ranges compared in as many processes
    (hub ids are uniform hexadecimal; records outside the identity map sort last).
    """
    systems = index.systems
    result = Comparison(systems=list(systems), fields=list(normaliser.fields))
    result.records = dict(zip(systems, index.counts(), strict=True))
    result.unreadable = {name: 0 for name in systems}
    for system, _, _ in index.unreadable():
        result.unreadable[systems[system]] += 1
    duplicates = _duplicates(index, result)
    stale: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for system, rid, hub, merged in index.stale_links():
        stale[hub].append((system, rid, merged))
        result.stale_links[systems[system]] += 1
    if workers <= 1:
        seen = walk(index, None, None, result, normaliser, policy, delete_rule, duplicates, stale)
    else:
        cuts = [None, *(format(16 * i // workers, "x") for i in range(1, workers)), None]
        ranges = list(itertools.pairwise(cuts))
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
            jobs = [pool.submit(walk_range, index.folder, systems, low, high, normaliser, policy, delete_rule,
                                duplicates, dict(stale)) for low, high in ranges[1:]]
            low, high = ranges[0]  # this process takes the first range meanwhile
            seen = walk(index, low, high, result, normaliser, policy, delete_rule, duplicates, stale)
            for job in jobs:
                part, part_seen = job.result()
                result.absorb(part)
                seen |= part_seen
    _report_stale(stale, seen, result)
    return result


def walk_range(folder: Path, systems: list[str], low: str | None, high: str | None, normaliser: Normaliser,
               policy: ConflictPolicy, delete_rule: str, duplicates: set[tuple[int, str]],
               stale: dict[str, list[tuple[int, str, int]]]) -> tuple[Comparison, set[str]]:
    """One range of hub ids, compared in a worker process: its partial counts, findings and the stale hubs seen."""
    index = ScratchIndex(folder, systems)
    try:
        part = Comparison(systems=list(systems), fields=list(normaliser.fields))
        seen = walk(index, low, high, part, normaliser, policy, delete_rule, duplicates, stale)
        return part, seen
    finally:
        index.close()


def walk(
    index: ScratchIndex,
    low: str | None,
    high: str | None,
    result: Comparison,
    normaliser: Normaliser,
    policy: ConflictPolicy,
    delete_rule: str,
    duplicates: set[tuple[int, str]],
    stale: dict[str, list[tuple[int, str, int]]],
) -> set[str]:
    """Compare the hub records in ``low`` ≤ hub < ``high`` into ``result``; return the stale hubs met."""
    systems = index.systems
    seen_hubs: set[str] = set()
    every_system = list(range(len(systems)))
    in_system_order, system_of, merged = operator.itemgetter(1, 2), operator.itemgetter(1), operator.itemgetter(6)
    duplicate_ids = {rid for _, rid in duplicates}
    for hub, group in itertools.groupby(index.grouped_records(low, high), key=operator.itemgetter(0)):
        rows = list(group)
        if len(rows) > 1:
            rows.sort(key=in_system_order)
        if duplicate_ids and any(row[2] in duplicate_ids for row in rows):
            rows = [row for row in rows if (row[1], row[2]) not in duplicates]
        if list(map(system_of, rows)) == every_system and not any(map(merged, rows)) and hub not in stale:
            # The common case, kept short: one plain copy in every system.
            result.hub_records += 1
            if _field_differences(None if hub[0] == "~" else hub, rows, result, normaliser, policy):
                result.differing += 1
            else:
                result.matched += 1
            continue
        for row in rows:
            if row[6]:
                result.known_merged[systems[row[1]]] += 1
        primary = [row for row in rows if not row[6]]
        if not primary:
            continue
        if hub in stale:
            seen_hubs.add(hub)
        _compare_group(hub, primary, stale.get(hub, []), result, normaliser, policy, delete_rule)
    return seen_hubs


def _duplicates(index: ScratchIndex, result: Comparison) -> set[tuple[int, str]]:
    """Records sharing a match key with another record of their system that the hub has not merged with it."""
    systems = index.systems
    reported: set[tuple[int, str]] = set()
    flagged: set[tuple[int, str]] = set()
    for system, _, rids in index.shared_keys():
        links = index.links_of(system, rids)
        hubs = {links[rid][0] for rid in rids if rid in links}
        if len(hubs) == 1 and all(rid in links for rid in rids):
            continue  # one hub record and its merged contributors: the hub already knows
        # The original is the primary record of the smallest hub id (the same person pair is then reported
        # alike in every system); without one, the smallest record id.
        primaries = sorted((links[rid][0], rid) for rid in rids if rid in links and not links[rid][1])
        original = primaries[0][1] if primaries else rids[0]
        original_hub = links.get(original, (None, 0))[0]
        name = systems[system]
        for rid in rids:
            if rid == original or (system, rid) in reported or (system, rid) in flagged:
                continue
            if rid in links and links[rid][0] == original_hub:
                continue  # merged into the same hub record already
            if rid in links and not links[rid][1]:
                # A hub record of its own: two hub records for one person. It stays in the comparison;
                # merging hub records is identity resolution's decision (crmhub dedup / review).
                flagged.add((system, rid))
                result.duplicates[name] += 1
                result.findings.append(Finding(
                    Kind.DUPLICATE, links[rid][0], system=name, records={name: rid}, action=Action.REVIEW,
                    note=f"a second hub record with the e-mail or national id of record {original}: "
                         "crmhub dedup decides"))
                continue
            reported.add((system, rid))
            result.duplicates[name] += 1
            result.findings.append(Finding(
                Kind.DUPLICATE, links.get(original, (None,))[0], system=name,
                records={name: rid}, kept=name, action=Action.MERGE,
                note=f"same e-mail or national id as record {original}",
            ))
    return reported


def _compare_group(
    hub: str,
    rows: Sequence[Row],
    stale: Sequence[tuple[int, str, int]],
    result: Comparison,
    normaliser: Normaliser,
    policy: ConflictPolicy,
    delete_rule: str,
) -> None:
    systems = result.systems
    by_system: dict[int, Row] = {}
    for row in rows:
        if row[1] in by_system:
            name = systems[row[1]]
            result.duplicates[name] += 1
            result.findings.append(Finding(
                Kind.DUPLICATE, None if hub.startswith("~") else hub, system=name, records={name: row[2]},
                kept=name, action=Action.MERGE,
                note=f"linked to the same hub record as record {by_system[row[1]][2]}",
            ))
            continue
        by_system[row[1]] = row
    hub_id = None if hub.startswith("~") else hub
    result.hub_records += 1
    present = sorted(by_system)
    holders = {systems[n]: by_system[n][2] for n in present}
    dead = {systems[n]: rid for n, rid, merged in stale if not merged}
    for number in range(len(systems)):
        if number in by_system:
            continue
        name = systems[number]
        result.missing[name] += 1
        finding = _missing(hub_id, name, holders, name in dead, policy, delete_rule)
        if name in dead:
            finding.records[name] = dead[name]  # the id the record had there
        result.findings.append(finding)
    differs = _field_differences(hub_id, [by_system[n] for n in present], result, normaliser, policy)
    if len(present) == len(systems):
        if differs:
            result.differing += 1
        else:
            result.matched += 1


def _missing(hub_id: str | None, system: str, holders: dict[str, str], deleted: bool, policy: ConflictPolicy,
             delete_rule: str) -> Finding:
    owner = policy.record_owner
    source = next((name for name in (owner, *policy.order) if name in holders), next(iter(holders)))
    finding = Finding(Kind.MISSING, hub_id, system=system, records=dict(holders),
                      values={name: "present" for name in holders} | {system: "absent"})
    if hub_id is None:
        finding.note = "not in the identity map"
    else:
        finding.note = "deleted here (the identity map still links it)" if deleted else "never arrived here"
    if owner is None:
        finding.action = Action.REVIEW
    elif deleted and owner == system:
        if delete_rule in ("propagate", "archive"):
            finding.kept, finding.action = system, Action.DELETE
        else:
            finding.kept, finding.action = system, Action.NONE
            finding.note += "; deletes: ignore keeps the other copies"
    else:
        finding.kept, finding.action = source, Action.WRITE
    return finding


def _field_differences(hub_id: str | None, rows: Sequence[Row], result: Comparison, normaliser: Normaliser,
                       policy: ConflictPolicy) -> bool:
    if len(rows) < 2 or len({row[3] for row in rows}) == 1:
        return False  # the same text everywhere: nothing to normalise
    values = [row[3].split(SEPARATOR) for row in rows]
    if len(values) == 2:
        first, second = values
        positions = list(itertools.compress(range(len(first)), map(operator.ne, first, second)))
    else:
        positions = [i for i in range(len(values[0])) if len({v[i] for v in values}) > 1]
    systems = result.systems
    rules = normaliser.rules
    found = False
    for position in positions:
        name, normal = rules[position]
        forms = [normal(v[position]) for v in values]
        if len(set(forms)) == 1:
            continue  # spelled differently, the same value
        found = True
        sides = [Side(systems[row[1]], v[position] or None, form, as_moment(row[4]))
                 for row, v, form in zip(rows, values, forms, strict=True)]
        kept = policy.winner(name, sides)
        kind = Kind.CONSENT if name.startswith("consent.") else Kind.FIELD
        result.field_differences[name] += 1
        result.findings.append(Finding(
            kind, hub_id, field=name, values={side.connection: side.value for side in sides},
            records={systems[row[1]]: row[2] for row in rows}, kept=kept,
            action=Action.REVIEW if kept is None else Action.WRITE,
        ))
    return found


def _report_stale(stale: dict[str, list[tuple[int, str, int]]], seen: Iterable[str], result: Comparison) -> None:
    """Dead links not already explained by a missing record: the hub record is gone everywhere, or merged."""
    seen_set = set(seen)
    missing_explained = {(f.hub_id, f.system) for f in result.findings if f.kind is Kind.MISSING}
    for hub, entries in stale.items():
        for system, rid, merged in entries:
            name = result.systems[system]
            if hub in seen_set and not merged and (hub, name) in missing_explained:
                continue
            result.findings.append(Finding(
                Kind.STALE_LINK, hub, system=name, records={name: rid}, action=Action.FORGET,
                note="merged record no longer exists" if merged else "linked record no longer exists",
            ))
