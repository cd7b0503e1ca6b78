"""``crmhub quarantine list | show | retry``: the records a run could not load, and why."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import ConfigOption, JsonOption, fail, out, print_json, session
from hub.cli.run_commands import show_summary
from hub.connectors.api import ConnectorContext
from hub.engine import RunRequest
from hub.engine.replay import QuarantineReplay

quarantine_app = typer.Typer(help="Records that failed mapping, validation or the target, with their reasons.")


def _codes(reasons: list[dict[str, object]]) -> str:
    return ", ".join(f"{r.get('field') or '-'}:{r.get('code')}" for r in reasons)


@quarantine_app.command("list")
def quarantine_list(
    status: Annotated[str, typer.Option(help="open, retried, resolved or discarded")] = "open",
    pipeline: Annotated[str | None, typer.Option(help="only this pipeline")] = None,
    run: Annotated[str | None, typer.Option(help="only this run (id prefix)")] = None,
    limit: Annotated[int, typer.Option(help="how many")] = 100,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """List quarantined records (no payloads: only where they came from and the reason codes)."""
    with session(config) as hub:
        entries = hub.store.list_quarantine(status=status, pipeline=pipeline, limit=limit if not run else 1_000_000)
    if run:
        entries = [e for e in entries if (e.run_id or "").startswith(run)][:limit]
    if as_json:
        print_json({"entries": [{"id": e.id, "run_id": e.run_id, "pipeline": e.pipeline, "stream": e.stream,
                                 "ref": e.ref, "source_id": e.source_id, "reasons": e.reasons,
                                 "status": e.status} for e in entries]})
        return
    table = Table("id", "pipeline", "record", "reasons", "status")
    for e in entries:
        table.add_row(str(e.id), e.pipeline, e.ref, _codes(e.reasons), e.status)
    out.print(table)


@quarantine_app.command("show")
def quarantine_show(
    entry_id: Annotated[int, typer.Argument(help="quarantine entry id")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one quarantined record: reasons and the stored (decrypted) payload."""
    with session(config) as hub:
        entry = hub.store.get_quarantine(entry_id)
    if entry is None:
        fail(f"no quarantine entry {entry_id}")
    data = {"id": entry.id, "run_id": entry.run_id, "pipeline": entry.pipeline, "stream": entry.stream,
            "ref": entry.ref, "source_id": entry.source_id, "status": entry.status, "reasons": entry.reasons,
            "payload": entry.payload}
    if as_json:
        print_json(data)
    else:
        out.print(json.dumps(data, indent=2, ensure_ascii=False, default=str), markup=False)


@quarantine_app.command("retry")
def quarantine_retry(
    entry_ids: Annotated[list[int] | None, typer.Argument(help="entry ids (default: every open entry)")] = None,
    pipeline: Annotated[str | None, typer.Option(help="only this pipeline")] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run quarantined records through their pipeline again (after fixing the mapping, config or target)."""
    with session(config) as hub:
        entries = [hub.store.get_quarantine(i) for i in entry_ids] if entry_ids else [
            hub.store.get_quarantine(e.id) for e in hub.store.list_quarantine(status="open", pipeline=pipeline,
                                                                              limit=1_000_000)]
        found = [e for e in entries if e is not None and e.status == "open"]
        if not found:
            fail("no open quarantine entries to retry")
        groups: dict[tuple[str, str], list[object]] = {}
        for e in found:
            groups.setdefault((e.pipeline, e.stream), []).append(e)
        summaries = []
        for (pipe, stream), group in groups.items():
            run = hub.store.find_run(group[0].run_id)  # type: ignore[attr-defined]
            if run is None:
                fail(f"the run of quarantine entry {group[0].id} is gone")  # type: ignore[attr-defined]
            settings = hub.config.settings.pipelines.get(pipe)
            from hub.config import PipelineSettings

            settings = settings or PipelineSettings(source=run.source, target=run.target, streams=[stream])
            replay = QuarantineReplay(group, ConnectorContext(connection=run.source, work_dir=hub.config.base_dir))
            request = RunRequest(pipeline=pipe, source=run.source, target=run.target, settings=settings,
                                 streams=[stream], source_override=replay)
            # Marked before the replay: a record that fails again is filed in a new open entry, not
            # folded into the entry being retried (a failed run puts them back as they were).
            ids = [e.id for e in group]  # type: ignore[attr-defined]
            hub.store.set_quarantine_status(ids, "retried", note="replay started")
            try:
                summary = hub.engine.run(request)
            except BaseException:
                hub.store.set_quarantine_status(ids, "open")
                raise
            failed = summary.status == "failed"
            hub.store.set_quarantine_status(ids, "open" if failed else "retried",
                                            note=f"replay{' failed' if failed else 'ed'} in run {summary.run_id}")
            summaries.append(summary)
    for summary in summaries:
        show_summary(summary, as_json)
