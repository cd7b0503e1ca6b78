"""``crmhub consent show | record | import | propagate``: the consent ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hub.cli.common import EXIT_FAILED, ConfigOption, JsonOption, out, print_json, session
from hub.consent.identifiers import parse_subject

consent_app = typer.Typer(help="The append-only consent ledger: who agreed to what, when, and how it is proven.",
                          no_args_is_help=True)

SubjectArg = Annotated[str, typer.Argument(help="the person: e-mail, phone, national id (TCKN/VKN) or hub id")]
TypeOption = Annotated[str | None, typer.Option("--type", help="email, phone, national_id or hub_id (else guessed)")]


def _opt(help_text: str) -> Any:
    return typer.Option(help=help_text)


@consent_app.command("show")
def consent_show(subject: SubjectArg, kind: TypeOption = None, config: ConfigOption = None,
                 as_json: JsonOption = False) -> None:
    """Show a person's consent history (every system, oldest first) and what stands now per channel."""
    with session(config) as hub:
        from hub.consent.evidence import effective_channels
        from hub.gdpr.subjects import resolve_subject
        from hub.state.privacy import PrivacyStore
        from hub.state.schema import utcnow

        privacy = PrivacyStore(hub.store)
        found = resolve_subject(privacy, parse_subject(subject, kind))
        history = privacy.consent_history(found.ledger_subjects(hub.store.keys))
        current = effective_channels([], history, utcnow())
        suppressed = privacy.suppressed(h for h, _ in found.hmacs(hub.store.keys))
    effective: dict[str, dict[str, Any]] = {
        c: {"status": s.status, "provable": s.provable, "systems": list(s.systems)} for c, s in current.items()}
    reasons = sorted({e.reason for entries in suppressed.values() for e in entries})
    if as_json:
        print_json({"subject": found.pseudonym, "hub_ids": found.hub_ids, "effective": effective,
                    "suppression": reasons, "history": [e.as_dict() for e in history]})
        return
    out.print(f"subject {found.pseudonym[:12]}… hub ids: {', '.join(found.hub_ids) or 'none known'}", markup=False)
    if reasons:
        out.print(f"suppression list: {', '.join(reasons)}", markup=False)
    for channel, state in effective.items():
        out.print(f"{channel}: {state['status']} (from {', '.join(state['systems'])}; "
                  f"{'provable' if state['provable'] else 'not provable'})", markup=False)
    table = Table("recorded", "channel", "purpose", "status", "basis", "captured", "source", "notice", "supersedes")
    for e in history:
        table.add_row(f"{e.recorded_at:%Y-%m-%d %H:%M}" if e.recorded_at else "", e.channel, e.purpose, e.status,
                      e.legal_basis or "", f"{e.captured_at:%Y-%m-%d}" if e.captured_at else "",
                      e.source_system or e.collection_point or "", e.notice_version or "", (e.supersedes_id or "")[:8])
    out.print(table)


