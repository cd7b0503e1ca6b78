"""``crmhub reconcile``: compare systems through the identity map, report the differences, heal them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import EXIT_FAILED, ConfigOption, JsonOption, fail, out, print_json, session

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
    workers: Annotated[int, typer.Option(help="processes that read and compare at once (the in-memory fake "
                                              "connector needs 1)")] = 1,
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


def sync_both(config: Path | None, pipeline: str, dry_run: bool, restart: bool, as_json: bool) -> None:
    """``crmhub sync PIPELINE`` for a ``direction: both`` pipeline: one cycle, a leg each way."""
    from hub.engine.twoway import TwoWaySync

    with session(config) as hub:
        result = TwoWaySync(hub, pipeline).cycle(dry_run=dry_run, restart=restart)
    if as_json:
        print_json(result)
    else:
        table = Table(title=f"two-way sync {pipeline} — {result['status']}" + (" (dry run)" if dry_run else ""))
        for column in ("leg", "read", "created", "updated", "unchanged", "quarantined", "deleted", "echoes",
                       "conflicts", "for review", "deferred"):
            table.add_column(column, justify="left" if column == "leg" else "right")
        for leg in result["legs"]:
            sync = leg.get("sync", {})
            counts = [leg[k] for k in ("read", "created", "updated", "unchanged", "quarantined", "deleted")]
            counts += [sync.get(k, 0) for k in ("echoes", "conflicts", "for_review", "deferred")]
            table.add_row(f"{leg['from']} → {leg['to']} ({leg['stream']})", *(f"{n:,}" for n in counts))
        out.print(table)
        waiting = sum(leg.get("sync", {}).get("for_review", 0) for leg in result["legs"])
        if waiting:
            out.print(f"{waiting:,} conflicts wait for a decision: crmhub conflicts {pipeline}")
    if result["status"] != "succeeded":
        raise typer.Exit(EXIT_FAILED)


def conflicts(
    pipeline: Annotated[str, typer.Argument(help="a two-way pipeline with conflict: manual")],
    decide: Annotated[str | None, typer.Option("--decide", help="the conflict to settle (HUB_ID:FIELD)")] = None,
    keep: Annotated[str | None, typer.Option("--keep", help="with --decide: the connection whose value wins")] = None,
    stream: Annotated[str, typer.Option("--stream", help="canonical stream")] = "contacts",
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the conflicts a two-way sync left for a person, or settle one (the next sync writes it)."""
    from hub.engine.twoway import decide_conflict, open_conflicts

    if (decide is None) != (keep is None):
        fail("--decide and --keep go together", 2)
    with session(config) as hub:
        if decide is not None and keep is not None:
            decide_conflict(hub.store, pipeline, decide, keep, stream)
        waiting = open_conflicts(hub.store, pipeline, stream)
    if as_json:
        print_json({"pipeline": pipeline, "stream": stream, "open": waiting})
        return
    if decide:
        out.print(f"decided {decide}: {keep}'s value is kept; the next `crmhub sync {pipeline}` writes it")
    table = Table(title=f"conflicts waiting in {pipeline} ({len(waiting)})")
    table.add_column("conflict")
    table.add_column("values")
    table.add_column("since")
    for key, item in waiting.items():
        table.add_row(key, "; ".join(f"{side}: {value}" for side, value in item.get("values", {}).items()),
                      str(item.get("at", "")))
    out.print(table)
