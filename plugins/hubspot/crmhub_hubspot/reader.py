"""Reading a stream: full loads through the list endpoint, incremental syncs through windowed search.

The cursor moves through two phases, each resumable from its checkpoint:

``list``        ``GET /crm/v3/objects/{type}`` by 100, ordered by id (``after`` = the next id)
``incremental`` ``POST …/search`` on the modification time, from ``(ts, id)`` minus ``overlap_s``

Search never finds archived records, so deletions come from :meth:`Reader.deleted`: the list endpoint with
``archived=true`` (HubSpot's recycle bin), filtered on ``archivedAt``, with its own checkpoint.

Search answers at most 10,000 results per query, so the incremental phase cuts ``[cursor − overlap, now]``
into windows: a window whose ``total`` exceeds 10,000 is halved until each fits. Inside a window pages follow
``hs_object_id`` (keyset, not offsets) so records modified while paging cannot shift others out of sight.
A window is sorted locally by ``(modified, id)`` before it is yielded, so any position is a valid compound
checkpoint. The overlap is read again because HubSpot's search index lags behind writes: a record committed
before the cursor but indexed after it is found there. So that the overlap repeats nothing already yielded, the
cursor carries ``seen`` (record id → modification time yielded) for the records inside the overlap, at most
``SEEN_CAP`` of them (beyond that, repeats are possible and the engine reports them unchanged).
Very wide objects move the properties that do not fit a GET URL into a ``batch/read`` POST body, so no
request hits 414.
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
from crmhub_hubspot.schema import COMPANY_KEY, MODIFIED_PROPERTY, held_values
from hub.records import Checkpoint, DeletedRecord, SourceRecord

LIST_PAGE = 100
SEARCH_PAGE = 200
RESULT_CAP = 10_000
CHECKPOINT_EVERY = 1000
SEEN_CAP = 500


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
        cursor: dict[str, Any] = dict(checkpoint.cursor) if checkpoint else {
            "phase": "list", "after": None, "started_ms": int(self.clock() * 1000)}
        if cursor["phase"] == "list":
            seen: dict[str, int] = {}
            yield from self._list(stream, cursor, seen)
            yield Checkpoint(stream, {"phase": "incremental", "ts": cursor["started_ms"], "id": "",
                                      "seen": self._recent(seen, int(cursor["started_ms"]))})
            return
        yield from self._incremental(stream, cursor)

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        """Records archived (moved to HubSpot's recycle bin) since ``since``; all of them without one."""
        started = int(self.clock() * 1000)
        since_ms = int(since.cursor.get("archived_since", 0)) if since else 0
        for record in self._pages(stream, archived=True, after=None):
            archived_ms = parse_ms(record.get("archivedAt"))
            if archived_ms is None or archived_ms >= since_ms:
                yield DeletedRecord(str(record["id"]), _datetime(archived_ms))
        yield Checkpoint(stream, {"archived_since": started})

    # Full read --------------------------------------------------------------------------------------
    def _list(self, stream: str, cursor: dict[str, Any],
              seen: dict[str, int]) -> Iterator[SourceRecord | Checkpoint]:
        page: list[dict[str, Any]] = []
        horizon = int(cursor["started_ms"]) - int(self.config.overlap_s * 1000)
        order = _order_key(stream)
        for record in self._pages(stream, archived=False, after=cursor.get("after"), cursor=cursor):
            modified = order(record)[0]
            if modified >= horizon:
                seen[str(record["id"])] = modified
            page.append(record)
            if record.get("_page_end"):
                yield from self._records(stream, page)
                page = []
                if cursor.get("after"):  # the last page's checkpoint is the next phase's
                    yield Checkpoint(stream, dict(cursor))
        if page:
            yield from self._records(stream, page)

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
        seen: dict[str, int] = {str(k): int(v) for k, v in (cursor.get("seen") or {}).items()}
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
            fresh = [r for r in window
                     if not (order(r)[0] == position[0] and order(r)[1] <= position[1])
                     and seen.get(str(r["id"])) != order(r)[0]]
            for start in range(0, len(fresh), CHECKPOINT_EVERY):
                chunk = fresh[start:start + CHECKPOINT_EVERY]
                for page in range(0, len(chunk), LIST_PAGE):
                    yield from self._records(stream, chunk[page:page + LIST_PAGE])
                seen.update((str(r["id"]), order(r)[0]) for r in chunk)
                last_ts, last_id = order(chunk[-1])
                if (last_ts, last_id) > (int(cursor["ts"]), _id_key(str(cursor.get("id", "")))):
                    cursor = {**cursor, "ts": last_ts, "id": str(last_id)}
                cursor["seen"] = self._recent(seen, int(cursor["ts"]))
                yield Checkpoint(stream, dict(cursor))
            if high > int(cursor["ts"]):
                cursor = {**cursor, "ts": high, "id": ""}  # the whole window is done, empty or not
                cursor["seen"] = self._recent(seen, high)
                yield Checkpoint(stream, dict(cursor))
        yield Checkpoint(stream, {**cursor, "phase": "incremental"})

    def _recent(self, seen: dict[str, int], cursor_ts: int) -> dict[str, int]:
        """The ``seen`` entries still inside the overlap before ``cursor_ts``, newest ``SEEN_CAP`` at most."""
        horizon = cursor_ts - int(self.config.overlap_s * 1000)
        kept = sorted(((ts, key) for key, ts in seen.items() if ts >= horizon), reverse=True)[:SEEN_CAP]
        return {key: ts for ts, key in kept}

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
    def _records(self, stream: str, raw: list[dict[str, Any]]) -> Iterator[SourceRecord]:
        modified = MODIFIED_PROPERTY[stream]
        company_keys: dict[str, str] = {}
        if stream == "contacts":
            company_keys = self.links.keys_of(
                str(r["properties"]["associatedcompanyid"]) for r in raw
                if (r.get("properties") or {}).get("associatedcompanyid"))
        for record in raw:
            record.pop("_page_end", None)
            data = held_values(record.get("properties"))
            if stream == "companies" and data.get(self.config.key_property):
                self.links.remember(str(data[self.config.key_property]), str(record["id"]))
            company = data.get("associatedcompanyid")
            if company and company in company_keys:
                data[COMPANY_KEY] = company_keys[company]
            updated = parse_ms(data.get(modified)) or parse_ms(record.get("updatedAt"))
            yield SourceRecord(id=str(record["id"]), data=data, ref=f"HubSpot {stream} {record['id']}",
                               updated_at=_datetime(updated))


def _id_key(record_id: str) -> int:
    return int(record_id) if record_id.isdigit() else -1


def _order_key(stream: str) -> Callable[[dict[str, Any]], tuple[int, int]]:
    modified = MODIFIED_PROPERTY[stream]

    def key(record: dict[str, Any]) -> tuple[int, int]:
        props = record.get("properties") or {}
        return parse_ms(props.get(modified)) or parse_ms(record.get("updatedAt")) or 0, _id_key(str(record["id"]))

    return key
