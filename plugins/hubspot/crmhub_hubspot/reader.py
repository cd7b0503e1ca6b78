"""Reading a stream: full loads through the list endpoint, incremental syncs through windowed search.

The cursor moves through phases, each resumable from its checkpoint:

``list``        ``GET /crm/v3/objects/{type}`` by 100, ordered by id (``after`` = the next id)
``archived``    the same with ``archived=true``: archived records become tombstones (``deleted=True``)
``incremental`` ``POST …/search`` on the modification time, from ``(ts, id)`` minus ``overlap_s``

Search answers at most 10,000 results per query, so the incremental phase cuts ``[cursor − overlap, now]``
into windows: a window whose ``total`` exceeds 10,000 is halved until each fits. Inside a window pages follow
``hs_object_id`` (keyset, not offsets) so records modified while paging cannot shift others out of sight.
A window is sorted locally by ``(modified, id)`` before it is yielded, so any position is a valid compound
checkpoint. Records in the overlap are read again (HubSpot's search index lags behind writes); the engine's
unchanged detection absorbs the repeats. Very wide objects move the properties that do not fit a GET URL into a
``batch/read`` POST body, so no request hits 414.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from crmhub_hubspot.associations import CompanyLinks
from crmhub_hubspot.client import HubSpotClient
from crmhub_hubspot.config import HubSpotConfig
from crmhub_hubspot.schema import COMPANY_KEY, MODIFIED_PROPERTY
from hub.records import Checkpoint, DeletedRecord, SourceRecord

LIST_PAGE = 100
SEARCH_PAGE = 200
RESULT_CAP = 10_000
CHECKPOINT_EVERY = 1000


def parse_ms(value: str | None) -> int | None:
    """HubSpot's ISO 8601 or epoch-millisecond timestamp as epoch milliseconds."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(parsed.timestamp() * 1000)


def _datetime(ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC) if ms is not None else None


