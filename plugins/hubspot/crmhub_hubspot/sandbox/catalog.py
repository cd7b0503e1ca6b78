"""The properties API (schema), associations v4 between contacts and companies, and the OAuth token endpoint."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from crmhub_hubspot.sandbox import errors as E
from crmhub_hubspot.sandbox.limits import SandboxSettings, Tokens
from crmhub_hubspot.sandbox.objects import Answer, now_iso
from crmhub_hubspot.sandbox.schema import property_definition
from crmhub_hubspot.sandbox.store import (
    COMPANY_TO_CONTACT_DEFAULT,
    COMPANY_TO_CONTACT_PRIMARY,
    CONTACT_TO_COMPANY_DEFAULT,
    CONTACT_TO_COMPANY_PRIMARY,
    Store,
)

OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2"}
MAX_ASSOCIATION_BATCH = 2000
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_TYPES = {"string": ("text", "textarea", "phonenumber", "html"), "number": ("number",),
          "enumeration": ("select", "radio", "checkbox", "booleancheckbox"), "bool": ("booleancheckbox",),
          "date": ("date",), "datetime": ("date",)}
MAX_UNIQUE_PROPERTIES = 10


class Catalog:
    """Handlers for properties, associations and OAuth."""

    def __init__(self, store: Store, tokens: Tokens, settings: SandboxSettings) -> None:
        self.store = store
        self.tokens = tokens
        self.settings = settings

    # Properties -------------------------------------------------------------------------------------
    def list_properties(self, object_type: str) -> Answer:
        with self.store.lock:
            return Answer(200, {"results": list(self.store.portal(object_type).properties.values())})

    def get_property(self, object_type: str, name: str) -> Answer:
        definition = self.store.portal(object_type).properties.get(name)
        if definition is None:
            raise E.http_error(404, "OBJECT_NOT_FOUND", f"Unable to find property {name}")
        return Answer(200, definition)

    def create_property(self, object_type: str, body: dict[str, Any]) -> Answer:
        name, type_, field_type = body.get("name"), body.get("type"), body.get("fieldType")
        if not isinstance(name, str) or not _NAME.match(name):
            raise E.http_error(400, "VALIDATION_ERROR", f"Invalid property name {name!r}")
        if type_ not in _TYPES or field_type not in _TYPES[type_]:
            raise E.http_error(400, "VALIDATION_ERROR", f"Invalid type/fieldType {type_}/{field_type}")
        if not body.get("label") or not body.get("groupName"):
            raise E.http_error(400, "VALIDATION_ERROR", "label and groupName are required")
        with self.store.lock:
            portal = self.store.portal(object_type)
            if name in portal.properties:
                raise E.http_error(409, "OBJECT_ALREADY_EXISTS", f"A property named '{name}' already exists.")
            unique = bool(body.get("hasUniqueValue"))
            if unique and len(portal.unique_names()) >= MAX_UNIQUE_PROPERTIES + (object_type == "contacts"):
                raise E.http_error(400, "VALIDATION_ERROR",
                                   "This object already has the maximum of 10 unique properties")
            options = tuple(o["value"] for o in body.get("options") or [] if isinstance(o, dict) and "value" in o)
            definition = property_definition(name, str(body["label"]), type_, field_type, options,
                                              unique=unique, hubspot_defined=False, group=str(body["groupName"]))
            definition["description"] = str(body.get("description", ""))
            self.store.add_property(object_type, definition)
        return Answer(201, definition, committed=True)

    # Associations v4 --------------------------------------------------------------------------------
    def _pair(self, from_type: str, to_type: str) -> None:
        if {from_type, to_type} != {"contacts", "companies"}:
            raise E.http_error(400, "VALIDATION_ERROR", f"No association type between {from_type} and {to_type}")

    def _link(self, from_type: str, from_id: str, to_id: str) -> dict[str, Any]:
        contact_id, company_id = (from_id, to_id) if from_type == "contacts" else (to_id, from_id)
        if self.store.find("contacts", "hs_object_id", contact_id) is None or \
                self.store.find("companies", "hs_object_id", company_id) is None:
            raise E.http_error(404, "OBJECT_NOT_FOUND", "One or more objects of the association do not exist")
        self.store.associate(contact_id, company_id)
        type_id = CONTACT_TO_COMPANY_DEFAULT if from_type == "contacts" else COMPANY_TO_CONTACT_DEFAULT
        return {"associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
                "from": {"id": from_id}, "to": {"id": to_id}}

    def associate_default(self, from_type: str, from_id: str, to_type: str, to_id: str) -> Answer:
        self._pair(from_type, to_type)
        started = now_iso()
        with self.store.lock:
            result = self._link(from_type, from_id, to_id)
        return Answer(200, {"status": "COMPLETE", "results": [result], "startedAt": started,
                            "completedAt": now_iso()}, committed=True)

    def batch_associate_default(self, from_type: str, to_type: str, body: dict[str, Any]) -> Answer:
        self._pair(from_type, to_type)
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs or len(inputs) > MAX_ASSOCIATION_BATCH:
            raise E.http_error(400, "VALIDATION_ERROR",
                               f"'inputs' must hold between 1 and {MAX_ASSOCIATION_BATCH} associations")
        started = now_iso()
        results, failed = [], []
        with self.store.lock:
            for item in inputs:
                try:
                    from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
                except (KeyError, TypeError):
                    raise E.http_error(400, "VALIDATION_ERROR", "Each input needs from.id and to.id") from None
                try:
                    results.append(self._link(from_type, from_id, to_id))
                except E.HttpError:
                    failed.append(f"{from_id}->{to_id}")
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                                  "completedAt": now_iso()}
        if failed:
            answer["numErrors"] = len(failed)
            answer["errors"] = [E.standard_error("OBJECT_NOT_FOUND", "Objects of these associations do not exist",
                                                 context={"associations": failed})]
        return Answer(200, answer, committed=bool(results))

    def batch_read_associations(self, from_type: str, to_type: str, body: dict[str, Any]) -> Answer:
        self._pair(from_type, to_type)
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs or len(inputs) > 1000:
            raise E.http_error(400, "VALIDATION_ERROR", "'inputs' must hold between 1 and 1000 ids")
        started = now_iso()
        results = []
        with self.store.lock:
            for item in inputs:
                obj_id = str(item.get("id", "")) if isinstance(item, dict) else ""
                targets = self._targets(from_type, obj_id)
                if targets:
                    results.append({"from": {"id": obj_id}, "to": targets})
        return Answer(200, {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": now_iso()})

    def list_associations(self, from_type: str, from_id: str, to_type: str) -> Answer:
        self._pair(from_type, to_type)
        with self.store.lock:
            return Answer(200, {"results": self._targets(from_type, from_id)})

    def _targets(self, from_type: str, obj_id: str) -> list[dict[str, Any]]:
        if from_type == "contacts":
            primary = self.store.primary_company.get(obj_id)
            default, primary_type = CONTACT_TO_COMPANY_DEFAULT, CONTACT_TO_COMPANY_PRIMARY
            pairs = [(c, c == primary) for c in self.store.companies_of(obj_id)]
        else:
            default, primary_type = COMPANY_TO_CONTACT_DEFAULT, COMPANY_TO_CONTACT_PRIMARY
            pairs = [(c, self.store.primary_company.get(c) == obj_id) for c in self.store.contacts_of(obj_id)]
        out = []
        for target, is_primary in pairs:
            types = [{"category": "HUBSPOT_DEFINED", "typeId": default, "label": None}]
            if is_primary:
                types.append({"category": "HUBSPOT_DEFINED", "typeId": primary_type, "label": "Primary"})
            out.append({"toObjectId": int(target), "associationTypes": types})
        return out

    def batch_archive_associations(self, from_type: str, to_type: str, body: dict[str, Any]) -> Answer:
        self._pair(from_type, to_type)
        with self.store.lock:
            for item in body.get("inputs") or []:
                from_id = str(item["from"]["id"])
                for target in item.get("to") or []:
                    contact_id, company_id = ((from_id, str(target["id"])) if from_type == "contacts"
                                              else (str(target["id"]), from_id))
                    self.store.dissociate(contact_id, company_id)
        return Answer(204, committed=True)

    # OAuth ------------------------------------------------------------------------------------------
    def oauth_token(self, raw_body: bytes) -> Answer:
        form = {k: v[0] for k, v in parse_qs(raw_body.decode("utf-8", "replace")).items()}
        settings = self.settings
        if form.get("grant_type") != "refresh_token":
            return Answer(400, {"status": "BAD_GRANT_TYPE", "message": "Invalid grant type",
                                "correlationId": E.correlation_id()})
        if form.get("client_id") != settings.oauth_client_id:
            return Answer(400, {"status": "BAD_CLIENT_ID", "message": "missing or unknown client id",
                                "correlationId": E.correlation_id()})
        if form.get("client_secret") != settings.oauth_client_secret:
            return Answer(400, {"status": "BAD_CLIENT_SECRET", "message": "missing or invalid client secret",
                                "correlationId": E.correlation_id()})
        if form.get("refresh_token") != settings.oauth_refresh_token:
            return Answer(400, {"status": "BAD_REFRESH_TOKEN", "message": "missing or invalid refresh token",
                                "correlationId": E.correlation_id()})
        token, expires_in = self.tokens.issue()
        return Answer(200, {"token_type": "bearer", "refresh_token": settings.oauth_refresh_token,
                            "access_token": token, "expires_in": expires_in})
