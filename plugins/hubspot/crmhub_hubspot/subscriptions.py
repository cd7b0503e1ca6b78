"""A contact's e-mail subscription status (Communication Preferences API v3) as contact fields.

HubSpot keeps e-mail consent per *subscription type*, per address, with the legal basis of each
status: ``GET /communication-preferences/v3/status/email/{email}`` reads them, ``POST …/subscribe``
and ``…/unsubscribe`` change one. The connector follows one subscription type (``consent_subscription``:
an id or a name; default the first active *Marketing* type of ``GET …/definitions``) and shows it on
contacts as three fields whose names no HubSpot property can have (properties have no dots):

* ``subscription.status`` — ``SUBSCRIBED`` / ``NOT_SUBSCRIBED``; an address with no status in the type
  has none (unknown). ``hs_email_optout`` ("unsubscribed from all email") reads ``NOT_SUBSCRIBED``.
* ``subscription.legal_basis`` — ``CONSENT_WITH_NOTICE``, ``PERFORMANCE_OF_CONTRACT``, ``LEGITIMATE_INTEREST_*``,
  ``PROCESS_AND_STORE``, ``NON_GDPR``.
* ``subscription.legal_basis_explanation`` — free text.

v3 reads one address per request: statuses are read for the contacts of each page (one request per
distinct address, through the account's limiter) and remembered for five minutes, so the lookup
before a write and the write itself cost nothing more. Writing (after the contact upserts): a status
equal to HubSpot's sends nothing; ``SUBSCRIBED`` subscribes with the basis given (else the one HubSpot
holds, else ``CONSENT_WITH_NOTICE``: a granted e-mail consent *is* consent), ``NOT_SUBSCRIBED``
unsubscribes. HubSpot's v3 refuses to resubscribe an address that opted out: that record fails
with ``CONTACT_OPTED_OUT`` and stays opted out. A basis alone cannot be changed through v3.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from crmhub_hubspot.schema import PropertyInfo
from hub.errors import ConfigError, DataError

STATUS = "subscription.status"
BASIS = "subscription.legal_basis"
EXPLANATION = "subscription.legal_basis_explanation"
FIELDS = (STATUS, BASIS, EXPLANATION)
SUBSCRIBED, NOT_SUBSCRIBED = "SUBSCRIBED", "NOT_SUBSCRIBED"
LEGAL_BASES = frozenset({"LEGITIMATE_INTEREST_PQL", "LEGITIMATE_INTEREST_CLIENT", "PERFORMANCE_OF_CONTRACT",
                         "CONSENT_WITH_NOTICE", "NON_GDPR", "PROCESS_AND_STORE", "LEGITIMATE_INTEREST_OTHER"})
DEFAULT_EXPLANATION = "Consent recorded in the source system, synchronised by crmhub"
_DONE = frozenset({"ALREADY_SUBSCRIBED", "ALREADY_UNSUBSCRIBED"})


def is_subscription_field(name: str) -> bool:
    return name.startswith("subscription.")


def subscription_properties() -> dict[str, PropertyInfo]:
    """The three fields, described like properties (for discover and the writer's checks)."""
    def info(name: str, options: Iterable[str]) -> PropertyInfo:
        choices = frozenset(options)
        return PropertyInfo(name, "enumeration" if choices else "string", choices, multiple=False, read_only=False,
                            unique=False, external_options=False)

    return {STATUS: info(STATUS, (SUBSCRIBED, NOT_SUBSCRIBED)), BASIS: info(BASIS, LEGAL_BASES),
            EXPLANATION: info(EXPLANATION, ())}


class Subscriptions:
    """Reads and writes one subscription type's statuses through the SDK's ``communication_preferences``."""

    def __init__(self, client: Any, wanted: str | None, ttl_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.wanted = wanted
        self.ttl_s = ttl_s
        self.clock = clock
        self._id: str | None = None
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}

    @property
    def subscription_id(self) -> str:
        """The followed subscription type's id (resolved once from ``GET …/definitions``)."""
        if self._id is None:
            answer = self.client.call(self.client.preferences_definitions, "get_page")
            active = [d for d in answer.body.get("subscriptionDefinitions", []) if d.get("isActive", True)]
            if self.wanted:
                found = [d for d in active if self.wanted in (str(d.get("id")), d.get("name"))]
            else:
                found = sorted((d for d in active if d.get("purpose") == "Marketing"), key=lambda d: int(d["id"]))
            if not found:
                raise ConfigError(f"HubSpot has no active subscription type {self.wanted or 'for Marketing'!r} "
                                  "(consent_subscription)")
            self._id = str(found[0]["id"])
        return self._id

    # Reading ----------------------------------------------------------------------------------------
    def statuses(self, emails: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        """The followed type's status entry of each address (``None``: it has none), one request per address."""
        out: dict[str, dict[str, Any] | None] = {}
        now = self.clock()
        for email in dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()):
            cached = self._cache.get(email)
            if cached is None or now - cached[0] > self.ttl_s:
                cached = (now, self._fetch(email))
                self._cache[email] = cached
            out[email] = cached[1]
        return out

    def _fetch(self, email: str) -> dict[str, Any] | None:
        from crmhub_hubspot.client import HubSpotRequestError

        try:
            answer = self.client.call(self.client.preferences_status, "get_email_status", email)
        except HubSpotRequestError as err:
            if err.status in (400, 404):
                return None  # an address HubSpot will not take has no status
            raise
        wanted = self.subscription_id
        return next((s for s in answer.body.get("subscriptionStatuses", []) if str(s.get("id")) == wanted), None)

    def enrich(self, records: list[dict[str, Any]]) -> None:
        """Set the three fields on each contact's properties (in place) from its address's status."""
        found = self.statuses(str(p.get("email") or "") for p in records)
        for props in records:
            entry = found.get(str(props.get("email") or "").strip().lower())
            props.update(view(entry, str(props.get("hs_email_optout", "")).lower() == "true"))

    # Writing ----------------------------------------------------------------------------------------
    def write(self, email: str, given: dict[str, Any]) -> bool:
        """Make HubSpot hold ``given`` for ``email``; ``True`` when something changed.

        Raises :class:`DataError` with HubSpot's reason when HubSpot refuses (an opted-out address
        cannot be resubscribed; a GDPR-deleted one is blocked).
        """
        from crmhub_hubspot.client import HubSpotRequestError

        wanted = given.get(STATUS)
        email = email.strip().lower()
        entry = self.statuses([email])[email]
        if wanted not in (SUBSCRIBED, NOT_SUBSCRIBED) or (entry or {}).get("status") == wanted:
            return False
        body: dict[str, Any] = {"emailAddress": email, "subscriptionId": self.subscription_id}
        basis = given.get(BASIS) or (entry or {}).get("legalBasis") or (
            "CONSENT_WITH_NOTICE" if wanted == SUBSCRIBED else None)
        if basis:
            body["legalBasis"] = basis
            body["legalBasisExplanation"] = (given.get(EXPLANATION) or (entry or {}).get("legalBasisExplanation")
                                             or DEFAULT_EXPLANATION)
        method = "subscribe" if wanted == SUBSCRIBED else "unsubscribe"
        try:
            answer = self.client.call(self.client.preferences_status, method, body)
        except HubSpotRequestError as err:
            reason = str(err.body.get("subCategory") or err.body.get("category") or err.status)
            if reason in _DONE:
                self._cache.pop(email, None)
                return False
            raise DataError(f"HubSpot refused to {method} the contact ({reason})", code=reason) from None
        self._cache[email] = (self.clock(), answer.body)
        return True


def view(entry: dict[str, Any] | None, opted_out_of_all: bool) -> dict[str, Any]:
    """The three fields for one address's status entry; opting out of all e-mail is ``NOT_SUBSCRIBED``."""
    status = (entry or {}).get("status")
    if opted_out_of_all:
        status = NOT_SUBSCRIBED
    return {STATUS: status, BASIS: (entry or {}).get("legalBasis"),
            EXPLANATION: (entry or {}).get("legalBasisExplanation")}
