"""``crmhub demo``: the messy export lands in SQLite and in every CRM sandbox, and each re-run changes nothing."""

from __future__ import annotations

from pathlib import Path

from hub.demo.run import run_demo

COUNTED = ("created", "updated", "merged", "unchanged", "quarantined", "suppressed")


def test_demo_migrates_the_export_everywhere_and_reruns_change_nothing(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo", records=300, seed=3)

    first, rerun = result.first.as_dict(), result.rerun.as_dict()
    assert result.succeeded
    assert first["read"] == sum(first[k] for k in COUNTED)
    assert first["quarantined"] > 0, "the export plants invalid records"
    assert first["merged"] > 0, "the export plants the same person twice"
    assert rerun["created"] == rerun["updated"] == rerun["merged"] == 0
    assert {leg.connector for leg in result.legs} == {"salesforce", "hubspot", "zoho"}
    loaded = first["created"]
    for leg in result.legs:
        crm_first, crm_again = leg.first.as_dict(), leg.rerun.as_dict()
        assert (crm_first["read"], crm_first["created"], crm_first["quarantined"]) == (loaded, loaded, 0), leg.connector
        assert (crm_again["unchanged"], crm_again["updated"]) == (loaded, 0), leg.connector
    assert "token" not in (tmp_path / "demo" / "crmhub.yaml").read_text(encoding="utf-8")
