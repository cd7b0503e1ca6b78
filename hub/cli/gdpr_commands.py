"""``crmhub gdpr erase | export | restrict | status | retry | confirm``: data-subject rights."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import EXIT_FAILED, ConfigOption, JsonOption, out, print_json, session
from hub.consent.identifiers import Identifier, parse_subject
from hub.consent.policy import Regime

gdpr_app = typer.Typer(help="Erasure, access, restriction and their deadlines (GDPR, KVKK).", no_args_is_help=True)

SubjectArg = Annotated[str, typer.Argument(help="the person: e-mail, phone, national id (TCKN/VKN) or hub id")]
TypeOption = Annotated[str | None, typer.Option("--type", help="email, phone, national_id or hub_id (else guessed)")]
RegimeOption = Annotated[Regime | None, typer.Option(help="the law the request is made under (default: all "
                                                          "configured, earliest deadline)")]


@gdpr_app.command("erase")
def gdpr_erase(subject: SubjectArg, kind: TypeOption = None, regime: RegimeOption = None,
               note: Annotated[str, typer.Option(help="a note kept with the request (no personal data)")] = "",
               dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would be erased and suppressed; "
                                                                  "change nothing")] = False,
               config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Erase a person in every connected system and in crmhub; suppress them for every later run."""
    if dry_run:
        _erase_dry_run(parse_subject(subject, kind), config, as_json)
        return
    with session(config) as hub:
        from hub.gdpr.erasure import erase

        report = erase(hub, parse_subject(subject, kind), regime, note)
    if as_json:
        print_json(report.as_dict())
    else:
        request = report.request
        out.print(f"erasure request {request.request_id} — {request.status} (due {request.due_at:%Y-%m-%d}, "
                  f"{request.regime})", markup=False)
        if not report.found:
            out.print("the person was not found in any connected system; their identifiers are suppressed")
        _systems_table(request)
        out.print(f"suppression entries: {report.suppressed}; removed from the state store: "
                  + ", ".join(f"{k} {v}" for k, v in report.purged.items() if v), markup=False)
    if report.request.status != "completed":
        raise typer.Exit(EXIT_FAILED)


def _erase_dry_run(given: Identifier, config: Path | None, as_json: bool) -> None:
    with session(config) as hub:
        from hub.gdpr.erasure_plan import plan_erasure

        plan = plan_erasure(hub, given)
    if as_json:
        print_json(plan.as_dict())
        return
    out.print("dry run: nothing was erased, suppressed or recorded", markup=False)
    if not plan.found:
        out.print("the person was not found in any connected system; only their identifiers would be suppressed")
    table = Table("system", "stream", "mechanism", "records that would be erased")
    for s in plan.systems:
        table.add_row(s.connection, s.stream, s.mechanism, ", ".join(s.record_ids))
    out.print(table)
    entries = Table("suppression entry", "keyed hash")
    for id_type, hmac in plan.suppression:
        entries.add_row(id_type, hmac[:16] + "…")
    out.print(entries)
    if plan.already_suppressed:
        out.print(f"already on the suppression list: {plan.already_suppressed}", markup=False)


def _systems_table(request: object) -> None:
    table = Table("system", "stream", "mechanism", "status", "message")
    for s in request.systems:  # type: ignore[attr-defined]
        table.add_row(s.connection, s.stream, s.mechanism, s.status, s.message)
    out.print(table)


@gdpr_app.command("export")
def gdpr_export(subject: SubjectArg, kind: TypeOption = None,
                fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
                output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
                config: ConfigOption = None) -> None:
    """Export everything held on a person: every system's records, consent history, recipients, audit trail."""
    if fmt not in ("json", "csv"):
        raise typer.BadParameter("--format must be json or csv")
    with session(config) as hub:
        from hub.gdpr.export import collect, to_csv, to_json

        export = collect(hub, parse_subject(subject, kind))
    text = to_json(export) + "\n" if fmt == "json" else to_csv(export)
    if output is None:
        sys.stdout.write(text)
        return
    fd = output.open("w", encoding="utf-8", newline="")
    with fd:
        fd.write(text)
    output.chmod(0o600)  # an export is the person's data: readable by its owner only
    out.print(f"export written to {output}", markup=False)


@gdpr_app.command("restrict")
def gdpr_restrict(subject: SubjectArg, kind: TypeOption = None,
                  lift: Annotated[bool, typer.Option("--lift", help="lift an earlier restriction")] = False,
                  regime: RegimeOption = None, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Restrict processing of a person (no run sends them anywhere) and tell every recipient."""
    with session(config) as hub:
        from hub.gdpr.restriction import restrict

        request = restrict(hub, parse_subject(subject, kind), lift=lift, regime=regime)
    if as_json:
        print_json({"request_id": request.request_id, "kind": request.kind, "status": request.status,
                    "hub_ids": request.hub_ids, "systems": [{"connection": s.connection, "status": s.status,
                                                              "message": s.message} for s in request.systems]})
        return
    out.print(f"{'lifted' if lift else 'restricted'}: request {request.request_id} — {request.status}", markup=False)
    _systems_table(request)


@gdpr_app.command("status")
def gdpr_status(all_requests: Annotated[bool, typer.Option("--all", help="completed requests too")] = False,
                config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show what is due: open requests and deadlines (GDPR one month, KVKK 30 days), retention, pushes."""
    with session(config) as hub:
        from hub.gdpr.status import due_report

        report = due_report(hub, all_requests)
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table("request", "kind", "subject", "status", "regime", "due", "days left", "open systems")
        for r in report.requests:
            days = (r.due_at - report.now).days
            left = "OVERDUE" if r.status != "completed" and days < 0 else str(days)
            table.add_row(r.request_id[:12], r.kind, r.subject[:12], r.status, r.regime, f"{r.due_at:%Y-%m-%d}",
                          left, ", ".join(f"{s.connection} ({s.status})" for s in r.open_systems))
        out.print(table)
        out.print(f"records past retention, listed for destruction: {len(report.retention)}; "
                  f"withdrawals waiting for a recipient: {report.pending_propagation}", markup=False)
    if report.overdue:
        raise typer.Exit(EXIT_FAILED)


@gdpr_app.command("retry")
def gdpr_retry(request: Annotated[str | None, typer.Argument(help="request id (default: every pending one)")] = None,
               config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Try again every system that was unreachable for a pending erasure or restriction."""
    with session(config) as hub:
        from hub.gdpr.erasure import retry_pending
        from hub.gdpr.restriction import retry_restrictions

        done = retry_pending(hub, request) + ([] if request else retry_restrictions(hub))
    if as_json:
        print_json({"requests": [{"request_id": r.request_id, "kind": r.kind, "status": r.status} for r in done]})
    else:
        for r in done:
            out.print(f"{r.request_id} {r.kind}: {r.status}", markup=False)
    if any(r.status != "completed" for r in done):
        raise typer.Exit(EXIT_FAILED)


@gdpr_app.command("confirm")
def gdpr_confirm(request: Annotated[str, typer.Argument(help="request id (a unique prefix is enough)")],
                 connection: Annotated[str, typer.Argument(help="the system where the record was erased by hand")],
                 note: Annotated[str, typer.Option(help="who did it, and how (no personal data)")] = "",
                 config: ConfigOption = None) -> None:
    """Confirm that a record was erased by hand in a system crmhub cannot erase in."""
    with session(config) as hub:
        from hub.gdpr.erasure import confirm_system

        found = confirm_system(hub, request, connection, note)
    out.print(f"{found.request_id}: {connection} confirmed; request {found.status}", markup=False)
