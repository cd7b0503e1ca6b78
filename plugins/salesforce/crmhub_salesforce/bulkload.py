"""Bulk API 2.0 ingest for large writes: one upsert job per ``write`` call.

create job → upload the CSV → ``UploadComplete`` → poll → read ``successfulResults``,
``failedResults`` and ``unprocessedrecords``. Salesforce does not keep the upload order in its
results, so every row is matched back to its request by the external-id column. A row that no result
file mentions, or that is unprocessed, fails as retriable: upserting it again is safe.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from crmhub_salesforce.client import SalesforceApi
from crmhub_salesforce.config import SalesforceConfig
from crmhub_salesforce.schema import ObjectSchema
from crmhub_salesforce.writing import Pending, failed
from hub.errors import RetriableError, SchemaError
from hub.records import WriteOutcome, WriteResult

TERMINAL = ("JobComplete", "Failed", "Aborted")
NULL = "#N/A"


def to_cell(value: Any) -> str:
    """A CSV cell: ``#N/A`` clears a field (an empty cell would leave it as it is)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_error(cell: str) -> tuple[str, str]:
    """``CODE:message:fields --`` → ``(CODE, message)``."""
    code, _, rest = cell.partition(":")
    message = rest.rsplit(":", 1)[0] if rest.endswith("--") else rest
    return (code.strip() or "UNKNOWN"), message.strip()


class BulkUpsert:
    """One Bulk API 2.0 upsert job for a list of pending requests."""

    def __init__(self, api: SalesforceApi, config: SalesforceConfig, schema: ObjectSchema) -> None:
        self.api = api
        self.config = config
        self.schema = schema

    def csv_payload(self, items: list[Pending]) -> bytes:
        key = self.schema.key.name
        columns = sorted({name for item in items for name in item.payload})
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([key, *columns])
        for item in items:
            # absent fields stay empty (left as they are); explicit None becomes #N/A (cleared)
            writer.writerow([item.request.key, *(to_cell(item.payload[c]) if c in item.payload else ""
                                                 for c in columns)])
        return buffer.getvalue().encode("utf-8")

    def run(self, items: list[Pending]) -> list[WriteResult]:
        from simple_salesforce.util import call_salesforce

        obj, key = self.schema.name, self.schema.key.name
        data = self.csv_payload(items)
        job = self.api.call(f"bulk job for {obj}", lambda sf: sf.restful("jobs/ingest", method="POST", json={
            "object": obj, "operation": "upsert", "externalIdFieldName": key, "contentType": "CSV",
            "lineEnding": "LF", "columnDelimiter": "COMMA"}))
        job_id = str(job["id"])

        def upload(sf: Any) -> None:
            call_salesforce(url=f"{sf.bulk2_url}ingest/{job_id}/batches", method="PUT", session=sf.session,
                            headers={"Authorization": f"Bearer {sf.session_id}", "Content-Type": "text/csv",
                                     "Accept": "application/json"}, data=data)

        self.api.call(f"bulk upload for {obj}", upload)
        self.api.call(f"closing bulk job for {obj}", lambda sf: sf.restful(
            f"jobs/ingest/{job_id}", method="PATCH", json={"state": "UploadComplete"}))
        info = self._wait(job_id)
        if info.get("state") == "Failed" and "Field name not found" in str(info.get("errorMessage", "")):
            raise SchemaError(f"Bulk API refused the {obj} upload: {info.get('errorMessage')}")
        return self._results(job_id, items)

    def _wait(self, job_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.config.bulk_timeout
        while True:
            info: dict[str, Any] = self.api.call("bulk job status", lambda sf: sf.restful(f"jobs/ingest/{job_id}"))
            if info.get("state") in TERMINAL:
                return info
            if time.monotonic() > deadline:
                raise RetriableError(f"Bulk API job {job_id} still {info.get('state')} after "
                                     f"{self.config.bulk_timeout:.0f} s; its records will be upserted again")
            time.sleep(self.config.bulk_poll_interval)

    def _results(self, job_id: str, items: list[Pending]) -> list[WriteResult]:
        key = self.schema.key.name
        obj = self.schema.name
        successful = self.api.call("bulk successful results",
                                   lambda sf: getattr(sf.bulk2, obj).get_successful_records(job_id))
        failures = self.api.call("bulk failed results", lambda sf: getattr(sf.bulk2, obj).get_failed_records(job_id))
        unprocessed = self.api.call("bulk unprocessed records",
                                    lambda sf: getattr(sf.bulk2, obj).get_unprocessed_records(job_id))
        by_key: dict[str, WriteResult] = {}
        for row in _rows(successful):
            k = row.get(key, "")
            outcome = WriteOutcome.CREATED if row.get("sf__Created", "").lower() == "true" else WriteOutcome.UPDATED
            by_key[k.lower()] = WriteResult(key=k, outcome=outcome, target_id=row.get("sf__Id") or None)
        for row in _rows(failures):
            code, message = parse_error(row.get("sf__Error", ""))
            by_key[row.get(key, "").lower()] = failed(row.get(key, ""), code, message,
                                                      target_id=row.get("sf__Id") or None)
        for row in _rows(unprocessed):
            by_key[row.get(key, "").lower()] = failed(row.get(key, ""), "UNPROCESSED",
                                                      "the Bulk API job stopped before this record", retriable=True)
        out = []
        for item in items:
            result = by_key.get(item.request.key.lower())
            if result is None:
                result = failed(item.request.key, "NOT_REPORTED", "the Bulk API job reported nothing for this "
                                                                  "record", retriable=True)
            result.key = item.request.key
            out.append(result)
        return out


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text or "")))
