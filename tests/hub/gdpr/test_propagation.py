"""Consent recorded by hand or imported; withdrawals pushed to every recipient, retried when one is down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import fake_store, put_records, run_migration, write_config

runner = CliRunner()
EMAIL = "deniz.kaya@example.com.tr"
PROOF = {"consent.captured_at": "2025-03-01T10:00:00+03:00", "consent.source": "mağaza formu",
         "consent.notice_version": "v3", "consent.iys_status": "granted"}
CONNECTIONS = {"crm": {"connector": "fake", "store": "crm"},
               "erp": {"connector": "fake", "store": "erp", "classification": "sales"},
               "mailer": {"connector": "fake", "store": "mailer", "classification": "marketing"}}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    put_records("crm", "contacts", {"d": {"email": EMAIL, "last_name": "Kaya", "consent.email": "granted", **PROOF}})
    path = write_config(tmp_path, CONNECTIONS)
    run_migration(path, "crm", "erp")
    run_migration(path, "crm", "mailer")
    return path


def invoke(config: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, [*args, "--config", str(config), "--json"])
    lines = result.stdout.strip().splitlines()
    return result.exit_code, (json.loads(lines[-1]) if lines else {"output": result.output})


def test_a_withdrawal_reaches_every_recipient_and_future_runs(config: Path) -> None:
    code, recorded = invoke(config, "consent", "record", EMAIL, "--channel", "email", "--status", "withdrawn",
                            "--captured-at", "2026-01-10T09:00:00+03:00", "--method", "phone call",
                            "--source-system", "call-center", "--evidence", "kayıt-4411", "--regime", "KVKK")

    assert code == 0, recorded
    assert {p["connection"]: p["status"] for p in recorded["propagation"]} == {  # type: ignore[attr-defined]
        "erp": "acknowledged", "mailer": "acknowledged"}
    assert [r["consent.email"] for r in fake_store("erp")["contacts"].values()] == ["withdrawn"]
    assert [r["consent.email"] for r in fake_store("mailer")["contacts"].values()] == ["withdrawn"]
    _, shown = invoke(config, "consent", "show", EMAIL)
    assert shown["effective"]["email"]["status"] == "withdrawn"  # type: ignore[index]
    assert [e["status"] for e in shown["history"]] == ["granted", "withdrawn"]  # type: ignore[attr-defined]
    assert shown["history"][1]["supersedes_id"] == shown["history"][0]["consent_id"]  # type: ignore[index]
    put_records("crm", "contacts", {"d": {"email": EMAIL, "last_name": "Kaya", "consent.email": "granted", **PROOF,
                                          "job_title": "Avukat"}})
    assert run_migration(config, "crm", "mailer")["suppressed"] == 1, "an old grant does not resubscribe"


def test_an_unreachable_recipient_is_retried_by_consent_propagate(config: Path, tmp_path: Path) -> None:
    write_config(tmp_path, {**CONNECTIONS, "mailer": {**CONNECTIONS["mailer"], "fail_prob": 1.0}})
    code, recorded = invoke(config, "consent", "record", EMAIL, "--channel", "email", "--status", "withdrawn",
                            "--captured-at", "2026-01-10T09:00:00+03:00", "--method", "e-posta yanıtı")
    assert code == 1, recorded
    assert {p["connection"]: p["status"] for p in recorded["propagation"]} == {  # type: ignore[attr-defined]
        "erp": "acknowledged", "mailer": "pending"}
    _, status = invoke(config, "gdpr", "status")
    assert status["pending_propagation"] == 1

    write_config(tmp_path, CONNECTIONS)
    code, pushed = invoke(config, "consent", "propagate")

    assert code == 0
    assert [(p["connection"], p["status"]) for p in pushed["propagation"]] == [  # type: ignore[attr-defined]
        ("mailer", "acknowledged")]
    assert [r["consent.email"] for r in fake_store("mailer")["contacts"].values()] == ["withdrawn"]
    assert invoke(config, "gdpr", "status")[1]["pending_propagation"] == 0


def test_import_records_valid_rows_and_names_bad_lines(config: Path, tmp_path: Path) -> None:
    data = ("subject;channel;status;captured_at;capture_method;notice_version;source_system\n"
            f"{EMAIL};sms;granted;2026-02-01T10:00:00+03:00;web;v4;site\n"
            "yeni.musteri@example.com;email;granted;2026-02-01;web;v4;site\n"
            f"{EMAIL};fax;granted;;;;\n"
            "bozuk-adres;email;denied;;;;\n")
    path = tmp_path / "izinler.csv"
    path.write_bytes(data.encode("cp1254"))

    code, report = invoke(config, "consent", "import", str(path))

    assert code == 1
    assert report["recorded"] == 2
    problems = report["problems"]
    assert len(problems) == 2  # type: ignore[arg-type]
    assert "line 4: channel" in problems[0]  # type: ignore[index]
    assert "line 5" in problems[1] and "bozuk" not in problems[1]  # type: ignore[index]
    _, shown = invoke(config, "consent", "show", "yeni.musteri@example.com")
    assert shown["hub_ids"] == [] and shown["history"][0]["subject_kind"] == "email"  # type: ignore[index]


def test_a_jsonl_withdrawal_for_someone_not_yet_synced_applies_when_they_arrive(tmp_path: Path) -> None:
    newcomer = "yeni.gelen@example.com.tr"
    config = write_config(tmp_path, CONNECTIONS)
    path = tmp_path / "optouts.jsonl"
    path.write_text(json.dumps({"subject": newcomer, "channel": "email", "status": "withdrawn",
                                "captured_at": "2025-12-01T12:00:00+03:00", "capture_method": "unsubscribe link",
                                "source_system": "newsletter"}) + "\n\nnot json\n", encoding="utf-8")

    code, report = invoke(config, "consent", "import", str(path))

    assert code == 1 and report["recorded"] == 1
    assert report["problems"] == [f"{path.name} line 3: not a JSON object"]
    put_records("crm", "contacts", {"n": {"email": newcomer, "last_name": "Gelen", "consent.email": "granted",
                                          **PROOF}})
    summary = run_migration(config, "crm", "mailer")
    assert summary["suppressed"] == 1, "the older grant in the CRM does not beat the imported withdrawal"
    assert run_migration(config, "crm", "erp")["created"] == 1
    [row] = fake_store("erp")["contacts"].values()
    assert row["consent.email"] == "withdrawn", "the sales system hears of the withdrawal too"
