"""A person's identifiers — e-mail, phone, national id, hub id — in normal form, and their keyed hashes.

The same normal form is used when a run screens a record and when someone types
``crmhub gdpr erase Ayşe@Example.com.tr``, so both arrive at the same HMAC: e-mails trimmed (the
pseudonym folds case, Turkish İ/ı included), phones in E.164, national ids as digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hub.errors import FatalError

__all__ = ["IDENTIFIER_FIELDS", "Identifier", "parse_subject", "record_identifiers"]

IDENTIFIER_FIELDS: tuple[tuple[str, str], ...] = (
    ("email", "email"), ("phone", "phone"), ("phone", "mobile"), ("national_id", "national_id.value"),
)
_HUB_ID = re.compile(r"[0-9a-f]{32}")
_DIGITS = re.compile(r"\D+")
KINDS = ("email", "phone", "national_id", "hub_id")


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier of a person: ``kind`` is ``email``, ``phone``, ``national_id`` or ``hub_id``."""

    kind: str
    value: str

    def hmac(self, keys: Any) -> str:
        """The keyed pseudonym (HMAC-SHA256) stored in place of the value."""
        return str(keys.pseudonym(self.kind, self.value))


def _normal(kind: str, value: Any) -> str | None:
    text = str(value).strip() if value not in (None, "") else ""
    if not text:
        return None
    if kind == "national_id":
        return _DIGITS.sub("", text) or None
    if kind == "phone":
        from hub.validation.phones import PhoneProblem, to_e164

        try:
            return to_e164(text)
        except PhoneProblem:
            return None
    return text


def record_identifiers(record: dict[str, Any]) -> list[Identifier]:
    """The identifiers a canonical contact carries, each once."""
    found: list[Identifier] = []
    for kind, name in IDENTIFIER_FIELDS:
        value = record.get(name)
        if not value:
            continue
        # Records reaching the screening are validated: phones are E.164 already, national ids digits.
        normal = str(value).strip() if kind != "national_id" or str(value).isdigit() else _normal(kind, value)
        if normal and not (kind == "phone" and found and found[-1].kind == "phone" and found[-1].value == normal):
            found.append(Identifier(kind, normal))
    return found


def _is_national_id(text: str) -> bool:
    from hub.validation.national_ids import is_tckn, is_vkn

    return text.isdigit() and (is_tckn(text) or is_vkn(text))


def parse_subject(text: str, kind: str | None = None) -> Identifier:
    """Read a subject typed on the command line; ``kind`` forces a reading, else it is guessed."""
    raw = text.strip()
    if kind is not None and kind not in KINDS:
        raise FatalError(f"subject type must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind is None:
        if "@" in raw:
            kind = "email"
        elif _HUB_ID.fullmatch(raw.lower()):
            kind = "hub_id"
        elif _is_national_id(raw):
            kind = "national_id"
        elif re.fullmatch(r"[+\d][\d\s\-./()]{6,}", raw):
            kind = "phone"
        else:
            raise FatalError("cannot tell what the subject is: pass an e-mail, a phone, a national id or a hub id "
                             "(or --type)")
    value = raw.lower() if kind == "hub_id" else _normal(kind, raw)
    if not value:
        raise FatalError(f"the subject is not a valid {kind.replace('_', ' ')}")
    return Identifier(kind, value)
