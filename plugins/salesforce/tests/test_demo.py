"""The Salesforce leg of the demo: the demo's warehouse goes into a sandbox org, and a re-run creates nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from crmhub_salesforce.demo import run_salesforce_leg
from crmhub_salesforce.testkit import people_csv

from hub.testing import run_migration, write_config


def test_demo_warehouse_goes_to_salesforce_and_a_rerun_creates_nothing(tmp_path: Path) -> None:
    # What `crmhub demo` leaves behind: a warehouse.db of canonical contacts.
    demo = tmp_path / "demo"
    config = write_config(demo, {"export": {"connector": "csv", "path": str(people_csv(tmp_path / "p.csv", 120))},
                                 "warehouse": {"connector": "sql", "url": f"sqlite:///{demo / 'warehouse.db'}",
                                               "table": "contacts"}})
    assert run_migration(config, "export", "warehouse")["created"] == 120

    leg = run_salesforce_leg(demo)

    first, rerun = leg["first"], leg["rerun"]
    assert first["status"] == "succeeded", first
    assert first["created"] == leg["contacts_in_salesforce"] == 120
    assert rerun["status"] == "succeeded", rerun
    assert rerun["created"] == 0


def test_the_leg_needs_the_demo_first(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="crmhub demo"):
        run_salesforce_leg(tmp_path)
