"""How a consent was captured: Salesforce's ``CaptureContactPointType`` picklist ↔ ``consent.capture_method``.

Salesforce names the channel a consent was captured through (Email, MailingAddress, Phone, Social,
Web); crmhub keeps the method as words ("web form", "phone call", "paper form"). Reading gives the
channel in lower case (``mailing_address`` for MailingAddress). Writing recognises the channel in
the words; words that name none write nothing rather than a guess.
"""

from __future__ import annotations

from typing import Any

_READ = {"Email": "email", "MailingAddress": "mailing_address", "Phone": "phone", "Social": "social", "Web": "web"}
# Checked in this order: "e-mail" must win over the "mail" of a letter, "paper form" over the "form" of a web form.
_WORDS = (
    ("Email", ("e-mail", "email", "newsletter")),
    ("Phone", ("phone", "call", "sms", "telefon", "ivr")),
    ("MailingAddress", ("mailing_address", "mailing address", "post", "letter", "paper", "mail")),
    ("Web", ("web", "online", "site", "form", "portal")),
    ("Social", ("social", "facebook", "instagram", "linkedin", "twitter")),
)


def capture_method(value: Any) -> str | None:
    """``sf_capture_method``: a CaptureContactPointType value → the canonical capture method."""
    return _READ.get(str(value).strip(), str(value).strip().lower() or None)


def capture_type(value: Any) -> str | None:
    """``sf_capture_type``: a capture method in words → the CaptureContactPointType it names, else ``None``."""
    text = str(value).strip().casefold()
    for picklist, words in _WORDS:
        if any(word in text for word in words):
            return picklist
    return None
