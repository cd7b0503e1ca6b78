"""Erasure (GDPR Art. 17): Bulk API 2.0 ``hardDelete`` jobs, so nothing waits in the recycle bin.

A Contact goes with its ``Individual`` and every ``ContactPointTypeConsent`` row of that Individual
(Salesforce's "delete plus Individual"): nothing the org keeps about the person's consent remains.

Hard delete needs the "Bulk API Hard Delete" permission in a real org; without it Salesforce fails
the job and the result says so (the record is then only in the recycle bin for 15 days at most).
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from crmhub_salesforce.bulkload import TERMINAL, parse_error
from crmhub_salesforce.client import SalesforceApi
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.consent import CONSENT, INDIVIDUAL, ConsentReader
from crmhub_salesforce.schema import ObjectSchema
from crmhub_salesforce.writing import failed, lookup_rows
from hub.errors import RetriableError
from hub.records import WriteOutcome, WriteResult


def _resolve(api: SalesforceApi, schema: ObjectSchema, record_id: str) -> str | None:
    if schema.is_record_id(record_id):
        return record_id
    rows = lookup_rows(api, schema, [record_id], [])
    row = rows.get(record_id.lower())
    return str(row["Id"]) if row else None


def hard_delete(api: SalesforceApi, config: SalesforceConfig, schema: ObjectSchema, record_id: str,
                consent: ConsentReader | None = None) -> WriteResult:
    """Erase one record by Salesforce Id or hub key; with ``consent``, its Individual and consent rows too.

    The consent rows (of every purpose) go first, then the record, then the Individual: a failure on
    the way leaves what remains findable by the next attempt (the record still names its Individual).
    """
    target = _resolve(api, schema, record_id)
    if target is None:
        return WriteResult(key=record_id, outcome=WriteOutcome.UNCHANGED, message="no such record")
    party = consent.individual_of(schema, target) if consent is not None else None
    steps: list[tuple[str, list[str]]] = []
    if consent is not None and party:
        steps.append((CONSENT, consent.all_consent_ids(party)))
    steps.append((schema.name, [target]))
    if party:
        steps.append((INDIVIDUAL, [party]))
    for obj, ids in steps:
        if not ids:
            continue
        problem = _hard_delete_job(api, config, obj, ids)
        if problem is not None:
            code, message = problem
            return failed(record_id, code, f"{obj}: {message}", target_id=target)
    return WriteResult(key=record_id, outcome=WriteOutcome.DELETED, target_id=target)


def _hard_delete_job(api: SalesforceApi, config: SalesforceConfig, obj: str, ids: list[str]) -> tuple[str, str] | None:
    """Run one Bulk API 2.0 ``hardDelete`` job over ``ids``; ``(code, message)`` when it failed."""
    from simple_salesforce.util import call_salesforce

    job = api.call("erasure job", lambda sf: sf.restful("jobs/ingest", method="POST", json={
        "object": obj, "operation": "hardDelete", "contentType": "CSV", "lineEnding": "LF"}))
    job_id = str(job["id"])
    data = ("Id\n" + "".join(f"{i}\n" for i in ids)).encode()

    def upload(sf: Any) -> None:
        call_salesforce(url=f"{sf.bulk2_url}ingest/{job_id}/batches", method="PUT", session=sf.session,
                        headers={"Authorization": f"Bearer {sf.session_id}", "Content-Type": "text/csv"}, data=data)

    api.call("erasure upload", upload)
    api.call("closing erasure job", lambda sf: sf.restful(f"jobs/ingest/{job_id}", method="PATCH",
                                                           json={"state": "UploadComplete"}))
    deadline = time.monotonic() + config.bulk_timeout
    while True:
        info = api.call("erasure job status", lambda sf: sf.restful(f"jobs/ingest/{job_id}"))
        if info.get("state") in TERMINAL:
            break
        if time.monotonic() > deadline:
            raise RetriableError(f"erasure job {job_id} did not finish in time")
        time.sleep(config.bulk_poll_interval)
    if info.get("state") != "JobComplete" or int(info.get("numberRecordsFailed") or 0):
        text = api.call("erasure failures", lambda sf: getattr(sf.bulk2, obj).get_failed_records(job_id))
        rows = list(csv.DictReader(io.StringIO(text or "")))
        if rows:
            return parse_error(rows[0].get("sf__Error", ""))
        return "JOB_" + str(info.get("state")).upper(), str(info.get("errorMessage", ""))
    return None
