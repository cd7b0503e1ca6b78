"""Deadlines per law, and what ``crmhub gdpr status`` lists: open requests, overdue ones, records to destroy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from hub.app import open_hub
from hub.cli.app import app
from hub.consent.policy import Regime
from hub.gdpr.deadlines import due_date, earliest_deadline
from hub.state.privacy import PrivacyStore
from hub.state.subject_requests import SubjectRequest
from hub.testing import put_records, run_migration, write_config

runner = CliRunner()
JAN_31 = dt.datetime(2026, 1, 31, 15, 0, tzinfo=dt.UTC)


def test_gdpr_gives_one_calendar_month_and_kvkk_thirty_days() -> None:
    assert due_date(Regime.GDPR, JAN_31) == dt.datetime(2026, 2, 28, 15, 0, tzinfo=dt.UTC)
    assert due_date(Regime.GDPR, dt.datetime(2026, 3, 15, tzinfo=dt.UTC)).date() == dt.date(2026, 4, 15)
    assert due_date(Regime.GDPR, dt.datetime(2026, 12, 31, tzinfo=dt.UTC)).date() == dt.date(2027, 1, 31)
    assert due_date(Regime.KVKK, JAN_31).date() == dt.date(2026, 3, 2)
    assert due_date(Regime.CCPA, JAN_31).date() == dt.date(2026, 3, 17)


def test_the_earliest_deadline_of_the_laws_that_apply_is_tracked() -> None:
    assert earliest_deadline([Regime.GDPR, Regime.KVKK], JAN_31)[0] is Regime.GDPR  # February is short
    march = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)  # a 31-day month: thirty days come first
    assert earliest_deadline([Regime.GDPR, Regime.KVKK], march) == (Regime.KVKK, dt.datetime(2026, 3, 31,
                                                                                            tzinfo=dt.UTC))


def status(config: Path) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["gdpr", "status", "--config", str(config), "--json"])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_status_lists_records_past_retention_and_fails_on_overdue_requests(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"crm": {"connector": "fake", "store": "crm"},
                                     "erp": {"connector": "fake", "store": "erp", "classification": "sales"}})
    put_records("crm", "contacts", {
        "old": {"email": "eski@example.com", "consent.retention_until": "2020-01-01"},
        "new": {"email": "yeni@example.com", "consent.retention_until": "2999-01-01"},
    })
    summary = run_migration(config, "crm", "erp")
    assert (summary["created"], summary["suppressed"]) == (1, 1)

    code, report = status(config)

    assert code == 0
    [due] = report["retention_due"]  # type: ignore[misc]
    assert (due["source"], due["ref"]) == ("crm", "fake contacts old")
    assert "eski" not in json.dumps(report)

    with open_hub(config) as hub:
        PrivacyStore(hub.store).open_request(SubjectRequest(
            "erase", "p" * 32, [], "KVKK", dt.datetime(2020, 1, 31, tzinfo=dt.UTC),
            received_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
    code, report = status(config)
    assert code == 1 and report["overdue"] == 1
