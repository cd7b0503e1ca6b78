"""The identity map: staging is insert-or-ignore, lookups in both directions, match keys by HMAC."""

from __future__ import annotations

from hub.state import StateStore


def test_stage_then_resolve(store: StateStore) -> None:
    store.stage_identities(
        "contacts",
        [("hub-1", "csv", "C1"), ("hub-1", "hubspot", "501"), ("hub-2", "csv", "C2")],
        [("a" * 32, "hub-1"), ("b" * 32, "hub-2")],
    )
    assert store.resolve("csv", "contacts", ["C1", "C2", "C3"]) == {"C1": "hub-1", "C2": "hub-2"}
    assert store.resolve("hubspot", "contacts", ["501"]) == {"501": "hub-1"}
    assert store.resolve("csv", "companies", ["C1"]) == {}, "streams are separate namespaces"
    assert store.resolve("csv", "contacts", []) == {}
    assert store.find_match_keys("contacts", ["a" * 32, "c" * 32]) == {"a" * 32: "hub-1"}
    assert store.find_match_keys("companies", ["a" * 32]) == {}


def test_staging_twice_is_harmless_and_the_first_link_wins(store: StateStore) -> None:
    links = [("hub-1", "csv", "C1"), ("hub-1", "csv", "C1")]
    store.stage_identities("contacts", links, [("a" * 32, "hub-1")])
    store.stage_identities("contacts", links, [("a" * 32, "hub-1")])
    store.stage_identities("contacts", [("hub-9", "csv", "C1")], [("a" * 32, "hub-9")])
    assert store.resolve("csv", "contacts", ["C1"]) == {"C1": "hub-1"}
    assert store.find_match_keys("contacts", ["a" * 32]) == {"a" * 32: "hub-1"}


def test_hub_links_lists_every_connection_of_a_hub_record(store: StateStore) -> None:
    store.stage_identities(
        "contacts",
        [
            ("hub-1", "csv", "C1"),
            ("hub-1", "hubspot", "501"),
            ("hub-1", "salesforce", "003xx"),
            ("hub-2", "csv", "C2"),
            ("hub-1", "csv", "C0-duplicate"),
        ],
        [],
    )
    store.stage_identities("companies", [("hub-1", "csv", "K1")], [])
    links = store.hub_links(["hub-1", "hub-2", "hub-3"], "contacts")
    assert links == {
        "hub-1": {"csv": "C0-duplicate", "hubspot": "501", "salesforce": "003xx"},
        "hub-2": {"csv": "C2"},
    }


def test_lookups_beyond_one_chunk(store: StateStore) -> None:
    count = 1234
    store.stage_identities(
        "contacts",
        [(f"hub-{i}", "csv", f"C{i}") for i in range(count)],
        [(f"{i:032x}", f"hub-{i}") for i in range(count)],
    )
    resolved = store.resolve("csv", "contacts", [f"C{i}" for i in range(count + 10)])
    assert len(resolved) == count
    assert resolved["C1200"] == "hub-1200"
    assert len(store.hub_links([f"hub-{i}" for i in range(count)], "contacts")) == count
    assert len(store.find_match_keys("contacts", [f"{i:032x}" for i in range(count)])) == count


def test_unicode_record_ids(store: StateStore) -> None:
    store.stage_identities("contacts", [("hub-1", "csv", "MÜŞTERİ-ığ-001")], [])
    assert store.resolve("csv", "contacts", ["MÜŞTERİ-ığ-001", "MUSTERI-ig-001"]) == {"MÜŞTERİ-ığ-001": "hub-1"}


def test_within_one_call_the_first_of_duplicate_keys_wins(store: StateStore) -> None:
    store.stage_identities(
        "contacts",
        [("hub-1", "csv", "C1"), ("hub-2", "csv", "C1"), ("hub-3", "csv", "C3")],
        [("a" * 32, "hub-1"), ("a" * 32, "hub-2")],
    )
    assert store.resolve("csv", "contacts", ["C1", "C3"]) == {"C1": "hub-1", "C3": "hub-3"}
    assert store.find_match_keys("contacts", ["a" * 32]) == {"a" * 32: "hub-1"}


def test_candidate_index_stops_filing_hub_ids_under_a_key_too_common_to_be_evidence(store: StateStore) -> None:
    from hub.state.resolution import INDEX_CAP, IdentityStore

    index = IdentityStore(store)
    common, rare = "c" * 32, "r" * 32
    for start in range(0, 3 * INDEX_CAP, 50):  # batch after batch, as a long migration files them
        index.stage_block_keys("contacts", [(common, f"hub-{n}") for n in range(start, start + 50)])
    index.stage_block_keys("contacts", [(rare, "hub-1"), (rare, "hub-2"), (common, "hub-late")])
    with store._engine.connect() as conn:  # the index itself stays bounded
        from sqlalchemy import func, select

        from hub.state.schema import block_keys
        filed = conn.execute(select(func.count()).where(block_keys.c.key_hmac == common)).scalar_one()
    assert filed == INDEX_CAP + 1
    assert index.find_candidates("contacts", [common, rare], limit=20) == {rare: ["hub-1", "hub-2"]}
    assert index.find_candidates("contacts", [common], limit=10_000) == {}, "a bigger limit cannot see past the cap"
    assert index.find_candidates("contacts", [rare], limit=1) == {}


def test_sizes_seen_while_matching_spare_staging_a_count(store: StateStore) -> None:
    from hub.state.resolution import INDEX_CAP, IdentityStore

    index = IdentityStore(store)
    index.stage_block_keys("contacts", [("k" * 32, f"hub-{n}") for n in range(3)])
    sizes: dict[str, int] = {}
    assert index.find_candidates("contacts", ["k" * 32, "n" * 32], 20, sizes) == {
        "k" * 32: ["hub-0", "hub-1", "hub-2"]}
    assert sizes == {"k" * 32: 3, "n" * 32: 0}
    # A size said to be at the cap already keeps the key from growing, whatever the table holds.
    index.stage_block_keys("contacts", [("k" * 32, "hub-9"), ("n" * 32, "hub-9")], {"k" * 32: INDEX_CAP + 1})
    assert index.find_candidates("contacts", ["k" * 32, "n" * 32], 20) == {
        "k" * 32: ["hub-0", "hub-1", "hub-2"], "n" * 32: ["hub-9"]}
