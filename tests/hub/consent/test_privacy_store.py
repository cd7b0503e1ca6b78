"""The data-protection tables on SQLite and PostgreSQL: append-only ledger, suppression, index, purge."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hub.state import AuditEvent, QuarantineItem, RecordOutcome, StateStore
from hub.state.consent_ledger import ConsentEntry
from hub.state.person_data import Needles
from hub.state.privacy import PrivacyStore
from hub.state.subject_requests import RequestSystem, SubjectRequest
from hub.state.suppression import SuppressionEntry
from tests.hub.state.conftest import keys, pg_url, sqlite_url, store, store_url  # noqa: F401 - fixtures

HUB = "a" * 32


def test_the_ledger_appends_and_refuses_edits(store: StateStore) -> None:  # noqa: F811
    privacy = PrivacyStore(store)
    first = ConsentEntry(HUB, "email", "marketing", "granted", captured_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                         capture_method="web", notice_version="v1", source_system="crm")
    second = ConsentEntry(HUB, "email", "marketing", "withdrawn", supersedes_id=first.consent_id,
                          source_system="crm")
    privacy.record_batch([first], [], [AuditEvent("consent.recorded", HUB, {})])
    privacy.record_consents([second])

    history = privacy.consent_history([HUB])

    assert [e.status for e in history] == ["granted", "withdrawn"]
    assert history[0].provable and not history[1].provable
    assert history[0].fingerprint == first.fingerprint
    with pytest.raises(DBAPIError), store.engine.begin() as conn:
        conn.execute(text("UPDATE hub_consent_ledger SET status = 'granted'"))


def test_suppression_subject_index_and_requests_round_trip(store: StateStore) -> None:  # noqa: F811
    privacy = PrivacyStore(store)
    privacy.suppress([SuppressionEntry("h1", "email", "erasure", request_id="r1"),
                      SuppressionEntry("h1", "email", "erasure"), SuppressionEntry("h2", "phone", "restriction")])
    privacy.record_batch([], [("h1", HUB, "email"), ("h1", HUB, "email"), ("h3", "b" * 32, "phone")])
    request = SubjectRequest("erase", "h1", [HUB], "KVKK", dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                             systems=[RequestSystem("crm", "contacts", "delete", keys=["17", HUB])])
    privacy.open_request(request)

    assert {h: [e.reason for e in found] for h, found in privacy.suppressed(["h1", "h2", "h9"]).items()} == {
        "h1": ["erasure"], "h2": ["restriction"]}
    assert privacy.lift(["h2"], "restriction") == 1
    assert privacy.hub_ids_for(["h1", "h3"]) == {HUB, "b" * 32}
    stored = privacy.find_request(request.request_id[:8])
    assert stored.systems[0].keys == ["17", HUB]
    stored.systems[0].status = "acknowledged"
    privacy.save_request_system(stored.request_id, stored.systems[0])
    assert privacy.find_request(stored.request_id).systems[0].keys == [], "keys go once acknowledged"


def test_recipients_and_the_purge_of_a_person(store: StateStore) -> None:  # noqa: F811
    privacy = PrivacyStore(store)
    token = store.acquire_lease("p", "me", 60)
    run = store.start_run("p", "crm", "erp", ["contacts"], False, token)
    store.stage_identities("contacts", [(HUB, "crm", "ayse@example.com")], [("k1", HUB)])
    store.commit_batch(run, "p", "contacts", [
        RecordOutcome(1, "crm ayse@example.com", "ayse@example.com", HUB, "created", "T-1")],
        [(HUB, "erp", "T-1")], [QuarantineItem("crm row 9", "x9", "crm", [], {"E-posta": "AYSE@example.com"})],
        {"after": "ayse@example.com"}, token)

    [recipient] = privacy.recipients([HUB])
    assert (recipient.connection, recipient.stream) == ("erp", "contacts")
    links = privacy.links([HUB])
    counts = privacy.erase_person([HUB], links, Needles(emails=frozenset({"ayse@example.com"})), [])

    assert counts["identity_links"] == 2 and counts["quarantine_payloads"] == 1 and counts["checkpoints"] == 1
    assert privacy.links([HUB]) == []
    assert store.get_checkpoint("p", "contacts") is None
    [outcome] = store.list_outcomes(run)
    assert (outcome.source_id, outcome.ref, outcome.target_id) == (None, "(erased)", None)
    [entry] = store.list_quarantine(status="discarded")
    assert store.get_quarantine(entry.id).payload is None


def test_needles_find_phones_in_any_spelling() -> None:
    needles = Needles(phone_digits=frozenset({"905321234567"}), national_ids=frozenset({"10000000146"}))
    assert needles.found_in('{"Cep": "0532 123 45 67"}')
    assert needles.found_in('{"tc": "10000000146"}')
    assert not needles.found_in('{"Cep": "0532 123 45 68", "no": "1000000014"}')