@consent_app.command("record")
def consent_record(
    subject: SubjectArg,
    status: Annotated[str, typer.Option(help="granted, denied, withdrawn, pending or expired")],
    channel: Annotated[str, _opt("email, sms, phone, post, or any (consent to the purpose itself)")] = "any",
    purpose: Annotated[str, _opt("what the consent is for")] = "marketing",
    basis: Annotated[str, _opt("legal basis: consent, contract, legal_obligation, legitimate_interest, …")] = "consent",
    regime: Annotated[str | None, _opt("GDPR, KVKK or CCPA")] = None,
    article: Annotated[str | None, _opt("the article relied on, e.g. 6(1)(a) or 5/1")] = None,
    assessment_ref: Annotated[str | None, _opt("legitimate-interest assessment reference")] = None,
    jurisdiction: Annotated[str | None, _opt("ISO country or EU")] = None,
    captured_at: Annotated[str | None, _opt("when it was given (ISO; UTC unless an offset is given)")] = None,
    effective_from: Annotated[str | None, _opt("in force from (ISO)")] = None,
    effective_to: Annotated[str | None, _opt("in force until (ISO)")] = None,
    double_optin_at: Annotated[str | None, _opt("when the double opt-in was confirmed (ISO)")] = None,
    method: Annotated[str | None, _opt("how: web_form, call, paper, sms_reply, …")] = None,
    source_system: Annotated[str | None, _opt("the system it was captured in")] = None,
    collection_point: Annotated[str | None, _opt("the form, page or script it was captured at")] = None,
    notice_id: Annotated[str | None, _opt("privacy notice id")] = None,
    notice_version: Annotated[str | None, _opt("privacy notice version")] = None,
    notice_language: Annotated[str | None, _opt("language of the notice shown")] = None,
    notice_file: Annotated[Path | None, _opt("the notice text shown: kept as its SHA-256")] = None,
    evidence: Annotated[str | None, _opt("where the evidence is kept (recording id, signed form)")] = None,
    actor: Annotated[str, _opt("self, agent or guardian")] = "self",
    iys_status: Annotated[str | None, _opt("İYS permission status for Turkish commercial messages")] = None,
    retention_until: Annotated[str | None, _opt("keep the data until (ISO date)")] = None,
    propagate: Annotated[bool, typer.Option(help="push a withdrawal to every recipient at once")] = True,
    kind: TypeOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Append a consent record (a change supersedes the previous one, nothing is edited)."""
    from hub.consent.recording import parse_statement, record_statement

    raw = {"channel": channel, "purpose": purpose, "status": status, "legal_basis": basis, "regime": regime,
           "article": article, "assessment_ref": assessment_ref, "jurisdiction": jurisdiction,
           "captured_at": captured_at, "effective_from": effective_from, "effective_to": effective_to,
           "double_optin_at": double_optin_at, "capture_method": method, "source_system": source_system,
           "collection_point": collection_point, "notice_id": notice_id, "notice_version": notice_version,
           "notice_language": notice_language, "evidence_ref": evidence, "actor": actor, "iys_status": iys_status,
           "retention_until": retention_until}
    if notice_file is not None:
        raw["notice_text"] = notice_file.read_text(encoding="utf-8")
    with session(config) as hub:
        entries = record_statement(hub, parse_subject(subject, kind), parse_statement(raw))
        pushed = []
        if propagate and status in ("withdrawn", "denied"):
            from hub.gdpr.propagation import propagate_withdrawals

            pushed = propagate_withdrawals(hub)
    if as_json:
        print_json({"recorded": [e.consent_id for e in entries],
                    "propagation": [{"connection": p.connection, "status": p.status} for p in pushed]})
    else:
        for e in entries:
            out.print(f"recorded {e.consent_id} ({e.channel}/{e.purpose}: {e.status})"
                      + (f", supersedes {e.supersedes_id}" if e.supersedes_id else ""), markup=False)
        for p in pushed:
            out.print(f"  told {p.connection}: {p.status} {p.message}", markup=False)
    if any(p.status == "pending" for p in pushed):
        raise typer.Exit(EXIT_FAILED)


@consent_app.command("import")
def consent_import(
    file: Annotated[Path, typer.Argument(help="CSV (header: subject, channel, status, …) or JSONL")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl (default: by extension)")] = None,
    source_system: Annotated[str | None, typer.Option(help="source system of rows that name none")] = None,
    propagate: Annotated[bool, typer.Option(help="push withdrawals to every recipient afterwards")] = True,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import consent records from a file; bad rows are listed by line and skipped."""
    with session(config) as hub:
        from hub.consent.importing import import_file

        report = import_file(hub, file, fmt, source_system)
        pushed = []
        if propagate and report.withdrawals:
            from hub.gdpr.propagation import propagate_withdrawals

            pushed = propagate_withdrawals(hub)
    if as_json:
        print_json({"recorded": report.recorded, "problems": report.problems,
                    "propagated": sum(p.status == "acknowledged" for p in pushed)})
    else:
        out.print(f"recorded {report.recorded} consent record(s); {len(report.problems)} row(s) skipped",
                  markup=False)
        for problem in report.problems:
            out.print(f"  - {problem}", markup=False)
    if report.problems:
        raise typer.Exit(EXIT_FAILED)


@consent_app.command("propagate")
def consent_propagate(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Push withdrawals to every system the person was sent to; retry the recipients that were unreachable."""
    with session(config) as hub:
        from hub.gdpr.propagation import propagate_withdrawals

        pushed = propagate_withdrawals(hub)
    if as_json:
        print_json({"propagation": [{"consent_id": p.consent_id, "connection": p.connection, "status": p.status,
                                     "message": p.message} for p in pushed]})
    else:
        for p in pushed:
            out.print(f"{p.consent_id[:8]} → {p.connection}: {p.status} {p.message}", markup=False)
        out.print(f"{len(pushed)} propagation(s)", markup=False)
    if any(p.status == "pending" for p in pushed):
        raise typer.Exit(EXIT_FAILED)
