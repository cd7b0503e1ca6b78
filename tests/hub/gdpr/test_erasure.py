"""``crmhub gdpr erase``: everywhere, acknowledged per system, suppressed for good, nothing left in the store."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import fake_store, put_records, run_migration, write_config
from tests.hub.gdpr.conftest import AYSE, cli, raw_identifiers_in, store_text, warehouse_rows

runner = CliRunner()


def test_erase_then_rerun_of_a_source_that_still_holds_the_person_does_not_recreate_them(shop: Path) -> None:
    first = run_migration(shop, "shop", "warehouse")
    assert (first["created"], first["quarantined"]) == (2, 1)
    assert AYSE["email"] in store_text(shop) or raw_identifiers_in(store_text(shop)), "the test must start dirty"

    code, report = cli(shop, "gdpr", "erase", AYSE["email"])

    assert code == 1, "the CSV export cannot erase: the request stays open until someone confirms it"
    systems = {s["connection"]: s for s in report["systems"]}  # type: ignore[attr-defined]
    assert (systems["warehouse"]["mechanism"], systems["warehouse"]["status"]) == ("delete", "acknowledged")
    assert (systems["shop"]["mechanism"], systems["shop"]["status"]) == ("manual", "manual")
    assert [row["email"] for row in warehouse_rows(shop)] == ["mehmet@example.com.tr"]
    assert raw_identifiers_in(store_text(shop)) == []

    again = run_migration(shop, "shop", "warehouse", restart=True)

    # Row 3 (Ayşe again, with a mistyped TCKN) is not quarantined again: that would bring her back.
    assert (again["suppressed"], again["created"], again["unchanged"], again["quarantined"]) == (2, 0, 1, 0)
    assert [row["email"] for row in warehouse_rows(shop)] == ["mehmet@example.com.tr"]
    assert raw_identifiers_in(store_text(shop)) == []


def test_erasure_finds_the_person_by_national_id_and_by_phone(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    _, by_tckn = cli(shop, "gdpr", "erase", AYSE["tckn"])
    assert by_tckn["found"] is True
    assert [row["email"] for row in warehouse_rows(shop)] == ["mehmet@example.com.tr"]
    _, by_phone = cli(shop, "gdpr", "erase", "0533 987 65 43")
    assert by_phone["found"] is True
    assert warehouse_rows(shop) == []
    _, again = cli(shop, "gdpr", "erase", "0532 123 45 67")
    assert again["found"] is False, "already erased: nothing left to find"


def test_without_deduplication_people_are_still_found_by_email(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse", dedup=False)
    _, report = cli(shop, "gdpr", "erase", AYSE["email"].upper())
    assert report["found"] is True
    assert [row["email"] for row in warehouse_rows(shop)] == ["mehmet@example.com.tr"]


def test_a_person_never_seen_is_suppressed_before_they_arrive(shop: Path) -> None:
    _, report = cli(shop, "gdpr", "erase", AYSE["email"])
    assert report["found"] is False
    summary = run_migration(shop, "shop", "warehouse")
    assert (summary["created"], summary["suppressed"], summary["quarantined"]) == (1, 2, 0), \
        "her invalid row too: an erased person is not kept in quarantine"


def test_an_unreachable_system_leaves_the_request_pending_until_a_retry_succeeds(tmp_path: Path) -> None:
    connections = {"crm": {"connector": "fake", "store": "crm"},
                   "mailer": {"connector": "fake", "store": "mailer", "classification": "sales"}}
    config = write_config(tmp_path, connections)
    put_records("crm", "contacts", {"k1": {"email": AYSE["email"], "last_name": "Yılmaz"}})
    run_migration(config, "crm", "mailer")
    down = {**connections, "mailer": {**connections["mailer"], "fail_prob": 1.0}}
    write_config(tmp_path, down)

    code, report = cli(config, "gdpr", "erase", AYSE["email"])

    assert code == 1 and report["status"] == "pending"
    systems = {s["connection"]: s["status"] for s in report["systems"]}  # type: ignore[attr-defined]
    assert systems == {"crm": "acknowledged", "mailer": "pending"}
    assert len(fake_store("mailer")["contacts"]) == 1
    status_code, status = cli(config, "gdpr", "status")
    assert status_code == 0, "pending but not overdue"
    [open_request] = status["requests"]  # type: ignore[misc]
    assert open_request["kind"] == "erase" and 28 <= open_request["days_left"] <= 30

    write_config(tmp_path, connections)
    retry_code, retried = cli(config, "gdpr", "retry")

    assert retry_code == 0
    assert retried["requests"][0]["status"] == "completed"  # type: ignore[index]
    assert fake_store("mailer")["contacts"] == {}
    assert raw_identifiers_in(store_text(config)) == []
    assert cli(config, "gdpr", "status")[1]["requests"] == []


def test_a_system_without_erase_or_delete_is_confirmed_by_hand(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    _, report = cli(shop, "gdpr", "erase", AYSE["email"])

    result = runner.invoke(app, ["gdpr", "confirm", str(report["request_id"])[:10], "shop", "--note", "DPO, ticket 7",
                                 "--config", str(shop)])

    assert result.exit_code == 0, result.output
    assert "completed" in result.stdout
    _, everything = cli(shop, "gdpr", "status", "--all")
    [done] = everything["requests"]  # type: ignore[misc]
    assert {s["connection"]: s["status"] for s in done["systems"]} == {"shop": "confirmed", "warehouse": "acknowledged"}


def test_erasure_is_audited_under_a_pseudonym_and_the_chain_stays_intact(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    cli(shop, "gdpr", "erase", AYSE["email"])
    code, verified = cli(shop, "audit", "verify")
    assert code == 0 and verified["ok"] is True
    text = store_text(shop)
    assert "gdpr.erase.requested" in text and "gdpr.erase.system" in text


def test_config_written_by_tests_stays_valid(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"a": {"connector": "fake"}})
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["consent"] = {"children_age": 13, "transfers": {"TR": ["TR"]}}
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert cli(config, "gdpr", "status")[0] == 0
