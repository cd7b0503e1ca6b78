"""``crmhub migrate`` and ``crmhub sync``: run a pipeline with progress, print the summary."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.cli.common import EXIT_FAILED, ConfigOption, JsonOption, err, fail, out, print_json, session
from hub.config import PipelineSettings
from hub.engine import RunRequest, RunSummary

COUNT_ORDER = ("read", "created", "updated", "merged", "unchanged", "quarantined", "suppressed", "deleted")


def show_summary(summary: RunSummary, as_json: bool) -> None:
    data = summary.as_dict()
    if as_json:
        print_json(data)
        return
    title = f"run {summary.run_id[:12]} — {summary.pipeline} — {data['status']}"
    title += " (dry run)" if summary.dry_run else ""
    table = Table(title=title, show_header=True)
    table.add_column("outcome")
    table.add_column("records", justify="right")
    for key in COUNT_ORDER:
        table.add_row(key, f"{data[key]:,}")
    out.print(table)
    out.print(f"took {data['duration_s']:.1f} s; report: {data.get('report_dir')}")
    if data.get("error"):
        err.print(f"[bold red]{data['status']}:[/] {data['error']}", markup=True)
    if summary.counts.get("quarantined"):
        out.print(f"see the quarantined records with: crmhub quarantine list --run {summary.run_id[:12]}")


def execute(config: ConfigOption, request: RunRequest, as_json: bool) -> None:
    with session(config) as hub:
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
                            console=err, transient=True, disable=as_json or not err.is_terminal)
        tasks: dict[str, TaskID] = {}

        def on_progress(stream: str, done: int) -> None:
            if stream not in tasks:
                tasks[stream] = progress.add_task(stream, total=None)
            progress.update(tasks[stream], completed=done)

        request.progress = on_progress
        with progress:
            summary = hub.engine.run(request)
    show_summary(summary, as_json)
    if summary.status != "succeeded":
        raise typer.Exit(EXIT_FAILED)


def migrate(
    source: Annotated[str, typer.Option("--from", help="source connection")],
    target: Annotated[str, typer.Option("--to", help="target connection")],
    stream: Annotated[list[str] | None, typer.Option("--stream", help="canonical stream (repeatable)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="write nothing; report what would change")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="ignore saved checkpoints and read everything")] = False,
    batch_size: Annotated[
        int | None, typer.Option(help="records per batch (default: the target's preferred write size, ≥ 1,000)")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move every record of a stream from one connection to another (resumable; idempotent)."""
    if source == target:
        fail("--from and --to must be different connections", 2)
    settings = PipelineSettings(source=source, target=target, streams=stream or ["contacts"], batch_size=batch_size)
    request = RunRequest(pipeline=f"{source}->{target}", source=source, target=target, settings=settings,
                         dry_run=dry_run, restart=restart)
    execute(config, request, as_json)


def sync(
    pipeline: Annotated[str, typer.Argument(help="pipeline name from the configuration")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="write nothing; report what would change")] = False,
    restart: Annotated[bool, typer.Option("--restart", help="ignore saved checkpoints and read everything")] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a configured pipeline incrementally from its last checkpoint."""
    with session(config) as hub:
        settings = hub.config.settings.pipelines.get(pipeline)
        if settings is None:
            known = ", ".join(hub.config.settings.pipelines) or "none"
            fail(f"no pipeline named {pipeline!r} (defined: {known})", 2)
    if settings.direction == "both":  # two-way: a leg each way (hub.engine.twoway)
        from hub.cli.reconcile_commands import sync_both

        return sync_both(config, pipeline, dry_run, restart, as_json)
    request = RunRequest(pipeline=pipeline, source=settings.source, target=settings.target, settings=settings,
                         dry_run=dry_run, restart=restart)
    execute(config, request, as_json)
