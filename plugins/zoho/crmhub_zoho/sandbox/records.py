"""The records API of the sandbox org: get (paged by ``page`` or ``page_token``), search, deleted, writes.

Handlers are plain methods returning ``(status, body or None)`` and raising :class:`ZohoError`;
the HTTP server in :mod:`crmhub_zoho.sandbox.server` routes to them.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from crmhub_zoho.sandbox import errors
from crmhub_zoho.sandbox.criteria import CriteriaError, equals_any, parse
from crmhub_zoho.sandbox.schema import STOP_PROCESSING, USER, ModuleDef
from crmhub_zoho.sandbox.store import RecordStore, StoredRecord

MAX_PER_PAGE = 200
MAX_FIELDS = 50
DISCRETE_LIMIT = 2000
MAX_WRITE = 100
MAX_IDS = 100
MAX_VIA_PAGE_TOKEN = 100_000
Response = tuple[int, dict[str, Any] | None]


def iso(epoch: int) -> str:
    """Zoho's datetime format: ISO 8601 to the second with an offset."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_iso(text: str) -> int:
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp())


@dataclass(slots=True)
class PageCursor:
    """What a ``next_page_token`` stands for: the query and where its next page starts."""

    module: str
    fields: tuple[str, ...]
    sort_by: str
    descending: bool
    since: int | None
    after: tuple[int, int]
    served: int
    expires: int
    per_page: int


