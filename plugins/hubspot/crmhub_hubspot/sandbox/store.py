"""The sandbox's portal: objects, properties, unique indexes, associations and the GDPR blocklist.

Everything lives in memory behind one lock; with a data directory every change is appended to a journal
(``journal.jsonl``) and the whole state is compacted into ``state.json`` at start and stop, so a sandbox
restarted on the same directory holds the same records.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmhub_hubspot.sandbox.schema import MODIFIED_PROPERTY, default_properties

OBJECT_TYPES = ("contacts", "companies")
FIRST_ID = {"contacts": 101, "companies": 9_000_001}
# Association type ids HubSpot defines for contact → company and back (v4 API).
CONTACT_TO_COMPANY_DEFAULT = 279
CONTACT_TO_COMPANY_PRIMARY = 1
COMPANY_TO_CONTACT_DEFAULT = 280
COMPANY_TO_CONTACT_PRIMARY = 2


def iso_ms(ms: int) -> str:
    """Milliseconds since the epoch as HubSpot writes datetimes: ``2024-05-01T10:00:00.123Z``."""
    stamp = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(value: str) -> int | None:
    """A filter or property time value (epoch milliseconds or ISO 8601) as epoch milliseconds."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp() * 1000)


@dataclass(slots=True)
class StoredObject:
    """One CRM object as the portal holds it."""

    id: str
    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    archived: bool = False
    archived_ms: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "properties": self.properties, "created_ms": self.created_ms,
                "updated_ms": self.updated_ms, "archived": self.archived, "archived_ms": self.archived_ms}


@dataclass(slots=True)
class Portal:
    """One object type's records and indexes."""

    object_type: str
    properties: dict[str, dict[str, Any]]
    records: dict[str, StoredObject] = field(default_factory=dict)
    unique: dict[str, dict[str, str]] = field(default_factory=dict)
    next_id: int = 0

    def unique_names(self) -> list[str]:
        names = [n for n, p in self.properties.items() if p["hasUniqueValue"] and n != "hs_object_id"]
        if self.object_type == "contacts":
            names.append("email")  # HubSpot deduplicates contacts by email though the property is not flagged
        return names


