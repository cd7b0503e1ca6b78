"""The audit trail: tampering caught by ``crmhub audit verify``; no raw identifier in logs or in the audit log."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hub.app import open_hub
from hub.cli.app import app
from hub.state.schema import audit
from hub.testing import run_migration
from tests.hub.gdpr.conftest import AYSE, raw_identifiers_in

runner = CliRunner()


def audit_rows(config: Path) -> list[tuple[object, ...]]:
    with open_hub(config) as hub, hub.store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(audit).order_by(audit.c.id))]


def verify(config: Path) -> tuple[int, dict[str, object], str]:
    as_json = runner.invoke(app, ["audit", "verify", "--config", str(config), "--json"])
    plain = runner.invoke(app, ["audit", "verify", "--config", str(config)])
    return as_json.exit_code, json.loads(as_json.stdout.strip().splitlines()[-1]), plain.stdout


def test_an_edited_consent_decision_is_named_by_audit_verify(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    allowed = next(row for row in audit_rows(shop) if row[2] == "consent.allowed")
    assert verify(shop)[0] == 0
    with open_hub(shop) as hub, hub.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER hub_audit_no_update"))
        forged = str(allowed[5]).replace('"basis":"sales:legitimate_interest"', '"basis":"marketing:consent"')
        assert forged != allowed[5]
        conn.execute(text("UPDATE hub_audit SET details = :d WHERE id = :i"), {"d": forged, "i": allowed[0]})

    code, result, plain = verify(shop)

    assert code == 1
    assert result["first_bad_id"] == allowed[0]
    assert f"broken at entry {allowed[0]}" in plain


def test_a_removed_erasure_entry_is_named_by_audit_verify(shop: Path) -> None:
    run_migration(shop, "shop", "warehouse")
    runner.invoke(app, ["gdpr", "erase", AYSE["email"], "--config", str(shop)])
    erased = next(row for row in audit_rows(shop) if row[2] == "gdpr.erase.requested")
    with open_hub(shop) as hub, hub.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER hub_audit_no_delete"))
        conn.execute(text("DELETE FROM hub_audit WHERE id = :i"), {"i": erased[0]})

    code, result, _ = verify(shop)

    assert code == 1 and result["first_bad_id"] == erased[0]


def test_no_raw_email_phone_or_national_id_in_logs_or_the_audit_log(shop: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    env = {**os.environ, "CRMHUB_LOG_LEVEL": "DEBUG"}
    command = [sys.executable, "-m", "hub"]
    migrated = subprocess.run([*command, "migrate", "--from", "shop", "--to", "warehouse", "--config", str(shop)],
                              capture_output=True, text=True, env=env, check=False)
    assert migrated.returncode in (0, 1), migrated.stderr
    outputs = [migrated.stderr]
    for args in (["consent", "show", AYSE["email"]],
                 ["consent", "record", AYSE["phone"], "--channel", "sms", "--status", "withdrawn"],
                 ["gdpr", "restrict", AYSE["tckn"]], ["gdpr", "status"], ["gdpr", "erase", AYSE["email"]]):
        result = runner.invoke(app, [*args, "--config", str(shop)])
        assert result.exit_code in (0, 1), result.output
        outputs.append(result.output)
    erased = subprocess.run([*command, "gdpr", "retry", "--config", str(shop)], capture_output=True, text=True,
                            env=env, check=False)
    outputs.append(erased.stderr)

    assert "erase request" in caplog.text and "told warehouse" in caplog.text, "the grep must see real logs"
    assert raw_identifiers_in(caplog.text) == []
    assert raw_identifiers_in("\n".join(outputs)) == []
    audit_text = json.dumps([[str(v) for v in row] for row in audit_rows(shop)], ensure_ascii=False)
    assert len(audit_rows(shop)) > 10
    assert raw_identifiers_in(audit_text) == []
