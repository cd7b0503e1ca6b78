"""The Communication Preferences API v3: subscription types and each e-mail address's status in them.

``GET /communication-preferences/v3/definitions`` lists the portal's subscription types;
``GET …/status/email/{emailAddress}`` the statuses an address has (``SUBSCRIBED`` / ``NOT_SUBSCRIBED``,
with the legal basis and its explanation); ``POST …/subscribe`` and ``…/unsubscribe`` change one.
Shapes follow the SDK's models (``SubscriptionDefinition``, ``PublicSubscriptionStatus``…). As
HubSpot does, v3 refuses to resubscribe an address that opted out, refuses GDPR-deleted (blocked)
addresses, refuses unknown subscription ids, and in a GDPR-enabled portal wants a legal basis and
its explanation to subscribe. Wordings of these refusals are not confirmed in a primary source (?).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from crmhub_hubspot.sandbox import errors as E
from crmhub_hubspot.sandbox.objects import Answer
from crmhub_hubspot.sandbox.store import Store, iso_ms

LEGAL_BASES = ("LEGITIMATE_INTEREST_PQL", "LEGITIMATE_INTEREST_CLIENT", "PERFORMANCE_OF_CONTRACT",
               "CONSENT_WITH_NOTICE", "NON_GDPR", "PROCESS_AND_STORE", "LEGITIMATE_INTEREST_OTHER")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CREATED = 1_600_000_000_000
DEFINITIONS = (
    {"id": "1001", "name": "Marketing Information", "purpose": "Marketing", "communicationMethod": "Email",
     "description": "Marketing offers and updates.", "isDefault": True},
    {"id": "1002", "name": "One to One", "purpose": "Sales", "communicationMethod": "Email",
     "description": "One to one emails.", "isDefault": True},
    {"id": "1003", "name": "Customer Service Communication", "purpose": "Customer Service",
     "communicationMethod": "Email", "description": "Feedback requests and service updates.", "isDefault": False},
)


def _definition(raw: dict[str, Any]) -> dict[str, Any]:
    return {**raw, "isInternal": False, "isActive": True, "businessUnitId": 0, "createdAt": iso_ms(_CREATED),
            "updatedAt": iso_ms(_CREATED)}


class Preferences:
    """Subscription types and statuses of one sandbox portal."""

    def __init__(self, store: Store, gdpr_enabled: bool = True) -> None:
        self.store = store
        self.gdpr_enabled = gdpr_enabled
        self.definitions = {d["id"]: _definition(d) for d in DEFINITIONS}

    def list_definitions(self) -> Answer:
        return Answer(200, {"subscriptionDefinitions": list(self.definitions.values())})

    def status(self, raw_email: str) -> Answer:
        email = self._address(unquote(raw_email))
        with self.store.lock:
            held = dict(self.store.subscriptions.get(email, {}))
        return Answer(200, {"recipient": email, "subscriptionStatuses": [
            self._status(sub_id, entry) for sub_id, entry in sorted(held.items())]})

    def change(self, body: dict[str, Any], subscribe: bool) -> Answer:
        email = self._address(str(body.get("emailAddress") or ""))
        sub_id = str(body.get("subscriptionId") or "")
        if sub_id not in self.definitions:
            raise E.http_error(400, "VALIDATION_ERROR", f"Subscription {sub_id or '(none)'} does not exist in this "
                                                        "portal", subCategory="INVALID_SUBSCRIPTION_ID")
        basis, explanation = body.get("legalBasis"), body.get("legalBasisExplanation")
        if basis is not None and basis not in LEGAL_BASES:
            raise E.http_error(400, "VALIDATION_ERROR", f"Invalid legalBasis {basis!r}; expected one of "
                                                        f"{', '.join(LEGAL_BASES)}")
        if subscribe and self.gdpr_enabled and (basis is None or not explanation):
            raise E.http_error(400, "VALIDATION_ERROR", "legalBasis and legalBasisExplanation are required to "
                                                        "subscribe a contact in a portal with GDPR features on")
        with self.store.lock:
            if email in self.store.blocked_emails:
                raise E.http_error(400, "VALIDATION_ERROR", "This email address was permanently deleted under GDPR "
                                                            "and is blocked.", subCategory="EMAIL_BLOCKLISTED")
            held = self.store.subscriptions.get(email, {}).get(sub_id)
            status = "SUBSCRIBED" if subscribe else "NOT_SUBSCRIBED"
            if held is not None and held["status"] == "NOT_SUBSCRIBED" and subscribe:
                raise E.http_error(400, "VALIDATION_ERROR", f"{email} has opted out of subscription {sub_id} and "
                                                            "cannot be resubscribed", subCategory="CONTACT_OPTED_OUT")
            if held is not None and held["status"] == status:
                raise E.http_error(400, "VALIDATION_ERROR", f"{email} is already "
                                                            f"{'subscribed to' if subscribe else 'unsubscribed from'}"
                                                            f" subscription {sub_id}",
                                   subCategory="ALREADY_SUBSCRIBED" if subscribe else "ALREADY_UNSUBSCRIBED")
            entry = {"status": status, "legalBasis": basis, "legalBasisExplanation": explanation,
                     "updatedAt": self.store.now_ms()}
            self.store.set_subscription(email, sub_id, entry)
        return Answer(200, self._status(sub_id, entry), committed=True)

    def _status(self, sub_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        definition = self.definitions[sub_id]
        out = {"id": sub_id, "name": definition["name"], "description": definition["description"],
               "status": entry["status"], "sourceOfStatus": "SUBSCRIPTION_STATUS",
               "preferenceGroupName": definition["purpose"]}
        if entry.get("legalBasis"):
            out["legalBasis"] = entry["legalBasis"]
        if entry.get("legalBasisExplanation"):
            out["legalBasisExplanation"] = entry["legalBasisExplanation"]
        return out

    @staticmethod
    def _address(raw: str) -> str:
        email = raw.strip().lower()
        if not _EMAIL.match(email):
            raise E.http_error(400, "VALIDATION_ERROR", "Invalid email address", subCategory="INVALID_EMAIL")
        return email
