"""The machine-readable report: ``summary.json`` and a formula-safe ``differences.csv``.

Cells are neutralised by the file connector's rule (:mod:`hub.connectors.files.formula`), so a
value such as ``=HYPERLINK(...)`` copied from a CRM cannot run when the file is opened in a
spreadsheet; phone numbers and amounts stay as they are.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from hub.connectors.files.formula import neutralise
from hub.reconcile.findings import Comparison, Finding

__all__ = ["CSV_COLUMNS", "write_reports"]

CSV_COLUMNS = ("kind", "hub_id", "system", "field", "kept", "action", "note")
"""Leading columns; then ``value:<system>`` and ``record:<system>`` for each system."""


def _cell(value: Any) -> str:
    return neutralise("" if value is None else str(value))


def finding_row(finding: Finding, systems: list[str]) -> list[str]:
    """One CSV row (every cell neutralised)."""
    row = [finding.kind.value, finding.hub_id, finding.system, finding.field, finding.kept, finding.action.value,
           finding.note]
    row += [finding.values.get(name) for name in systems]
    row += [finding.records.get(name) for name in systems]
    return [_cell(value) for value in row]


def write_reports(folder: Path, summary: dict[str, Any], comparison: Comparison) -> None:
    """Write ``summary.json``, ``differences.csv`` and ``report.html`` into ``folder``."""
    from hub.reconcile.report_html import render_page

    systems = comparison.systems
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str),
                                         encoding="utf-8")
    with (folder / "differences.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CSV_COLUMNS, *(f"value:{n}" for n in systems), *(f"record:{n}" for n in systems)])
        for finding in comparison.findings:
            writer.writerow(finding_row(finding, systems))
    (folder / "report.html").write_text(render_page(summary, comparison.findings), encoding="utf-8")
