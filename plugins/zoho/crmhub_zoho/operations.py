"""The Zoho operations the connector uses, each one SDK call: fields, records pages, search, deleted, writes.

Responses are returned as Zoho's JSON (the SDK's parsed body); the SDK object decides only which
shape came back. Request bodies are built as the SDK's ``Record``/``Consent`` objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmhub_zoho.client import ZohoClient, http_date
from crmhub_zoho.credits import write_cost


@dataclass(frozen=True, slots=True)
class Page:
    """One page of records and how to get the next one."""

    records: list[dict[str, Any]]
    more: bool
    next_page_token: str | None
    not_modified: bool = False


def fields(client: ZohoClient, module: str) -> list[dict[str, Any]]:
    """``GET /crm/v8/settings/fields?module=…``: the module's field metadata."""
    from zohocrmsdk.src.com.zoho.crm.api import ParameterMap  # type: ignore[import-untyped]
    from zohocrmsdk.src.com.zoho.crm.api.fields import FieldsOperations, GetFieldsParam  # type: ignore[import-untyped]

    params = ParameterMap()
    params.add(GetFieldsParam.module, module)
    _, body, _ = client.call(f"fields of {module}", lambda: FieldsOperations().get_fields(params))
    return list((body or {}).get("fields") or [])


def records_page(client: ZohoClient, module: str, field_names: Sequence[str], *, per_page: int,
                 page_token: str | None = None, page: int | None = None, since: dt.datetime | None = None,
                 ids: Sequence[str] | None = None, sort_by: str = "Modified_Time", sort_order: str = "asc") -> Page:
    """``GET /crm/v8/{module}``: one page, by ``page`` (first 2,000 records) or ``page_token`` (beyond)."""
    from zohocrmsdk.src.com.zoho.crm.api import HeaderMap, ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.record import GetRecordsHeader, GetRecordsParam, RecordOperations  # type: ignore[import-untyped]

    params = ParameterMap()
    params.add(GetRecordsParam.fields, ",".join(field_names))
    params.add(GetRecordsParam.per_page, per_page)
    if page_token:
        params.add(GetRecordsParam.page_token, page_token)
    else:
        params.add(GetRecordsParam.sort_by, sort_by)
        params.add(GetRecordsParam.sort_order, sort_order)
        if page is not None:
            params.add(GetRecordsParam.page, page)
        if ids:
            params.add(GetRecordsParam.ids, ",".join(ids))
    headers = HeaderMap()
    if since is not None and not page_token:
        headers.add(GetRecordsHeader.if_modified_since, http_date(since))
    status, body, _ = client.call(f"records of {module}",
                                  lambda: RecordOperations(module).get_records(params, headers))
    return _page(status, body)


def search(client: ZohoClient, module: str, criteria: str, *, page: int = 1, per_page: int = 200) -> Page:
    """``GET /crm/v8/{module}/search?criteria=…``."""
    from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.record import RecordOperations, SearchRecordsParam

    params = ParameterMap()
    params.add(SearchRecordsParam.criteria, criteria)
    params.add(SearchRecordsParam.page, page)
    params.add(SearchRecordsParam.per_page, per_page)
    status, body, _ = client.call(f"search in {module}", lambda: RecordOperations(module).search_records(params))
    return _page(status, body)


def deleted_page(client: ZohoClient, module: str, *, page: int, per_page: int = 200,
                 since: dt.datetime | None = None) -> Page:
    """``GET /crm/v8/{module}/deleted?type=all``: newest deletions first."""
    from zohocrmsdk.src.com.zoho.crm.api import HeaderMap, ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.record import (
        GetDeletedRecordsHeader,
        GetDeletedRecordsParam,
        RecordOperations,
    )

    params = ParameterMap()
    params.add(GetDeletedRecordsParam.type, "all")
    params.add(GetDeletedRecordsParam.page, page)
    params.add(GetDeletedRecordsParam.per_page, per_page)
    headers = HeaderMap()
    if since is not None:
        headers.add(GetDeletedRecordsHeader.if_modified_since, http_date(since))
    status, body, _ = client.call(f"deleted records of {module}",
                                  lambda: RecordOperations(module).get_deleted_records(params, headers))
    return _page(status, body)


def upsert(client: ZohoClient, module: str, records: Sequence[Any], duplicate_check: Sequence[str]
           ) -> tuple[int, list[dict[str, Any]]]:
    """``POST /crm/v8/{module}/upsert``: per-record results in request order (``status``, ``data``)."""
    from zohocrmsdk.src.com.zoho.crm.api.record import BodyWrapper, RecordOperations

    body = BodyWrapper()
    body.set_data(list(records))
    body.set_duplicate_check_fields(list(duplicate_check))
    body.set_trigger([])
    status, raw, _ = client.call(f"upsert into {module}", lambda: RecordOperations(module).upsert_records(body),
                                 cost=write_cost(len(records)))
    return status, list((raw or {}).get("data") or [])


def delete(client: ZohoClient, module: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    """``DELETE /crm/v8/{module}?ids=…``: per-id results in request order."""
    from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
    from zohocrmsdk.src.com.zoho.crm.api.record import DeleteRecordsParam, RecordOperations

    params = ParameterMap()
    params.add(DeleteRecordsParam.ids, ",".join(ids))
    params.add(DeleteRecordsParam.wf_trigger, False)
    _, raw, _ = client.call(f"delete from {module}", lambda: RecordOperations(module).delete_records(params),
                            cost=write_cost(len(ids)))
    return list((raw or {}).get("data") or [])


def _page(status: int, body: dict[str, Any] | None) -> Page:
    if status in (204, 304) or body is None:
        return Page([], False, None, not_modified=status == 304)
    info = body.get("info") or {}
    return Page(list(body.get("data") or []), bool(info.get("more_records")), info.get("next_page_token"))
