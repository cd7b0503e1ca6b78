"""Commands that look without moving data: ``connectors``, ``check``, ``discover``, ``runs``, ``audit verify``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from hub.app import start_plugins
from hub.cli.common import EXIT_FAILED, ConfigOption, JsonOption, fail, out, print_json, reported_errors, session
from hub.errors import CrmhubError


def connectors(as_json: JsonOption = False) -> None:
    """List installed connectors, their capabilities and which plugin provides them."""
    with reported_errors():
        host = start_plugins()
        registry = host.connectors
    rows: list[dict[str, Any]] = [
        {"name": name, "capabilities": sorted(c.value for c in registry.get(name).capabilities),
         "plugin": registry.origin(name)}
        for name in registry.names()
    ]
    if as_json:
        print_json({"connectors": rows})
        return
    table = Table("connector", "capabilities", "plugin")
    for row in rows:
        table.add_row(row["name"], ", ".join(row["capabilities"]), row["plugin"])
    out.print(table)


def check(
    connection: Annotated[str | None, typer.Argument(help="connection to test (default: all)")] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate the configuration, then test each connection (reachable, credentials accepted)."""
    results: dict[str, dict[str, object]] = {}
    with session(config) as hub:
        names = [connection] if connection else list(hub.config.connections)
        for name in names:
            try:
                with hub.engine.build(name) as connector:
                    result = connector.check()
                results[name] = {"ok": result.ok, "problems": result.problems}
            except CrmhubError as exc:
                results[name] = {"ok": False, "problems": [exc.public_message]}
    ok = all(bool(r["ok"]) for r in results.values())
    if as_json:
        print_json({"ok": ok, "connections": results})
    else:
        out.print("configuration: [green]ok[/]")
        for name, r in results.items():
            mark = "[green]ok[/]" if r["ok"] else "[red]failed[/]"
            out.print(f"{name}: {mark}")
            for problem in r["problems"]:  # type: ignore[attr-defined]
                out.print(f"  - {problem}", markup=False)
    if not ok:
        raise typer.Exit(EXIT_FAILED)


def discover(
    connection: Annotated[str, typer.Argument(help="connection to describe")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the streams a connection offers, with their fields and types."""
    with session(config) as hub, hub.engine.build(connection) as connector:
        infos = connector.discover()
    if as_json:
        print_json({"streams": [
            {"name": i.name, "primary_key": i.primary_key, "cursor_field": i.cursor_field,
             "fields": [{"name": f.name, "type": f.type.value, "required": f.required, "max_length": f.max_length,
                         "choices": list(f.choices)} for f in i.fields.values()]}
            for i in infos]})
        return
    for info in infos:
        table = Table("field", "type", "required", "max length", title=f"{connection}: {info.name}")
        for spec in info.fields.values():
            table.add_row(spec.name, spec.type.value, "yes" if spec.required else "",
                          str(spec.max_length or ""))
        out.print(table)


runs_app = typer.Typer(help="Past runs and the records behind each number.", no_args_is_help=False)


@runs_app.callback(invoke_without_command=True)
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="how many runs")] = 20,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """List recent runs, newest first."""
    if ctx.invoked_subcommand:
        return
    with session(config) as hub:
        found = hub.store.list_runs(limit=limit)
    if as_json:
        print_json({"runs": [_run_dict(r) for r in found]})
        return
    table = Table("run", "pipeline", "status", "started", "read", "created", "updated", "merged", "unchanged",
                  "quarantined", "suppressed")
    for r in found:
        s = r.summary or {}
        table.add_row(r.run_id[:12], r.pipeline, r.status + (" (dry)" if r.dry_run else ""), str(r.started_at)[:19],
                      *(str(s.get(k, "")) for k in ("read", "created", "updated", "merged", "unchanged",
                                                    "quarantined", "suppressed")))
    out.print(table)


def _run_dict(r: object) -> dict[str, object]:
    return {k: getattr(r, k) for k in ("run_id", "pipeline", "source", "target", "streams", "dry_run", "status",
                                       "started_at", "finished_at", "summary")}


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="run id (a unique prefix is enough)")],
    outcome: Annotated[str | None, typer.Option(help="list the records with this outcome")] = None,
    limit: Annotated[int, typer.Option(help="how many records to list")] = 50,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a run's summary and, with --outcome, the records behind a number."""
    with session(config) as hub:
        run = hub.store.find_run(run_id)
        if run is None:
            fail(f"no run with id {run_id!r}")
        records = hub.store.list_outcomes(run.run_id, outcome=outcome, limit=limit) if outcome else []
        counts = hub.store.count_outcomes(run.run_id)
    if as_json:
        print_json({**_run_dict(run), "outcomes": counts,
                    "records": [vars(r) if not hasattr(r, "__slots__") else
                                {k: getattr(r, k) for k in r.__slots__} for r in records]})
        return
    out.print(f"run {run.run_id} — {run.pipeline} ({run.source} → {run.target}) — {run.status}", markup=False)
    out.print(json.dumps(run.summary, indent=2, ensure_ascii=False, default=str), markup=False)
    if outcome:
        table = Table("#", "source", "hub id", "outcome", "detail", title=f"{outcome} records")
        for r in records:
            table.add_row(str(r.seq), r.ref, r.hub_id or "", r.outcome,
                          json.dumps(r.detail, ensure_ascii=False) if r.detail else "")
        out.print(table)


audit_app = typer.Typer(help="The append-only, hash-chained audit log.")


@audit_app.command("verify")
def audit_verify(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Check the audit chain; exit non-zero and name the first bad entry if anything was edited or removed."""
    with session(config) as hub:
        result = hub.store.verify_audit()
    if as_json:
        print_json({"ok": result.ok, "checked": result.checked, "first_bad_id": result.first_bad_id,
                    "reason": result.reason})
    elif result.ok:
        out.print(f"audit log intact: {result.checked} entries verified")
    else:
        out.print(f"audit log broken at entry {result.first_bad_id}: {result.reason}", markup=False)
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)
