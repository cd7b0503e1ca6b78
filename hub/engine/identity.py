"""Hub ids, match keys and incremental identity resolution: how the engine recognises a record it knows.

A record's hub id is minted deterministically from where it came from (connection, stream, id), so a
crash between a target write and the identity-map commit cannot mint a second id for the same
record. A record whose own minted id differs from the hub id it resolves to is a *secondary*
contributor (it was merged into someone else's record): survivorship decides which of its values
reach the golden record (by default it may fill blanks, never overwrite).

Resolution order for a record not yet in the identity map: its exact match keys (HMACs of e-mail,
national id …), then — for what is still unmatched — a probabilistic match against the candidate
index and the target's own records (:mod:`hub.identity.incremental`). A probable match merges (the
decision and its score go to the audit log); a possible one is held for review (or created, as
configured); the rest get their own hub id.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hub.engine.recent import DEFAULT_CAPACITY, RecentFeatures
from hub.state.key_filter import KeyFilter

if TYPE_CHECKING:
    from hub.identity.incremental import IncrementalMatcher
    from hub.identity.rules import PairDecision
    from hub.identity.settings import StreamIdentitySettings
    from hub.identity.survivorship import FieldChoice
    from hub.state import StateStore
    from hub.state.resolution import IdentityStore

log = logging.getLogger("crmhub.engine")
_NAMESPACE = uuid.UUID("6f1c3c7e-2f55-4c2b-9d0e-3a1b8c4e5d71")
_EMPTY = (None, "")
PROBE_SHARE = 3
"""Of the keys a filter rules out, those whose last byte is below this (3 in 256) are looked up anyway."""
MODEL_NAMESPACE = "identity"
"""Key-value namespace where ``crmhub dedup`` keeps the model it estimated, for syncs to use."""


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


class IdentityResolver:
    """The incremental half of identity resolution for one stream of one run."""

    def __init__(
        self,
        plan: Any,
        store: StateStore,
        pseudonym: Callable[[str, str], str],
        fetch: Callable[[list[str]], dict[str, dict[str, Any]]],
        run_id: str,
    ) -> None:
        self.plan = plan
        self.pseudonym = pseudonym
        self.fetch = fetch
        self.run_id = run_id
        self.store = store
        self._matcher: IncrementalMatcher | None = None
        self._ledger: IdentityStore | None = None
        self._block_keys: dict[int, list[str]] = {}
        """Blocking-key HMACs of this batch's records by ``seq``: computed once, used to match and to index."""
        self._key_sizes: dict[str, int] = {}
        """How many hub ids the index holds under this batch's blocking keys, as matching found them."""
        self.settings: StreamIdentitySettings = _settings(plan)
        self._filter: KeyFilter | bool | None = False
        """Keys the candidate index may hold, where it was empty when the run began (``False``: not asked yet)."""
        self.recent = RecentFeatures(DEFAULT_CAPACITY if _target_keeps_features(plan) else 0)
        """Features of records this run wrote, so candidates among them need not be read back."""

    # Set-up, lazily: a run whose records all resolve by id never loads the matcher --------------------
    @property
    def ledger(self) -> IdentityStore:
        if self._ledger is None:
            from hub.state.resolution import IdentityStore

            self._ledger = IdentityStore(self.store)
        return self._ledger

    @property
    def matcher(self) -> IncrementalMatcher | None:
        """The probabilistic matcher, or ``None`` where the stream has no profile, the pipeline does not
        deduplicate (``dedup: false``) or matching is switched off."""
        if self._matcher is None and self.settings.probabilistic and self.plan.dedup:
            from hub.identity.incremental import IncrementalMatcher
            from hub.identity.profiles import PROFILES

            if self.plan.stream in PROFILES:
                self._matcher = IncrementalMatcher(self.plan.stream, self.settings, self._stored_model())
        return self._matcher

    def _stored_model(self) -> Any:
        import json

        from hub.identity.scoring import MatchModel

        stored = self.store.kv_get(MODEL_NAMESPACE, f"model:{self.plan.stream}")
        if not stored:
            return None
        return MatchModel.from_dict(json.loads(stored))

    def _index_filter(self) -> KeyFilter | None:
        """The filter that stands in for the candidate index's absent keys: only an index empty at the start
        is known to hold no key but those this run files, as long as no other run files keys (see ``_look_up``)."""
        if self._filter is False:
            self._filter = KeyFilter() if self.ledger.index_is_empty(self.plan.stream) else None
        assert self._filter is not True
        return self._filter

    def _look_up(self, keys: list[str]) -> dict[str, list[str]]:
        """The candidate index's hub ids under ``keys``; with a filter armed, only keys it may hold are looked up.

        A sample of the keys it rules out (about one in eighty) is looked up as well: finding one of
        them filed means another run is filing keys of this stream at the same time, and from then on
        the filter is set aside and every key looked up, this batch's included.
        """
        stream, limit, sizes = self.plan.stream, self.settings.max_block_size, self._key_sizes
        present = self._index_filter()
        if present is None:
            return self.ledger.find_candidates(stream, keys, limit, sizes)
        absent = {k for k in keys if not present.may_hold(k)}
        probes = {k for k in absent if int(k[-2:], 16) < PROBE_SHARE}
        index = self.ledger.find_candidates(stream, [k for k in keys if k not in absent or k in probes], limit, sizes)
        if any(sizes.get(k) for k in probes):
            log.info("%s: another run files candidate keys of this stream; every key is looked up from now on",
                     stream)
            self._filter = None
            index.update(self.ledger.find_candidates(stream, [k for k in absent if k not in probes], limit, sizes))
        else:
            sizes.update((k, 0) for k in absent if k not in probes)
        return index

    # Probable matches --------------------------------------------------------------------------------
    def _features_and_blocks(self, matcher: IncrementalMatcher, s: Any) -> tuple[Any, list[str]]:
        """``s``'s comparison features and blocking-key HMACs: as its preparation computed them, else now."""
        prepared = s.prepared_keys
        if prepared is not None and prepared.features is not None and prepared.block is not None:
            return prepared.features, prepared.block
        features = matcher.features(s.canonical)
        return features, matcher.block_keys(features, self.pseudonym)

    def probable(self, live: list[Any], exact: dict[str, str]) -> dict[int, tuple[str, Any, PairDecision]]:
        """Probabilistic decisions for records no link or exact key resolves, by their ``seq``.

        Each value is ``(kind, target, decision)``: kind ``hub`` (``target`` a known hub id) or
        ``batch`` (``target`` the ``seq`` of an earlier record of this batch).
        """
        matcher = self.matcher
        wanted = [s for s in live if s.hub_id is None and s.canonical is not None
                  and not any(k in exact for k in s.keys)]
        if matcher is None or not wanted:
            return {}
        stream = self.plan.stream
        features: dict[int, Any] = {}
        keys: dict[int, list[str]] = {}
        for s in wanted:
            features[s.seq], keys[s.seq] = self._features_and_blocks(matcher, s)
        self._block_keys.update(keys)
        index = self._look_up([k for ks in keys.values() for k in ks])
        vetoed = self.ledger.vetoed(stream, [s.own_id for s in wanted])
        hub_ids = sorted({h for ks in keys.values() for k in ks for h in index.get(k, ())})
        known = self.recent.take(hub_ids)
        missing = [h for h in hub_ids if h not in known]
        if missing:
            known.update((h, matcher.features(fields)) for h, fields in self.fetch(missing).items())
        earlier: dict[str, list[int]] = {}
        decided: dict[int, tuple[str, Any, PairDecision]] = {}
        for s in wanted:
            own = features[s.seq]
            reached = {h for k in keys[s.seq] if k in index for h in index[k]}
            candidates = [(h, known[h]) for h in reached if h in known
                          and not (vetoed and tuple(sorted((s.own_id, h))) in vetoed)]
            best = matcher.best(own, candidates) if candidates else None
            if best is not None and best.decision.band.value == "match":
                decided[s.seq] = ("hub", best.hub_id, best.decision)
            else:
                peers = sorted({seq for k in keys[s.seq] for seq in earlier.get(k, ())})
                mine = matcher.best(own, [(str(seq), features[seq]) for seq in peers])
                if mine is not None and mine.decision.band.value == "match":
                    decided[s.seq] = ("batch", int(mine.hub_id), mine.decision)
                elif best is not None:
                    decided[s.seq] = ("hub", best.hub_id, best.decision)
            for k in keys[s.seq]:
                earlier.setdefault(k, []).append(s.seq)
        return decided

    def settle(self, s: Any, probable: dict[int, tuple[str, Any, PairDecision]], by_seq: dict[int, Any]) -> None:
        """Give an unresolved record its hub id from its probabilistic decision, or its own id."""
        s.hub_id = s.own_id
        found = probable.get(s.seq)
        if found is None:
            return
        kind, target, decision = found
        if decision.band.value == "match":
            hub_id = target if kind == "hub" else by_seq[target].hub_id
            if hub_id and hub_id != s.own_id:
                s.hub_id = hub_id
                s.secondary = True
                s.detail["match"] = _describe(decision)
        elif self.settings.review_action.value == "hold" and kind == "hub":
            s.detail["review"] = {"hub_id": target, **_describe(decision)}
        else:
            s.detail["possible"] = {"hub_id": target, **_describe(decision)}

    def hold_for_review(self, live: list[Any], issue: Callable[[], Any]) -> None:
        """Quarantine records that only possibly match (kept out of ``live``) and queue them for review."""
        from hub.state.resolution import Member, ReviewItem

        held = [s for s in live if "review" in s.detail]
        queued = [s for s in live if "possible" in s.detail]
        if not held and not queued:
            return
        plan = self.plan
        items = []
        for s in held + queued:
            found = s.detail.get("review") or s.detail["possible"]
            members = [Member(plan.source_name, s.record.id, s.own_id),
                       Member(plan.target_name, found["hub_id"], found["hub_id"])]
            items.append(ReviewItem(0, plan.stream, "sync", "open", found["score"], found.get("rule") or "possible",
                                    members, self.run_id))
        if not plan.dry_run:
            self.ledger.add_reviews(items)
        for s in held:
            s.quarantine([issue()])
            s.hub_id = None
        live[:] = [s for s in live if s.outcome is None]

    def stage(self, live: list[Any]) -> None:
        """Index every record's blocking keys under its hub id, and remember the merges of this batch."""
        matcher = self.matcher
        if self.plan.dry_run:
            self._block_keys.clear()
            self._key_sizes.clear()
            return
        from hub.state.resolution import Member, MergeRecord

        if matcher is not None:
            # Records linked before were indexed when they were first seen: re-hashing them on every
            # sync would cost more than the rare key a later edit adds.
            cached = self._block_keys
            rows = [(key, s.hub_id) for s in live if s.hub_id and s.canonical is not None and not s.known
                    for key in cached.get(s.seq) or self._features_and_blocks(matcher, s)[1]]
            present = self._index_filter()
            filed = {key for key, _ in rows}
            if present is not None:  # sizes of keys no lookup saw: none is filed where the filter never saw it
                self._key_sizes.update((k, 0) for k in filed if k not in self._key_sizes and not present.may_hold(k))
            self.ledger.stage_block_keys(self.plan.stream, rows, self._key_sizes)
            if present is not None:  # a key with a size was seen already, and sets no new bit
                present.add_all(k for k in filed if self._key_sizes.get(k) == 0)
        self._block_keys.clear()
        self._key_sizes.clear()
        merged = [s for s in live if s.secondary and not s.known and s.hub_id]
        if merged:
            self.ledger.record_merges([
                MergeRecord(self.plan.stream, s.hub_id,
                            [Member(self.plan.source_name, s.record.id, s.hub_id, previous_hub_id=s.own_id)],
                            s.detail.get("match", {}).get("score"), s.detail.get("match", {}).get("rule") or "key",
                            "auto" if "match" in s.detail else "rule", run_id=self.run_id)
                for s in merged])

    def remember_written(self, live: list[Any]) -> None:
        """Keep the features of records this batch created as they were written; drop those it changed."""
        recent = self.recent
        if not recent.capacity or self.plan.dry_run or self.plan.sync is not None:
            return
        for s in live:
            if not s.hub_id:
                continue
            prepared = s.prepared_keys
            if (s.outcome is not None and s.outcome.value == "created" and s.target_id is not None
                    and prepared is not None and prepared.features is not None and "stripped" not in s.detail):
                recent.remember(s.hub_id, prepared.features)
            else:
                recent.forget(s.hub_id)

    # Golden record -------------------------------------------------------------------------------------
    def changes(self, s: Any, values: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        """The fields ``s`` changes in the current record ``state``, by the stream's survivorship rules.

        A record that is the hub record itself sets what it holds; a secondary contributor wins a
        field only by its rule (default: fill blanks). An empty value never overwrites a value.
        """
        if not s.secondary:
            return {k: v for k, v in values.items() if state.get(k) != v}
        from hub.identity.survivorship import choose

        survivorship = self.settings.survivorship
        chosen = choose(values, state, survivorship, source=self.plan.source_name,
                        incoming_time=s.record.updated_at, current_sources=self._sources(s.hub_id))
        if chosen.provenance and not self.plan.dry_run:
            self._record_provenance(s, chosen.provenance)
        return chosen.changes

    def _sources(self, hub_id: str) -> Callable[[str], str | None]:
        """Where each current field of ``hub_id`` came from; read only if a ``source_priority`` rule asks."""
        loaded: list[tuple[dict[str, Any], str | None]] = []

        def source(field: str) -> str | None:
            if not loaded:
                golden = self.ledger.golden_fields(self.plan.stream, [hub_id]).get(hub_id, {})
                links = self.store.hub_links([hub_id], self.plan.stream).get(hub_id, {})
                loaded.append((golden, min(links, key=self._rank) if links else None))
            golden, primary = loaded[0]
            known = golden.get(field)
            return known.connection if known else primary

        return source

    def _rank(self, connection: str) -> int:
        order = self.settings.survivorship.source_priority
        return order.index(connection) if connection in order else len(order)

    def _record_provenance(self, s: Any, chosen: list[FieldChoice]) -> None:
        from hub.state.resolution import GoldenField

        fields = [GoldenField(f.field, self.plan.source_name, s.record.id, f.rule) for f in chosen]
        self.ledger.record_golden_fields(self.plan.stream, s.hub_id, fields)


def _describe(decision: PairDecision) -> dict[str, Any]:
    """What the audit log and the review queue keep of a decision: band, rule, score — no values."""
    return {"band": decision.band.value, "rule": decision.rule, "score": round(decision.probability, 6)}


def _target_keeps_features(plan: Any) -> bool:
    """Whether the target gives back every field comparison features are made of, as it was written."""
    from hub.identity.profiles import PROFILES

    profile = PROFILES.get(plan.stream)
    if profile is None or not profile.fields:
        return False
    round_trip = plan.target_map.canonical_round_trip()
    if round_trip is not None:  # a mapped target: its rules both write and read these fields
        return all(name in round_trip for name in profile.fields)
    info = plan.target_info  # a canonical target may hold a subset of the canonical fields
    return bool(info is not None and info.fields) and all(name in info.fields for name in profile.fields)


def _settings(plan: Any) -> StreamIdentitySettings:
    from hub.identity.settings import StreamIdentitySettings

    configured = getattr(plan, "identity", None)
    return configured if isinstance(configured, StreamIdentitySettings) else StreamIdentitySettings()
