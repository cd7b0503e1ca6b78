"""The keys a record is recognised by, computed once per record where the work is parallel.

Everything here depends on the record alone and the installation's HMAC key — never on the state
store — so it runs in the preparation stage (worker processes for large runs) and leaves the main
process only the lookups: the record's own hub id, its exact match keys, its comparison features
and blocking keys for probabilistic matching, and the pseudonyms of its identifiers for the consent
screen. Only keyed hashes leave this module; the state store never sees a raw e-mail or national id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub.engine.identity import match_keys, mint_hub_id

if TYPE_CHECKING:
    from hub.identity.incremental import IncrementalMatcher
    from hub.identity.settings import StreamIdentitySettings

Pseudonym = Callable[[str, str], str]
KEY_CHECK = ("key-check", "crmhub")
"""What a worker hashes to prove it holds the same HMAC key as the main process."""


@dataclass(slots=True)
class RecordKeys:
    """A prepared record's keys; ``features``/``block`` are ``None`` where probabilistic matching is off."""

    own_id: str
    match: list[str] = field(default_factory=list)
    features: tuple[Any, ...] | None = None
    block: list[str] | None = None
    identifiers: list[tuple[str, str]] | None = None
    """``(kind, pseudonym)`` of each identifier the consent screen looks up (contacts only)."""


class RecordKeyer:
    """Computes :class:`RecordKeys` for the records of one stream from one source."""

    def __init__(self, stream: str, source_name: str, *, dedup: bool, identity: StreamIdentitySettings | None,
                 pseudonym: Pseudonym) -> None:
        self.stream = stream
        self.source_name = source_name
        self.dedup = dedup
        self.pseudonym = pseudonym
        self.matcher: IncrementalMatcher | None = None
        if dedup and (identity is None or identity.probabilistic):
            from hub.identity.incremental import IncrementalMatcher
            from hub.identity.profiles import PROFILES

            if stream in PROFILES:
                self.matcher = IncrementalMatcher(stream, identity)

    def person(self, record_id: str, canonical: dict[str, Any]) -> RecordKeys:
        """Only what tells whose record this is (hub id, identifier pseudonyms): for records that stop here,
        so that one of a person whose data was erased is not kept, even in quarantine."""
        keys = RecordKeys(own_id=mint_hub_id(self.source_name, self.stream, record_id))
        if self.stream == "contacts":
            keys.identifiers = self._identifiers(canonical)
        return keys

    def _identifiers(self, canonical: dict[str, Any]) -> list[tuple[str, str]]:
        from hub.consent.identifiers import record_identifiers

        return [(i.kind, self.pseudonym(i.kind, i.value)) for i in record_identifiers(canonical)]

    def keys(self, record_id: str, canonical: dict[str, Any]) -> RecordKeys:
        keys = RecordKeys(own_id=mint_hub_id(self.source_name, self.stream, record_id))
        if self.dedup:
            keys.match = match_keys(canonical, self.stream, self.pseudonym)
        matcher = self.matcher
        if matcher is not None:
            keys.features = matcher.features(canonical)
            keys.block = matcher.block_keys(keys.features, self.pseudonym)
        if self.stream == "contacts":
            keys.identifiers = self._identifiers(canonical)
        return keys