class Reader:
    """Reads one connection's streams."""

    def __init__(self, client: HubSpotClient, config: HubSpotConfig, properties: Callable[[str], list[str]],
                 links: CompanyLinks, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.config = config
        self.properties = properties
        self.links = links
        self.clock = clock

    # Entry point ------------------------------------------------------------------------------------
    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        cursor = dict(checkpoint.cursor) if checkpoint else {"phase": "list", "after": None,
                                                             "started_ms": int(self.clock() * 1000)}
        if cursor["phase"] == "list":
            yield from self._list(stream, cursor, archived=False)
            cursor = {"phase": "archived", "after": None, "started_ms": cursor["started_ms"], "since_ms": 0}
            yield Checkpoint(stream, dict(cursor))
        if cursor["phase"] == "archived":
            if self.config.tombstones:
                yield from self._list(stream, cursor, archived=True)
            cursor = {"phase": "incremental", "ts": cursor["started_ms"], "id": "",
                      "archived_since": cursor["started_ms"]}
            yield Checkpoint(stream, dict(cursor))
            return
        yield from self._incremental(stream, cursor)

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        """Archived records (HubSpot's recycle bin) archived after ``since``."""
        started = int(self.clock() * 1000)
        since_ms = int(since.cursor.get("archived_since", 0)) if since else 0
        for record in self._pages(stream, archived=True, after=None):
            archived_ms = parse_ms(record.get("archivedAt"))
            if archived_ms is None or archived_ms >= since_ms:
                yield DeletedRecord(str(record["id"]), _datetime(archived_ms))
        yield Checkpoint(stream, {"archived_since": started})

    # Full read --------------------------------------------------------------------------------------
    def _list(self, stream: str, cursor: dict[str, Any], *, archived: bool) -> Iterator[SourceRecord | Checkpoint]:
        since = int(cursor.get("since_ms", 0))
        page: list[dict[str, Any]] = []
        for record in self._pages(stream, archived=archived, after=cursor.get("after"), cursor=cursor):
            if archived and (parse_ms(record.get("archivedAt")) or 0) < since:
                continue
            page.append(record)
            if record.get("_page_end"):
                yield from self._records(stream, page, deleted=archived)
                page = []
                if cursor.get("after"):  # the last page's checkpoint is the next phase's
                    yield Checkpoint(stream, dict(cursor))
        if page:
            yield from self._records(stream, page, deleted=archived)

    def _pages(self, stream: str, *, archived: bool, after: str | None,
               cursor: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every object of the list endpoint from ``after``; the last of each page carries ``_page_end``."""
        basic, batch, _ = self.client.objects[stream]
        in_url, in_body = self._split_properties(stream)
        while True:
            kwargs: dict[str, Any] = {"limit": self.config.page_size, "archived": archived}
            if in_url:
                kwargs["properties"] = in_url
            if after:
                kwargs["after"] = after
            answer = self.client.call(basic, "get_page", **kwargs)
            results = answer.body.get("results", [])
            if in_body and results and not archived:
                self._complete(batch, results, in_body)
            after = ((answer.body.get("paging") or {}).get("next") or {}).get("after")
            if cursor is not None:
                cursor["after"] = after
            for index, record in enumerate(results):
                record["_page_end"] = index == len(results) - 1
                yield record
            if not after:
                return

    def _split_properties(self, stream: str) -> tuple[list[str], list[str]]:
        """Properties that fit in a GET URL, and the rest (sent in a POST body instead)."""
        names = self.properties(stream)
        budget = self.config.max_url_length - len(self.config.url) - 120
        in_url: list[str] = []
        for position, name in enumerate(names):
            cost = len("&properties=") + len(quote(name))
            if budget - cost < 0:
                return in_url, names[position:]
            budget -= cost
            in_url.append(name)
        return in_url, []

    def _complete(self, batch_api: Any, results: list[dict[str, Any]], names: list[str]) -> None:
        answer = self.client.call(batch_api, "read", {"inputs": [{"id": r["id"]} for r in results],
                                                      "properties": names})
        extra = {str(r["id"]): r.get("properties") or {} for r in answer.body.get("results", [])}
        for record in results:
            record.setdefault("properties", {}).update(extra.get(str(record["id"]), {}))

    # Incremental ------------------------------------------------------------------------------------
    def _incremental(self, stream: str, cursor: dict[str, Any]) -> Iterator[SourceRecord | Checkpoint]:
        started = int(self.clock() * 1000)
        position = (int(cursor["ts"]), _id_key(str(cursor.get("id", ""))))
        order = _order_key(stream)
        windows = [(max(position[0] - int(self.config.overlap_s * 1000), 0), started)]
        while windows:
            low, high = windows.pop(0)
            first = self._search_window(stream, low, high, after_id=0)
            if int(first.get("total", 0)) > RESULT_CAP and high > low:
                # Split where the cap falls: the RESULT_CAP-th record's time T. [low, T-1] holds fewer than
                # RESULT_CAP records; [T, high] is looked at next (and split again if needed).
                edge = self._cap_time(stream, low, high)
                if edge > low:
                    windows[0:0] = [(low, edge - 1), (edge, high)]
                    continue
                # More than RESULT_CAP records share the millisecond `low`: keyset paging reads them all.
                windows[0:0] = [(low + 1, high)]
                high = low
                first = self._search_window(stream, low, high, after_id=0)
            window = sorted(self._window(stream, low, high, first), key=order)
            fresh = [r for r in window if not (order(r)[0] == position[0] and order(r)[1] <= position[1])]
            for start in range(0, len(fresh), CHECKPOINT_EVERY):
                chunk = fresh[start:start + CHECKPOINT_EVERY]
                for page in range(0, len(chunk), LIST_PAGE):
                    yield from self._records(stream, chunk[page:page + LIST_PAGE], deleted=False)
                last_ts, last_id = order(chunk[-1])
                if (last_ts, last_id) > (int(cursor["ts"]), _id_key(str(cursor.get("id", "")))):
                    cursor = {**cursor, "ts": last_ts, "id": str(last_id)}
                yield Checkpoint(stream, dict(cursor))
            if high > int(cursor["ts"]):
                cursor = {**cursor, "ts": high, "id": ""}  # the whole window is done, empty or not
                yield Checkpoint(stream, dict(cursor))
        if self.config.tombstones:
            since = int(cursor.get("archived_since", 0)) - int(self.config.overlap_s * 1000)
            page_records: list[dict[str, Any]] = []
            for record in self._pages(stream, archived=True, after=None):
                if (parse_ms(record.get("archivedAt")) or 0) >= since:
                    page_records.append(record)
                if record.get("_page_end") and page_records:
                    yield from self._records(stream, page_records, deleted=True)
                    page_records = []
        yield Checkpoint(stream, {**cursor, "phase": "incremental", "archived_since": started})

    def _search_window(self, stream: str, low: int, high: int, *, after_id: int) -> dict[str, Any]:
        """One page of the records modified in ``[low, high]`` with an id above ``after_id``, by id."""
        _, _, search_api = self.client.objects[stream]
        modified = MODIFIED_PROPERTY[stream]
        filters = [{"propertyName": modified, "operator": "GTE", "value": str(low)},
                   {"propertyName": modified, "operator": "LTE", "value": str(high)},
                   {"propertyName": "hs_object_id", "operator": "GT", "value": str(after_id)}]
        body = {"filterGroups": [{"filters": filters}],
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": self.properties(stream), "limit": SEARCH_PAGE}
        return self.client.call(search_api, "do_search", body, search=True).body

    def _cap_time(self, stream: str, low: int, high: int) -> int:
        """The modification time of the RESULT_CAP-th record of ``[low, high]`` in time order."""
        _, _, search_api = self.client.objects[stream]
        modified = MODIFIED_PROPERTY[stream]
        body = {"filterGroups": [{"filters": [{"propertyName": modified, "operator": "GTE", "value": str(low)},
                                              {"propertyName": modified, "operator": "LTE", "value": str(high)}]}],
                "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                "properties": [modified], "limit": 1, "after": str(RESULT_CAP - 1)}
        results = self.client.call(search_api, "do_search", body, search=True).body.get("results", [])
        return _order_key(stream)(results[0])[0] if results else high

    def _window(self, stream: str, low: int, high: int, first: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every record of the window: keyset pages by id (offsets would shift under concurrent edits)."""
        answer = first
        while True:
            results = answer.get("results", [])
            yield from results
            if len(results) < SEARCH_PAGE:
                return
            answer = self._search_window(stream, low, high, after_id=int(results[-1]["id"]))

    # Records ----------------------------------------------------------------------------------------
    def _records(self, stream: str, raw: list[dict[str, Any]], *, deleted: bool) -> Iterator[SourceRecord]:
        modified = MODIFIED_PROPERTY[stream]
        company_keys: dict[str, str] = {}
        if stream == "contacts" and not deleted:
            company_keys = self.links.keys_of(
                str(r["properties"]["associatedcompanyid"]) for r in raw
                if (r.get("properties") or {}).get("associatedcompanyid"))
        for record in raw:
            record.pop("_page_end", None)
            data = {k: v for k, v in (record.get("properties") or {}).items() if v is not None}
            if stream == "companies" and data.get(self.config.key_property):
                self.links.remember(str(data[self.config.key_property]), str(record["id"]))
            company = data.get("associatedcompanyid")
            if company and company in company_keys:
                data[COMPANY_KEY] = company_keys[company]
            updated = parse_ms(data.get(modified)) or parse_ms(record.get("updatedAt"))
            when = parse_ms(record.get("archivedAt")) if deleted else updated
            yield SourceRecord(id=str(record["id"]), data=data, ref=f"HubSpot {stream} {record['id']}",
                               updated_at=_datetime(when), deleted=deleted)


def _id_key(record_id: str) -> int:
    return int(record_id) if record_id.isdigit() else -1


def _order_key(stream: str) -> Callable[[dict[str, Any]], tuple[int, int]]:
    modified = MODIFIED_PROPERTY[stream]

    def key(record: dict[str, Any]) -> tuple[int, int]:
        props = record.get("properties") or {}
        return parse_ms(props.get(modified)) or parse_ms(record.get("updatedAt")) or 0, _id_key(str(record["id"]))

    return key