class RecordsApi:
    """Records of every module of the sandbox org."""

    def __init__(self, store: RecordStore, modules: dict[str, ModuleDef], page_token_ttl: int) -> None:
        self.store = store
        self.modules = modules
        self.page_token_ttl = page_token_ttl
        self._tokens: dict[str, PageCursor] = {}
        self._lock = threading.Lock()

    def module(self, name: str) -> ModuleDef:
        module = self.modules.get(name)
        if module is None:
            raise errors.invalid_module(name)
        return module

    # Rendering ----------------------------------------------------------------------------------------
    def render(self, module: ModuleDef, record: StoredRecord, fields: tuple[str, ...] | None) -> dict[str, Any]:
        owner = {"name": USER["name"], "id": USER["id"], "email": USER["email"]}
        full: dict[str, Any] = {
            "Owner": owner, "Created_By": owner, "Modified_By": owner,
            "Created_Time": iso(record.created), "Modified_Time": iso(record.modified),
        }
        for f in module.fields:
            if f.read_only or f.data_type == "ownerlookup":
                continue
            full[f.api_name] = record.data.get(f.api_name)
        consent = record.data.get("Data_Processing_Basis_Details")
        flags: dict[str, Any] = {}
        if "Data_Processing_Basis_Details" in module.by_name:
            if consent:
                full["Data_Processing_Basis_Details"] = {**consent, "id": str(record.id + 900_000_000)}
                full["Data_Processing_Basis"] = consent.get("Data_Processing_Basis")
            else:
                full["Data_Processing_Basis"] = "Not Applicable"
            # a system key of GDPR modules, sent whatever ``fields`` asks for (?)
            basis = consent.get("Data_Processing_Basis") if isinstance(consent, dict) else None
            flags["$stop_processing"] = basis == STOP_PROCESSING
        wanted = full if fields is None else {k: full.get(k) for k in fields}
        return {**wanted, **flags, "id": str(record.id)}

    # GET /crm/v8/{module} -------------------------------------------------------------------------------
    def get_records(self, name: str, query: dict[str, str], headers: dict[str, str]) -> Response:
        module = self.module(name)
        token = query.get("page_token")
        if token is not None:
            return self._continue(module, token, query)
        fields = self._fields(module, query.get("fields"))
        per_page = self._int(query, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
        page = self._int(query, "page", 1, 1, None)
        if page * per_page > DISCRETE_LIMIT:
            raise errors.discrete_pagination_limit(DISCRETE_LIMIT)
        sort_by = query.get("sort_by", "id")
        if sort_by not in ("id", "Created_Time", "Modified_Time"):
            raise errors.invalid_param("sort_by")
        order = query.get("sort_order", "desc")
        if order not in ("asc", "desc"):
            raise errors.invalid_param("sort_order")
        since = self._since(headers)
        ids = self._ids(query.get("ids"))
        rows = self.store.page(module.api_name, sort_by=sort_by, descending=order == "desc", since=since, after=None,
                               offset=(page - 1) * per_page, limit=per_page + 1, ids=ids)
        if not rows:
            return (304, None) if since is not None and page == 1 else (204, None)
        more = len(rows) > per_page
        rows = rows[:per_page]
        info: dict[str, Any] = {"per_page": per_page, "count": len(rows), "page": page, "sort_by": sort_by,
                                "sort_order": order, "more_records": more}
        if more:
            cursor = PageCursor(module.api_name, fields, sort_by, order == "desc", since,
                                self._position(rows[-1], sort_by), page * per_page, 0, per_page)
            info.update(self._issue(cursor))
        return 200, {"data": [self.render(module, r, fields) for r in rows], "info": info}

    def _continue(self, module: ModuleDef, token: str, query: dict[str, str]) -> Response:
        if "page" in query:
            raise errors.invalid_param("page_token")
        with self._lock:
            cursor = self._tokens.get(token)
        if cursor is None or cursor.module != module.api_name:
            raise errors.invalid_param("page_token")
        if cursor.expires <= self.store.now():
            raise errors.page_token_expired()
        per_page = self._int(query, "per_page", cursor.per_page, 1, MAX_PER_PAGE)
        if cursor.served + per_page > MAX_VIA_PAGE_TOKEN:
            raise ZohoLimit.reached(MAX_VIA_PAGE_TOKEN)
        rows = self.store.page(module.api_name, sort_by=cursor.sort_by, descending=cursor.descending,
                               since=cursor.since, after=cursor.after, offset=0, limit=per_page + 1)
        if not rows:
            return 204, None
        more = len(rows) > per_page
        rows = rows[:per_page]
        info: dict[str, Any] = {"per_page": per_page, "count": len(rows), "sort_by": cursor.sort_by,
                                "sort_order": "desc" if cursor.descending else "asc", "more_records": more}
        if more:
            follow = PageCursor(cursor.module, cursor.fields, cursor.sort_by, cursor.descending, cursor.since,
                                self._position(rows[-1], cursor.sort_by), cursor.served + len(rows), 0, per_page)
            info.update(self._issue(follow))
        return 200, {"data": [self.render(module, r, cursor.fields) for r in rows], "info": info}

    def _issue(self, cursor: PageCursor) -> dict[str, Any]:
        cursor.expires = self.store.now() + self.page_token_ttl
        token = secrets.token_hex(32)
        with self._lock:
            self._tokens[token] = cursor
        return {"next_page_token": token, "page_token_expiry": iso(cursor.expires)}

    @staticmethod
    def _position(record: StoredRecord, sort_by: str) -> tuple[int, int]:
        value = {"Modified_Time": record.modified, "Created_Time": record.created, "id": record.id}[sort_by]
        return value, record.id

    def _fields(self, module: ModuleDef, raw: str | None) -> tuple[str, ...]:
        if not raw:
            raise errors.param_missing("fields")
        names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
        if len(names) > MAX_FIELDS:
            raise errors.ZohoError(400, "LIMIT_EXCEEDED", "Max field limit exceeded",
                                   {"limit": MAX_FIELDS, "param_name": "fields"})
        known = set(module.by_name) | {"id"}
        for n in names:
            if n not in known:
                raise errors.invalid_param("fields", api_name=n)
        return names

    @staticmethod
    def _int(query: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
        if name not in query:
            return default
        try:
            value = int(query[name])
        except ValueError:
            raise errors.invalid_param(name) from None
        if value < low or (high is not None and value > high):
            raise errors.invalid_param(name)
        return value

    @staticmethod
    def _since(headers: dict[str, str]) -> int | None:
        raw = headers.get("if-modified-since")
        if not raw:
            return None
        try:
            return parse_iso(raw)
        except ValueError:
            raise errors.ZohoError(400, "INVALID_DATA", "invalid data", {"param_name": "If-Modified-Since"}) from None

    @staticmethod
    def _ids(raw: str | None) -> list[int] | None:
        if raw is None:
            return None
        parts = [p for p in raw.split(",") if p]
        if not parts or len(parts) > MAX_IDS or not all(p.isdigit() for p in parts):
            raise errors.invalid_param("ids")
        return [int(p) for p in parts]

    # GET /crm/v8/{module}/search ------------------------------------------------------------------------
    def search(self, name: str, query: dict[str, str]) -> Response:
        module = self.module(name)
        raw = query.get("criteria")
        if not raw:
            raise errors.param_missing("criteria")
        try:
            predicate, _ = parse(raw)
        except CriteriaError:
            raise errors.ZohoError(400, "INVALID_QUERY", "invalid query formed", {"param_name": "criteria"}) from None
        per_page = self._int(query, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
        page = self._int(query, "page", 1, 1, None)
        if page * per_page > DISCRETE_LIMIT:
            raise errors.discrete_pagination_limit(DISCRETE_LIMIT)
        indexed = equals_any(raw)
        keyed = {f.api_name for f in module.fields if f.unique} | set(module.system_duplicate_fields)
        if indexed and indexed[0] in keyed:  # what Zoho's search index answers at once
            ids = sorted({i for v in indexed[1] if (i := self.store.find_by_key(module.api_name, indexed[0], v))})
            matches = [r for r in (self.store.get(module.api_name, i) for i in ids) if r is not None]
        else:
            matches = [r for r in self.store.all(module.api_name) if predicate(r.data)]
        rows = matches[(page - 1) * per_page: page * per_page]
        if not rows:
            return 204, None
        info = {"per_page": per_page, "count": len(rows), "page": page,
                "more_records": len(matches) > page * per_page}
        return 200, {"data": [self.render(module, r, None) for r in rows], "info": info}

    # GET /crm/v8/{module}/deleted -----------------------------------------------------------------------
    def deleted(self, name: str, query: dict[str, str], headers: dict[str, str]) -> Response:
        module = self.module(name)
        kind = query.get("type", "all")
        kinds = {"all": ("recycle", "permanent"), "recycle": ("recycle",), "permanent": ("permanent",)}.get(kind)
        if kinds is None:
            raise errors.invalid_param("type")
        per_page = self._int(query, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
        page = self._int(query, "page", 1, 1, None)
        since = self._since(headers)
        rows = self.store.deleted_page(module.api_name, kinds, since, (page - 1) * per_page, per_page + 1)
        if not rows:
            return (304, None) if since is not None and page == 1 else (204, None)
        user = {"name": USER["name"], "id": USER["id"]}
        data = [{"deleted_by": user, "id": str(rid), "display_name": display, "type": typ, "created_by": user,
                 "deleted_time": iso(when)} for rid, display, when, typ in rows[:per_page]]
        info = {"per_page": per_page, "count": len(data), "page": page, "more_records": len(rows) > per_page}
        return 200, {"data": data, "info": info}


class ZohoLimit:
    """The error past the number of records one ``page_token`` walk may return."""

    @staticmethod
    def reached(limit: int) -> errors.ZohoError:
        return errors.ZohoError(400, "LIMIT_REACHED", "Record count exceeded", {"limit": limit})

