"""Features of records a run wrote are reused only where the target gives the same values back."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hub.connectors.api import FieldSpec, StreamInfo
from hub.engine.identity import _target_keeps_features
from hub.engine.recent import RecentFeatures
from hub.identity.profiles import CONTACTS


def test_least_recently_used_features_are_dropped_first() -> None:
    recent = RecentFeatures(capacity=2)
    recent.remember("a", ("A",))
    recent.remember("b", ("B",))
    assert recent.take(["a"]) == {"a": ("A",)}  # "a" is now the most recent
    recent.remember("c", ("C",))
    assert recent.take(["a", "b", "c"]) == {"a": ("A",), "c": ("C",)}
    recent.forget("a")
    assert recent.take(["a"]) == {}
    assert (recent.hits, recent.misses) == (3, 2)


def test_contact_features_come_back_equal_to_what_was_kept() -> None:
    from hub.identity.incremental import IncrementalMatcher

    matcher = IncrementalMatcher("contacts")
    features = matcher.features({"first_name": "Ayşe", "last_name": "Yıldırım", "mobile": "+905321112233",
                                 "address.street": "Kıbrıs Şehitleri Cd. No:4", "birth_date": "1980-01-02"})
    recent = RecentFeatures(capacity=1)
    recent.remember("h", features)
    back = recent.take(["h"])["h"]
    assert back == features
    assert matcher.decide(back, features).band.value == "match"


def test_nothing_is_kept_without_capacity() -> None:
    recent = RecentFeatures(capacity=0)
    recent.remember("a", ("A",))
    assert len(recent) == 0


class _Mapped:
    def __init__(self, round_trip: frozenset[str] | None) -> None:
        self.round_trip = round_trip

    def canonical_round_trip(self) -> frozenset[str] | None:
        return self.round_trip


def _plan(round_trip: frozenset[str] | None, fields: list[str] | None, stream: str = "contacts") -> Any:
    info = StreamInfo("contacts", {name: FieldSpec(name) for name in fields}) if fields is not None else None
    return SimpleNamespace(stream=stream, target_map=_Mapped(round_trip), target_info=info)


def test_features_are_reused_only_when_the_target_keeps_every_field_they_are_made_of() -> None:
    every = list(CONTACTS.fields)
    assert _target_keeps_features(_plan(None, [*every, "job_title"]))
    assert not _target_keeps_features(_plan(None, [f for f in every if f != "birth_date"]))
    assert not _target_keeps_features(_plan(None, None))
    assert _target_keeps_features(_plan(frozenset(every), None))
    assert not _target_keeps_features(_plan(frozenset(every) - {"address.postcode"}, None))
    assert not _target_keeps_features(_plan(None, every, stream="deals"))