class Store:
    """The whole portal, thread-safe. Callers hold :attr:`lock` around a read-modify-write sequence."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.lock = threading.RLock()
        self.version = 0
        self.portals = {t: Portal(t, default_properties(t), next_id=FIRST_ID[t]) for t in OBJECT_TYPES}
        self.associations: dict[str, set[str]] = {}  # contact id → company ids
        self.primary_company: dict[str, str] = {}
        self.blocked_emails: set[str] = set()
        self.subscriptions: dict[str, dict[str, dict[str, Any]]] = {}  # e-mail → subscription id → status
        self._last_ms = 0
        self._journal_path = data_dir / "journal.jsonl" if data_dir else None
        self._snapshot_path = data_dir / "state.json" if data_dir else None
        self._journal: Any = None
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._load()
            self.compact()

    # Clock ------------------------------------------------------------------------------------------
    def now_ms(self) -> int:
        """A strictly increasing millisecond clock, so modification times order writes."""
        ms = max(int(time.time() * 1000), self._last_ms)
        self._last_ms = ms
        return ms

    # Records ----------------------------------------------------------------------------------------
    def portal(self, object_type: str) -> Portal:
        return self.portals[object_type]

    def find(self, object_type: str, id_property: str, value: str) -> StoredObject | None:
        """The live object whose ``id_property`` holds ``value`` (``hs_object_id`` = the record id)."""
        portal = self.portals[object_type]
        if id_property == "hs_object_id":
            obj = portal.records.get(value)
            return obj if obj and not obj.archived else None
        key = value.strip().lower() if id_property == "email" else value
        found = portal.unique.get(id_property, {}).get(key)
        return portal.records.get(found) if found else None

    def owner_of(self, object_type: str, prop: str, value: str) -> str | None:
        key = value.strip().lower() if prop == "email" else value
        return self.portals[object_type].unique.get(prop, {}).get(key)

    def create(self, object_type: str, properties: dict[str, str]) -> StoredObject:
        portal = self.portals[object_type]
        now = self.now_ms()
        obj_id = str(portal.next_id)
        portal.next_id += 1
        props = {k: v for k, v in properties.items() if v != ""}
        obj = StoredObject(obj_id, props, now, now)
        self._stamp(object_type, obj, now, created=True)
        portal.records[obj_id] = obj
        self._index(portal, obj)
        self._changed({"op": "put", "type": object_type, "obj": obj.as_json(), "next_id": portal.next_id})
        return obj

    def update(self, object_type: str, obj: StoredObject, properties: dict[str, str]) -> bool:
        """Set ``properties`` on ``obj``; an empty string clears a value. Returns whether anything changed."""
        portal = self.portals[object_type]
        changed = {k: v for k, v in properties.items() if obj.properties.get(k, "") != v}
        if not changed:
            return False
        self._unindex(portal, obj)
        for key, value in changed.items():
            if value == "":
                obj.properties.pop(key, None)
            else:
                obj.properties[key] = value
        now = self.now_ms()
        obj.updated_ms = now
        self._stamp(object_type, obj, now)
        self._index(portal, obj)
        self._changed({"op": "put", "type": object_type, "obj": obj.as_json()})
        return True

    def archive(self, object_type: str, obj: StoredObject) -> None:
        portal = self.portals[object_type]
        self._unindex(portal, obj)
        now = self.now_ms()
        obj.archived, obj.archived_ms, obj.updated_ms = True, now, now
        self._drop_associations(object_type, obj.id)
        self._changed({"op": "put", "type": object_type, "obj": obj.as_json()})

    def purge(self, object_type: str, obj: StoredObject) -> None:
        """Delete permanently (GDPR); a contact's email goes on the blocklist."""
        portal = self.portals[object_type]
        self._unindex(portal, obj)
        portal.records.pop(obj.id, None)
        self._drop_associations(object_type, obj.id)
        email = obj.properties.get("email", "").strip().lower()
        if object_type == "contacts" and email:
            self.blocked_emails.add(email)
            self.subscriptions.pop(email, None)
        self._changed({"op": "purge", "type": object_type, "id": obj.id, "email": email})

    def set_subscription(self, email: str, subscription_id: str, entry: dict[str, Any]) -> None:
        """Record an address's status in one subscription type."""
        self.subscriptions.setdefault(email, {})[subscription_id] = entry
        self._changed({"op": "subscription", "email": email, "id": subscription_id, "entry": entry})

    def add_property(self, object_type: str, definition: dict[str, Any]) -> None:
        self.portals[object_type].properties[definition["name"]] = definition
        self._changed({"op": "property", "type": object_type, "definition": definition})

    # Associations -----------------------------------------------------------------------------------
    def associate(self, contact_id: str, company_id: str) -> None:
        companies = self.associations.setdefault(contact_id, set())
        if company_id in companies:
            return
        companies.add(company_id)
        if contact_id not in self.primary_company:
            # HubSpot makes a contact's first associated company its primary one.
            self.primary_company[contact_id] = company_id
            contact = self.portals["contacts"].records[contact_id]
            self.update("contacts", contact, {"associatedcompanyid": company_id})
        self._changed({"op": "assoc", "contact": contact_id, "company": company_id})

    def dissociate(self, contact_id: str, company_id: str) -> None:
        companies = self.associations.get(contact_id, set())
        if company_id not in companies:
            return
        companies.discard(company_id)
        if self.primary_company.get(contact_id) == company_id:
            del self.primary_company[contact_id]
            contact = self.portals["contacts"].records.get(contact_id)
            if contact is not None:
                self.update("contacts", contact, {"associatedcompanyid": ""})
        self._changed({"op": "unassoc", "contact": contact_id, "company": company_id})

    def companies_of(self, contact_id: str) -> list[str]:
        return sorted(self.associations.get(contact_id, ()), key=int)

    def contacts_of(self, company_id: str) -> list[str]:
        return sorted((c for c, cos in self.associations.items() if company_id in cos), key=int)

    def _drop_associations(self, object_type: str, obj_id: str) -> None:
        if object_type == "contacts":
            self.associations.pop(obj_id, None)
            self.primary_company.pop(obj_id, None)
            return
        for contact_id in self.contacts_of(obj_id):
            self.dissociate(contact_id, obj_id)

    # Internals --------------------------------------------------------------------------------------
    def _stamp(self, object_type: str, obj: StoredObject, now: int, *, created: bool = False) -> None:
        obj.properties["hs_object_id"] = obj.id
        obj.properties[MODIFIED_PROPERTY[object_type]] = iso_ms(now)
        if created:
            obj.properties["createdate"] = iso_ms(obj.created_ms)

    def _index(self, portal: Portal, obj: StoredObject) -> None:
        if obj.archived:
            return
        for name in portal.unique_names():
            value = obj.properties.get(name)
            if value:
                key = value.strip().lower() if name == "email" else value
                portal.unique.setdefault(name, {})[key] = obj.id

    def _unindex(self, portal: Portal, obj: StoredObject) -> None:
        for name in portal.unique_names():
            value = obj.properties.get(name)
            if value:
                key = value.strip().lower() if name == "email" else value
                index = portal.unique.get(name, {})
                if index.get(key) == obj.id:
                    del index[key]

    def _changed(self, entry: dict[str, Any]) -> None:
        self.version += 1
        if self._journal is not None:
            self._journal.write(json.dumps(entry, separators=(",", ":")) + "\n")

    def flush(self) -> None:
        if self._journal is not None:
            self._journal.flush()

    # Persistence ------------------------------------------------------------------------------------
    def _load(self) -> None:
        assert self._snapshot_path is not None
        assert self._journal_path is not None
        if self._snapshot_path.exists():
            state = json.loads(self._snapshot_path.read_text(encoding="utf-8"))
            for object_type, data in state["portals"].items():
                portal = self.portals[object_type]
                portal.properties.update(data["properties"])
                portal.next_id = data["next_id"]
                for raw in data["records"]:
                    self._restore(portal, raw)
            for contact_id, companies in state["associations"].items():
                self.associations[contact_id] = set(companies)
            self.primary_company = dict(state["primary_company"])
            self.blocked_emails = set(state["blocked_emails"])
            self.subscriptions = {e: dict(subs) for e, subs in state.get("subscriptions", {}).items()}
        if self._journal_path.exists():
            for line in self._journal_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    try:
                        self._replay(json.loads(line))
                    except json.JSONDecodeError:
                        break  # a line torn by a kill: everything before it is intact

    def _restore(self, portal: Portal, raw: dict[str, Any]) -> None:
        old = portal.records.get(raw["id"])
        if old is not None:
            self._unindex(portal, old)
        obj = StoredObject(raw["id"], dict(raw["properties"]), raw["created_ms"], raw["updated_ms"],
                           raw["archived"], raw["archived_ms"])
        portal.records[obj.id] = obj
        self._index(portal, obj)
        self._last_ms = max(self._last_ms, obj.updated_ms)

    def _replay(self, entry: dict[str, Any]) -> None:
        op = entry["op"]
        if op == "put":
            portal = self.portals[entry["type"]]
            self._restore(portal, entry["obj"])
            portal.next_id = max(portal.next_id, entry.get("next_id", 0), int(entry["obj"]["id"]) + 1)
        elif op == "purge":
            portal = self.portals[entry["type"]]
            obj = portal.records.pop(entry["id"], None)
            if obj is not None:
                self._unindex(portal, obj)
            if entry.get("email"):
                self.blocked_emails.add(entry["email"])
                self.subscriptions.pop(entry["email"], None)
        elif op == "subscription":
            self.subscriptions.setdefault(entry["email"], {})[entry["id"]] = entry["entry"]
        elif op == "property":
            self.portals[entry["type"]].properties[entry["definition"]["name"]] = entry["definition"]
        elif op == "assoc":
            self.associations.setdefault(entry["contact"], set()).add(entry["company"])
            self.primary_company.setdefault(entry["contact"], entry["company"])
        elif op == "unassoc":
            self.associations.get(entry["contact"], set()).discard(entry["company"])
            if self.primary_company.get(entry["contact"]) == entry["company"]:
                del self.primary_company[entry["contact"]]

    def compact(self) -> None:
        """Write the whole state to ``state.json`` and start an empty journal."""
        if self._snapshot_path is None or self._journal_path is None:
            return
        with self.lock:
            if self._journal is not None:
                self._journal.close()
            state = {
                "portals": {
                    t: {"properties": p.properties, "next_id": p.next_id,
                        "records": [o.as_json() for o in p.records.values()]}
                    for t, p in self.portals.items()
                },
                "associations": {c: sorted(cos) for c, cos in self.associations.items()},
                "primary_company": self.primary_company,
                "blocked_emails": sorted(self.blocked_emails),
                "subscriptions": self.subscriptions,
            }
            tmp = self._snapshot_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state), encoding="utf-8")
            os.replace(tmp, self._snapshot_path)
            self._journal = self._journal_path.open("w", encoding="utf-8")

    def close(self) -> None:
        if self._journal is not None:
            self.compact()
            self._journal.close()
            self._journal = None
