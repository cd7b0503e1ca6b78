"""The screening through the real engine: consent recorded in the ledger, merged across systems, audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.app import open_hub
from hub.engine.identity import mint_hub_id
from hub.state.privacy import PrivacyStore
from hub.state.schema import audit
from hub.testing import fake_store, put_records, run_migration, write_config

PROOF = {"consent.captured_at": "2025-03-01T10:00:00+03:00", "consent.source": "web form /kayit",
         "consent.notice_version": "aydinlatma-v3", "consent.iys_status": "granted"}


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"first_name": "Şule", "last_name": f"Çınar{n}", "email": f"sule{n}@example.com.tr",
            "address.country": "TR", **extra}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, {
        "crm": {"connector": "fake", "store": "crm"},
        "shop": {"connector": "fake", "store": "shop"},
        "erp": {"connector": "fake", "store": "erp", "classification": "sales"},
        "mailer": {"connector": "fake", "store": "mailer", "classification": "marketing"},
    })


def ledger(config: Path, source: str, key: str) -> list[Any]:
    with open_hub(config) as hub:
        return PrivacyStore(hub.store).consent_history([mint_hub_id(source, "contacts", key)])


def test_consent_read_from_a_source_is_recorded_once_and_a_change_supersedes(config: Path) -> None:
    put_records("crm", "contacts", {"a": person(1, **{"consent.email": "granted", **PROOF})})
    run_migration(config, "crm", "erp")
    run_migration(config, "crm", "erp", restart=True)
    first = ledger(config, "crm", "a")
    assert [(e.channel, e.status, e.source_system) for e in first] == [("email", "granted", "crm")]
    assert first[0].provable and first[0].notice_version == "aydinlatma-v3"

    put_records("crm", "contacts", {"a": person(1, **{**PROOF, "consent.email": "withdrawn",
                                                      "consent.captured_at": "2025-09-01T09:00:00+03:00"})})
    run_migration(config, "crm", "erp")

    history = ledger(config, "crm", "a")
    assert [e.status for e in history] == ["granted", "withdrawn"]
    assert history[1].supersedes_id == history[0].consent_id
    assert history[0].identifier_hmacs and "@" not in "".join(history[0].identifier_hmacs)


def test_a_withdrawal_in_one_system_beats_an_older_grant_in_another(config: Path) -> None:
    put_records("crm", "contacts", {"a": person(1, **{**PROOF, "consent.email": "withdrawn",
                                                      "consent.captured_at": "2025-09-01T09:00:00+03:00"})})
    put_records("shop", "contacts", {"s": person(1, **{**PROOF, "consent.email": "granted"})})
    run_migration(config, "crm", "erp")

    to_erp = run_migration(config, "shop", "erp")
    to_mailer = run_migration(config, "shop", "mailer")

    assert to_erp["merged"] == 1
    [row] = fake_store("erp")["contacts"].values()
    assert row["consent.email"] == "withdrawn"
    assert to_mailer["suppressed"] == 1
    assert fake_store("mailer").get("contacts", {}) == {}


def test_only_fresh_provable_evidence_resubscribes(config: Path) -> None:
    put_records("crm", "contacts", {"a": person(1, **{**PROOF, "consent.email": "withdrawn",
                                                      "consent.captured_at": "2025-09-01T09:00:00+03:00"})})
    run_migration(config, "crm", "erp")
    stale = {**PROOF, "consent.email": "granted", "consent.captured_at": "2025-10-01T09:00:00+03:00",
             "consent.notice_version": None}
    put_records("shop", "contacts", {"s": person(1, **stale)})
    assert run_migration(config, "shop", "mailer")["suppressed"] == 1

    put_records("shop", "contacts", {"s": person(1, **{**stale, "consent.notice_version": "aydinlatma-v4"})})
    again = run_migration(config, "shop", "mailer")

    assert again["created"] == 1
    [row] = fake_store("mailer")["contacts"].values()
    assert row["consent.email"] == "granted"


def test_every_decision_is_audited_with_rule_basis_and_destination_and_no_personal_data(config: Path) -> None:
    put_records("crm", "contacts", {
        "ok": person(1, **{**PROOF, "consent.email": "granted"}),
        "strip": person(2, **{**PROOF, "consent.email": "granted", "national_id.value": "10000000146",
                              "mobile": "+905321112233"}),
        "no": person(3),
    })
    summary = run_migration(config, "crm", "mailer")

    assert (summary["created"], summary["suppressed"]) == (2, 1)
    stored = fake_store("mailer")["contacts"][mint_hub_id("crm", "contacts", "strip")]
    assert "national_id.value" not in stored and "mobile" not in stored
    with open_hub(config) as hub, hub.store.engine.connect() as conn:
        rows = conn.execute(select(audit.c.event, audit.c.subject, audit.c.details)).all()
        assert hub.store.verify_audit().ok
    events = {event: json.loads(details) for event, _, details in rows if event.startswith("consent.")}
    assert events["consent.allowed"]["subjects"] == [mint_hub_id("crm", "contacts", "ok")]
    assert events["consent.allowed"]["basis"] == "marketing:consent"
    assert events["consent.allowed"]["destination"] == "mailer"
    assert {"national_id.value", "mobile"} <= set(events["consent.stripped"]["fields"])
    suppressed = [json.loads(d) for e, s, d in rows if e == "record.suppressed"]
    assert suppressed[0]["rule"] == "legal_basis" and suppressed[0]["destination"] == "mailer"
    text = json.dumps([list(r) for r in rows], ensure_ascii=False)
    for raw in ("@example.com.tr", "10000000146", "905321112233", "Şule", "Çınar"):
        assert raw not in text


def test_a_dry_run_decides_but_records_nothing(config: Path) -> None:
    put_records("crm", "contacts", {"a": person(1, **{**PROOF, "consent.email": "granted"}), "b": person(2)})

    preview = run_migration(config, "crm", "mailer", dry_run=True)

    assert (preview["created"], preview["suppressed"]) == (1, 1)
    assert ledger(config, "crm", "a") == []
    with open_hub(config) as hub, hub.store.engine.connect() as conn:
        events = [e for (e,) in conn.execute(select(audit.c.event)) if e.startswith("consent.")]
    assert events == []


def test_companies_are_not_screened(config: Path) -> None:
    put_records("crm", "companies", {"c": {"name": "Çiçek Ltd", "tax_id.value": "1234567890"}})
    assert run_migration(config, "crm", "mailer", streams=["companies"])["created"] == 1
