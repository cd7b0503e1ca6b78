"""The reconciliation summary: the counts ``summary.json``, ``--json`` and the HTML page all show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.reconcile.findings import Comparison

__all__ = ["build_summary"]


def build_summary(run_id: str, request: Any, comparison: Comparison, rules: Any, seconds: float,
                  history: list[dict[str, Any]]) -> dict[str, Any]:
    """Every number of the reconciliation, as plain JSON values.

    ``differences`` counts findings (the rows of ``differences.csv``); ``history`` lists earlier
    reconciliations of the same systems and ends with this one, for the drift chart.
    """
    systems = comparison.systems
    read = sum(comparison.records.values())
    summary: dict[str, Any] = {
        "run_id": run_id,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "stream": request.stream,
        "systems": systems,
        "pipeline": rules.pipeline,
        "rule": rules.policy.rule,
        "source": rules.policy.source,
        "target": rules.policy.target,
        "deletes": rules.delete_rule,
        "dry_run": request.dry_run,
        "compared_fields": comparison.fields,
        "records": dict(comparison.records),
        "unreadable": dict(comparison.unreadable),
        "hub_records": comparison.hub_records,
        "matched": comparison.matched,
        "differing": comparison.differing,
        "missing": {name: comparison.missing.get(name, 0) for name in systems},
        "field_differences": dict(sorted(comparison.field_differences.items(), key=lambda kv: (-kv[1], kv[0]))),
        "consent_disagreements": comparison.consent_disagreements,
        "duplicates": {name: comparison.duplicates.get(name, 0) for name in systems},
        "stale_links": {name: comparison.stale_links.get(name, 0) for name in systems},
        "known_merged": {name: comparison.known_merged.get(name, 0) for name in systems},
        "by_kind": comparison.by_kind(),
        "differences": comparison.differences,
        "duration_s": round(seconds, 3),
        "records_per_s": round(read / seconds) if seconds > 0 else None,
    }
    summary["history"] = [*history, {"run_id": run_id, "at": summary["at"], "differences": comparison.differences,
                                     "matched": comparison.matched, "by_kind": summary["by_kind"]}]
    return summary
