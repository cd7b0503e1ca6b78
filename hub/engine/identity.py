"""Hub ids and match keys: how the engine recognises a record it has already written.

A record's hub id is minted deterministically from where it came from (connection, stream, id), so a
crash between a target write and the identity-map commit cannot mint a second id for the same
record. A record whose own minted id differs from the hub id it resolves to is a *secondary*
contributor (it was merged into someone else's record): it may fill blanks, never overwrite.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from typing import Any

_NAMESPACE = uuid.UUID("6f1c3c7e-2f55-4c2b-9d0e-3a1b8c4e5d71")


def mint_hub_id(connection: str, stream: str, record_id: str) -> str:
    """The hub id a record gets when nothing known matches it."""
    return uuid.uuid5(_NAMESPACE, f"{connection}\x1f{stream}\x1f{record_id}").hex


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


MATCH_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (("email", "email"), ("national_id", "national_id.value")),
    "companies": (("tax_id", "tax_id.value"), ("domain", "domain")),
}


def match_keys(record: dict[str, Any], stream: str, pseudonym: Callable[[str, str], str]) -> list[str]:
    """Keyed hashes of the values that identify the same person or company across records.

    Only pseudonyms are returned: the state store never holds a raw e-mail or national id.
    """
    keys: list[str] = []
    for kind, field in MATCH_FIELDS.get(stream, ()):
        value = record.get(field)
        if value:
            keys.append(pseudonym(kind, _fold(str(value))))
    return keys
