"""Bulk API 2.0 ingest: create a job, upload one CSV, close it, poll it, read its results.

Jobs process in the background in 10,000-record chunks (one transaction each), as Salesforce does.
Results are CSV: ``successfulResults`` (``sf__Id``, ``sf__Created``, the uploaded columns),
``failedResults`` (``sf__Id``, ``sf__Error``, the uploaded columns) and ``unprocessedrecords``.
An empty cell leaves a field as it is; ``#N/A`` sets it to null.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
from typing import TYPE_CHECKING, Any

from crmhub_salesforce.sandbox import ids, records
from crmhub_salesforce.sandbox.catalog import FieldDef, ObjectDef, object_def
from crmhub_salesforce.sandbox.errors import ApiFault, RecordError, not_found
from crmhub_salesforce.sandbox.records import SaveResult
from crmhub_salesforce.sandbox.values import BadValue, format_datetime, from_text
from crmhub_salesforce.sandbox.wire import CSV_TYPE, Request, Response

if TYPE_CHECKING:
    from crmhub_salesforce.sandbox.app import Org

CHUNK = 10_000
MAX_UPLOAD_BYTES = 150 * 1024 * 1024
OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
TERMINAL = ("JobComplete", "Failed", "Aborted")
_SHORT_KEYS = ("id", "operation", "object", "createdById", "createdDate", "systemModstamp", "state",
               "externalIdFieldName", "concurrencyMode", "contentType", "apiVersion", "contentUrl", "lineEnding",
               "columnDelimiter")


def _bulk_error(status: int, code: str, message: str) -> ApiFault:
    return ApiFault(status, code, message)


def _now() -> str:
    return format_datetime(dt.datetime.now(dt.UTC))


def _load(org: Org, job_id: str) -> dict[str, Any]:
    loaded = org.store.load_job(job_id)
    if loaded is None:
        raise not_found()
    return loaded[0]


def _short(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in _SHORT_KEYS if k in info}


def create_job(org: Org, req: Request) -> Response:
    req.require_content_type("application/json")
    body = req.json_object()
    operation = body.get("operation")
    obj = object_def(str(body.get("object", "")))
    if operation not in OPERATIONS:
        raise _bulk_error(400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}")
    if obj is None:
        raise _bulk_error(400, "INVALIDENTITY", f"InvalidEntity : Entity '{body.get('object')}' is not supported "
                                                "by the Bulk API.")
    if body.get("contentType", "CSV") != "CSV":
        raise _bulk_error(400, "INVALIDJOB", "InvalidJob : contentType must be CSV")
    delimiter = body.get("columnDelimiter", "COMMA")
    line_ending = body.get("lineEnding", "LF")
    if delimiter not in DELIMITERS or line_ending not in ("LF", "CRLF"):
        raise _bulk_error(400, "INVALIDJOB", "InvalidJob : invalid columnDelimiter or lineEnding")
    external = body.get("externalIdFieldName")
    if operation == "upsert":
        fdef = obj.get(str(external or ""))
        if fdef is None or not (fdef.external_id or fdef.name == "Id"):
            raise _bulk_error(400, "INVALIDJOB", f"InvalidJob : External ID was blank or is not an external id "
                                                 f"field: {external}")
        external = fdef.name
    job_id = org.store.new_id("750")
    now = _now()
    info = {"id": job_id, "operation": operation, "object": obj.name, "createdById": "0055g00000SbXAPAA3",
            "createdDate": now, "systemModstamp": now, "state": "Open", "concurrencyMode": "Parallel",
            "contentType": "CSV", "apiVersion": float(req.version), "jobType": "V2Ingest",
            "contentUrl": f"services/data/v{req.version}/jobs/ingest/{job_id}/batches", "lineEnding": line_ending,
            "columnDelimiter": delimiter, "numberRecordsProcessed": 0, "numberRecordsFailed": 0, "retries": 0,
            "totalProcessingTime": 0, "apiActiveProcessingTime": 0, "apexProcessingTime": 0}
    if external:
        info["externalIdFieldName"] = external
    org.store.save_job(info)
    return Response(200, _short(info))


def upload(org: Org, req: Request, job_id: str) -> Response:
    info = _load(org, job_id)
    req.require_content_type("text/csv")
    if info["state"] != "Open":
        raise _bulk_error(409, "INVALIDJOBSTATE", f"Job {job_id} is not in the Open state")
    if org.store.load_job(job_id)[1] is not None:  # type: ignore[index]
        raise _bulk_error(400, "BULK_API_ERROR",
                          f"Found multiple contents for job: <{job_id}>, please 'Close' / 'Abort' / 'Delete' the "
                          "current Job then create a new Job and make sure you only do 'PUT' once on a given Job.")
    if len(req.body) > MAX_UPLOAD_BYTES:
        raise _bulk_error(413, "BULK_API_ERROR", "Upload exceeds the 150 MB limit")
    org.store.save_job(info, upload=req.body)
    return Response(201)


def job(org: Org, req: Request, job_id: str) -> Response:
    """GET the job, PATCH its state (UploadComplete / Aborted), or DELETE it."""
    info = _load(org, job_id)
    if req.method == "GET":
        return Response(200, info)
    if req.method == "DELETE":
        if info["state"] not in (*TERMINAL, "UploadComplete"):
            raise _bulk_error(400, "INVALIDJOBSTATE", "A job can be deleted only once it is complete, failed or "
                                                      "aborted")
        org.store.save_job({**info, "state": "Deleted"})
        return Response(204)
    state = req.json_object().get("state")
    if state == "UploadComplete":
        if info["state"] != "Open":
            raise _bulk_error(409, "INVALIDJOBSTATE", f"Job {job_id} is not in the Open state")
        info.update(state="UploadComplete", systemModstamp=_now())
        org.store.save_job(info)
        threading.Thread(target=_process, args=(org, job_id), name=f"bulk-{job_id}", daemon=True).start()
    elif state == "Aborted":
        if info["state"] in TERMINAL:
            raise _bulk_error(409, "INVALIDJOBSTATE", f"Job {job_id} is already {info['state']}")
        info.update(state="Aborted", systemModstamp=_now())
        org.store.save_job(info)
    else:
        raise _bulk_error(400, "INVALIDJOBSTATE", f"Invalid state change: {state}")
    return Response(200, _short(info))


def list_jobs(org: Org, req: Request) -> Response:
    jobs = [_short(j) for j in org.store.jobs() if j["state"] != "Deleted"]
    return Response(200, {"done": True, "records": jobs, "nextRecordsUrl": None})


def results(org: Org, req: Request, job_id: str, kind: str) -> Response:
    loaded = org.store.load_job(job_id)
    if loaded is None:
        raise not_found()
    info, _, stored = loaded
    wanted = {"successfulresults": "successful", "failedresults": "failed",
              "unprocessedrecords": "unprocessed"}.get(kind.lower())
    if wanted is None:
        raise not_found()
    if info["state"] not in TERMINAL or stored is None:
        raise _bulk_error(400, "INVALIDJOBSTATE", f"Job {job_id} has not finished processing")
    return Response(200, stored[wanted], content_type=CSV_TYPE)


# Processing -----------------------------------------------------------------------------------------
def _process(org: Org, job_id: str) -> None:
    started = time.monotonic()
    info, upload_bytes, _ = org.store.load_job(job_id)  # type: ignore[misc]
    obj = object_def(info["object"])
    assert obj is not None
    info.update(state="InProgress", systemModstamp=_now())
    org.store.save_job(info)
    header, rows, problem = _parse(upload_bytes or b"", info, obj)
    out = _Results(header)
    if problem:
        info.update(state="Failed", errorMessage=problem)
        out.unprocessed = rows
    else:
        _run_chunks(org, info, obj, header, rows, out)
    info.update(numberRecordsProcessed=out.processed, numberRecordsFailed=out.failed_count,
                systemModstamp=_now(), totalProcessingTime=int((time.monotonic() - started) * 1000))
    info["apiActiveProcessingTime"] = info["totalProcessingTime"]
    if info["state"] == "InProgress":
        info["state"] = "JobComplete"
    org.store.save_job(info, results=out.as_csv(info))


def _run_chunks(org: Org, info: dict[str, Any], obj: ObjectDef, header: list[str], rows: list[list[str]],
                out: _Results) -> None:
    fields = [obj.get(name) for name in header]
    fail_after = org.settings.bulk_fail_after_chunks
    for number, start in enumerate(range(0, len(rows), CHUNK)):
        current = org.store.load_job(info["id"])
        if current and current[0]["state"] == "Aborted":
            info["state"] = "Aborted"
            out.unprocessed = rows[start:]
            return
        if fail_after is not None and number >= fail_after:
            info.update(state="Failed", errorMessage="InternalServerError : the job failed while processing")
            out.unprocessed = rows[start:]
            return
        if org.settings.bulk_chunk_delay_ms:
            time.sleep(org.settings.bulk_chunk_delay_ms / 1000)
        chunk = rows[start:start + CHUNK]
        with org.store.transaction():
            for row, result in zip(chunk, _save_chunk(org, info, obj, fields, chunk), strict=True):
                out.add(row, result)


def _save_chunk(org: Org, info: dict[str, Any], obj: ObjectDef, fields: list[FieldDef | None],
                chunk: list[list[str]]) -> list[SaveResult]:
    operation = info["operation"]
    key = obj.get(info.get("externalIdFieldName") or "Id")
    key_index = next((i for i, f in enumerate(fields) if f is key), None)
    dupes = records.duplicate_keys([r[key_index] for r in chunk]) if key_index is not None and \
        operation == "upsert" else set()
    results = []
    for row in chunk:
        values, errors = _values(obj, fields, row)
        if errors:
            results.append(SaveResult(errors=errors))
            continue
        record_id = str(values.pop("Id", "") or "")
        if operation in ("delete", "hardDelete"):
            results.append(_delete(org, obj, record_id, hard=operation == "hardDelete"))
        elif operation == "insert":
            results.append(records.create(org.store, obj, values))
        elif operation == "update":
            if not ids.is_valid(record_id):
                results.append(SaveResult(errors=[RecordError("MISSING_ARGUMENT", "Id not specified in an update "
                                                                                  "call", ())]))
            else:
                results.append(records.update(org.store, obj, ids.to18(record_id), values))
        else:
            assert key is not None
            value = values.pop(key.name, None)
            if value is not None and str(value).lower() in dupes:
                results.append(SaveResult(errors=[records.duplicate_error(key, value)]))
            else:
                results.append(records.upsert(org.store, obj, key, value, values))
    return results


def _delete(org: Org, obj: ObjectDef, record_id: str, *, hard: bool) -> SaveResult:
    if not ids.is_valid(record_id):
        return SaveResult(errors=[RecordError("MALFORMED_ID", f"malformed id {record_id}")])
    rid = ids.to18(record_id)
    if org.store.get(obj, rid, include_deleted=hard) is None:
        return SaveResult(errors=[RecordError("ENTITY_IS_DELETED", "entity is deleted")])
    if hard:
        org.store.hard_delete(obj, rid)
    else:
        org.store.soft_delete(obj, rid)
    return SaveResult(id=rid)


def _values(obj: ObjectDef, fields: list[FieldDef | None], row: list[str]) -> tuple[dict[str, Any],
                                                                                    list[RecordError]]:
    values: dict[str, Any] = {}
    for fdef, cell in zip(fields, row, strict=False):
        if fdef is None or cell == "":
            continue
        if cell == "#N/A":
            values[fdef.name] = None
            continue
        try:
            values[fdef.name] = from_text(fdef, cell)
        except BadValue:
            label = obj.labels[fdef.name]
            return {}, [RecordError("INVALID_TYPE_ON_FIELD_IN_RECORD", f"{label}: value not of required type: "
                                                                       f"{cell}", (fdef.name,))]
    return values, []


def _parse(data: bytes, info: dict[str, Any], obj: ObjectDef) -> tuple[list[str], list[list[str]], str | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [], "InvalidBatch : The data is not valid UTF-8"
    if info["lineEnding"] == "CRLF" and "\n" in text.replace("\r\n", ""):
        return [], [], "InvalidBatch : LineEnding is invalid on user data. Current LineEnding setting is CRLF"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[info["columnDelimiter"]])
    rows = [r for r in reader if r]
    if not rows:
        return [], [], "InvalidBatch : Failed to process query: no batch data"
    header, body = rows[0], rows[1:]
    for name in header:
        if obj.get(name) is None:
            return header, body, f"InvalidBatch : Field name not found : {name}"
    operation = info["operation"]
    if operation in ("delete", "hardDelete") and [h.lower() for h in header] != ["id"]:
        return header, body, "InvalidBatch : The 'delete/hardDelete' batch must contain only 'Id'"
    if operation == "upsert" and info["externalIdFieldName"].lower() not in (h.lower() for h in header):
        return header, body, f"InvalidBatch : Field name not found : {info['externalIdFieldName']}"
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            return header, body, f"InvalidBatch : Wrong number of columns in row {number}"
    return header, body, None


class _Results:
    """Result rows of one job, turned into the three CSV files at the end."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.successful: list[list[str]] = []
        self.failed: list[list[str]] = []
        self.unprocessed: list[list[str]] = []

    @property
    def processed(self) -> int:
        return len(self.successful) + len(self.failed)

    @property
    def failed_count(self) -> int:
        return len(self.failed)

    def add(self, row: list[str], result: SaveResult) -> None:
        if result.success:
            self.successful.append([result.id or "", "true" if result.created else "false", *row])
        else:
            self.failed.append([result.id or "", " ".join(e.as_bulk_error() for e in result.errors), *row])

    def as_csv(self, info: dict[str, Any]) -> dict[str, str]:
        def render(head: list[str], rows: list[list[str]]) -> str:
            buffer = io.StringIO()
            writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow(head)
            writer.writerows(rows)
            return buffer.getvalue()

        return {"successful": render(["sf__Id", "sf__Created", *self.header], self.successful),
                "failed": render(["sf__Id", "sf__Error", *self.header], self.failed),
                "unprocessed": render(self.header, self.unprocessed)}
