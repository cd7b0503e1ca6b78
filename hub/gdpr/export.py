"""``crmhub gdpr export``: everything held on a person, in every connected system and in crmhub itself.

GDPR Art. 15/20 and KVKK Art. 11: each system is asked by hub id and by the person's own record
ids (``lookup``), and the answer carries the records in the system's field names and in canonical
form, the consent history with its proof, where the person was sent and when, suppression entries,
earlier requests and the audit trail. CSV output is one long table and formula-safe (OWASP).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from typing import Any

from hub.connectors.files.formula import neutralise
from hub.consent.identifiers import Identifier
from hub.gdpr.deadlines import earliest_deadline
from hub.gdpr.subjects import resolve_subject
from hub.gdpr.systems import SystemAccess
from hub.state.audit import AuditEvent
from hub.state.privacy import PrivacyStore
from hub.state.schema import utcnow
from hub.state.subject_requests import SubjectRequest

__all__ = ["collect", "to_csv", "to_json"]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def collect(hub: Any, given: Identifier) -> dict[str, Any]:
    """Gather the export of the person ``given`` names; the request is recorded and audited."""
    privacy = PrivacyStore(hub.store)
    keys = hub.store.keys
    access = SystemAccess(hub)
    subject = resolve_subject(privacy, given)
    links = privacy.links(subject.hub_ids)
    systems = []
    for connection in sorted(hub.config.connections):
        own_ids = sorted({link.record_id for link in links if link.connection == connection})
        answer = access.lookup(connection, "contacts", [*subject.hub_ids, *own_ids])
        records = [{"key": key, **_plain(found)} for key, found in sorted(answer.records.items())]
        systems.append({"connection": connection, "connector": hub.config.connections[connection].connector_class.name,
                        "stream": "contacts", "status": answer.status, "message": answer.message,
                        "records": records})
    subjects = subject.ledger_subjects(keys)
    consent = privacy.consent_history(subjects)
    propagation = privacy.propagation_of(e.consent_id for e in consent)
    hmacs = [h for h, _ in subject.hmacs(keys)]
    chosen, due = earliest_deadline(list(hub.config.settings.consent.regimes), utcnow())
    request = SubjectRequest(kind="export", subject=subject.pseudonym, hub_ids=subject.hub_ids, regime=chosen,
                             due_at=due, status="completed" if all(s["status"] != "pending" for s in systems)
                             else "pending", completed_at=utcnow(),
                             detail={"systems": {s["connection"]: s["status"] for s in systems}})
    export = {
        "subject": {"kind": given.kind, "pseudonym": subject.pseudonym},
        "generated_at": utcnow().isoformat(),
        "request_id": request.request_id,
        "hub_ids": subject.hub_ids,
        "systems": systems,
        "consent": [e.as_dict() for e in consent],
        "consent_propagation": [_plain(dataclasses.asdict(p)) for p in propagation],
        "recipients": [{"connection": r.connection, "stream": r.stream, "first_at": r.first_at.isoformat(),
                        "last_at": r.last_at.isoformat()} for r in privacy.recipients(subject.hub_ids)],
        "suppression": [{"id_type": e.id_type, "reason": e.reason, "scope": e.scope, "request_id": e.request_id,
                         "created_at": e.created_at.isoformat()}
                        for found in privacy.suppressed(hmacs).values() for e in found],
        "requests": [{"request_id": r.request_id, "kind": r.kind, "status": r.status, "regime": r.regime,
                      "received_at": r.received_at.isoformat(), "due_at": r.due_at.isoformat()}
                     for r in privacy.requests(subject=subject.pseudonym)],
        "audit": privacy.audit_trail([*subject.hub_ids, subject.pseudonym]),
    }
    privacy.open_request(request)
    hub.store.audit_many([AuditEvent("gdpr.export.completed", subject.pseudonym, {
        "request_id": request.request_id, "systems": request.detail["systems"],
        "records": sum(len(s["records"]) for s in systems), "consent_records": len(consent)})])
    return export


def to_json(export: dict[str, Any]) -> str:
    """The export as indented JSON (UTF-8 kept)."""
    return json.dumps(export, indent=2, ensure_ascii=False, default=str)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return neutralise(text)


def to_csv(export: dict[str, Any]) -> str:
    """One row per value: ``section, system, record, field, value``; every cell formula-neutralised."""
    rows: list[tuple[Any, ...]] = [("subject", "", export["subject"]["pseudonym"], "kind", export["subject"]["kind"])]
    for system in export["systems"]:
        rows.append(("system", system["connection"], "", "status", system["status"]))
        for record in system["records"]:
            for name, value in record["fields"].items():
                if value not in (None, ""):
                    rows.append(("record", system["connection"], record["key"], name, value))
    for entry in export["consent"]:
        for name, value in entry.items():
            if value not in (None, [], ""):
                rows.append(("consent", entry.get("source_system") or "", entry["consent_id"], name, value))
    for section in ("consent_propagation", "recipients", "suppression", "requests"):
        for index, item in enumerate(export[section]):
            for name, value in item.items():
                rows.append((section, item.get("connection", ""), str(index), name, value))
    for entry in export["audit"]:
        rows.append(("audit", entry["event"], str(entry["id"]), "details", entry["details"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "system", "record", "field", "value"])
    for row in rows:
        writer.writerow([_cell("" if v is None else v) for v in row])
    return buffer.getvalue()
