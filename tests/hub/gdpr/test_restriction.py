"""``crmhub gdpr restrict``: no run sends the person anywhere, every recipient hears it; ``--lift`` undoes both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.app import app
from hub.testing import fake_store, put_records, run_migration, write_config

runner = CliRunner()
EMAIL = "gizem.aksoy@example.com.tr"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    put_records("crm", "contacts", {"g": {"email": EMAIL, "last_name": "Aksoy", "job_title": "Mimar"}})
    return write_config(tmp_path, {"crm": {"connector": "fake", "store": "crm"},
                                   "erp": {"connector": "fake", "store": "erp", "classification": "sales"}})


def invoke(config: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_restriction_blocks_runs_and_reaches_recipients_and_lifting_undoes_it(config: Path) -> None:
    run_migration(config, "crm", "erp")

    restricted = invoke(config, "gdpr", "restrict", EMAIL)

    assert restricted["systems"] == [{"connection": "erp", "status": "acknowledged", "message": restricted[
        "systems"][0]["message"]}]  # type: ignore[index]
    [row] = fake_store("erp")["contacts"].values()
    assert row["consent.processing_restricted"] is True
    put_records("crm", "contacts", {"g": {"email": EMAIL, "last_name": "Aksoy", "job_title": "Baş Mimar"}})
    blocked = run_migration(config, "crm", "erp")
    assert blocked["suppressed"] == 1 and row["job_title"] == "Mimar"

    invoke(config, "gdpr", "restrict", EMAIL, "--lift")

    assert row["consent.processing_restricted"] is False
    put_records("crm", "contacts", {"g": {"email": EMAIL, "last_name": "Aksoy", "job_title": "Baş Mimar"}})
    assert run_migration(config, "crm", "erp")["updated"] == 1
    assert row["job_title"] == "Baş Mimar"
