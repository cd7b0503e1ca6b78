"""``crmhub reconcile``: compare systems through the identity map, report the differences, heal them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import ConfigOption, JsonOption, fail, out, print_json, session

SUMMARY_ROWS = ("hub_records", "matched", "differing", "consent_disagreements", "differences")


def reconcile(
    connections: Annotated[list[str], typer.Argument(help="two or more connections to compare")],
    stream: Annotated[str, typer.Option("--stream", help="canonical stream")] = "contacts",
    report: Annotated[Path | None, typer.Option("--report", help="folder for report.html, summary.json and "
                                                "differences.csv (default: .crmhub/reports/RUN)")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="heal the differences under the pipeline's conflict rule")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="with --fix: report what healing would write")] = False,
    case_sensitive: Annotated[list[str] | None, typer.Option(
        "--case-sensitive", help="compare this field with its case (repeatable)")] = None,
    workers: Annotated[int, typer.Option(help="processes reading systems at once")] = 1,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Prove that systems agree, or show exactly where they do not (and heal it with --fix)."""
    from hub.reconcile import Reconciler, ReconcileRequest

    if len(set(connections)) < 2:
        fail("give at least two different connections", 2)
    request = ReconcileRequest(systems=list(connections), stream=stream, report_dir=report, fix=fix or dry_run,
                               dry_run=dry_run, case_sensitive=tuple(case_sensitive or ()), workers=max(1, workers))
    with session(config) as hub:
        outcome = Reconciler(hub).run(request)
    summary = outcome.summary
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"reconciliation {summary['run_id'][:12]} — {' · '.join(summary['systems'])} "
                        f"({summary['stream']}, rule {summary['rule']})")
    table.add_column("count")
    table.add_column("records", justify="right")
    for name in summary["systems"]:
        table.add_row(f"records in {name}", f"{summary['records'][name]:,}")
    for key in SUMMARY_ROWS:
        table.add_row(key.replace("_", " "), f"{summary[key]:,}")
    for name in summary["systems"]:
        table.add_row(f"missing in {name}", f"{summary['missing'][name]:,}")
        table.add_row(f"duplicates in {name}", f"{summary['duplicates'][name]:,}")
        table.add_row(f"stale links in {name}", f"{summary['stale_links'][name]:,}")
    out.print(table)
    if summary.get("field_differences"):
        out.print("differing fields: " + ", ".join(f"{k} {v:,}" for k, v in summary["field_differences"].items()))
    fixed = summary.get("fix")
    if fixed:
        verb = "would write" if fixed["dry_run"] else "wrote"
        for leg in fixed["runs"]:
            out.print(f"fix {leg['from']} → {leg['to']}: {verb} created {leg['created']}, updated {leg['updated']}, "
                      f"merged {leg['merged']}, deleted {leg['deleted']}, quarantined {leg['quarantined']}")
        if fixed["left_for_review"]:
            out.print(f"{fixed['left_for_review']:,} differences left for a person to decide (conflict: manual)")
    out.print(f"report: {Path(summary['report_dir']) / 'report.html'}")
