"""``crmhub dedup``: report, JSON summary, cross-system matching, --apply with and without a merge capability."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from typer.testing import CliRunner

from hub.app import open_hub
from hub.cli.app import app
from hub.connectors.api import Capability, ConnectorRegistry
from hub.hookspecs import hookimpl
from hub.identity.dedup import run_dedup
from hub.plugins import PluginHost
from hub.records import WriteOutcome, WriteResult
from hub.state.resolution import IdentityStore
from hub.testing import fake_store, put_records, write_config
from hub.testing.fake import FakeConnector
from tests.hub.identity.conftest import AYSE, GOKHAN

DUPLICATES = {
    "a1": AYSE,
    "a2": {**AYSE, "first_name": "AYSE", "last_name": "YILDIRIM", "mobile": "0533 765 43 21", "email": None},
    "g1": GOKHAN,
    "g2": {**GOKHAN, "email": "GOKHAN.K@FIRMA.COM.TR", "mobile": None},
    "x1": {"first_name": "John", "last_name": "Smith", "email": "john@example.com", "address.city": "London"},
}


def last_json(output: str) -> dict[str, Any]:
    return dict(json.loads(output.strip().splitlines()[-1]))


def test_dedup_reports_every_record_in_a_cluster_and_prints_the_summary_last(config: Path, tmp_path: Path) -> None:
    put_records("crm", "contacts", DUPLICATES)
    report = tmp_path / "out" / "clusters.csv"

    result = CliRunner().invoke(app, ["dedup", "crm", "--report", str(report), "--json", "--config", str(config)])

    assert result.exit_code == 0, result.output
    summary = last_json(result.output)
    assert {k: summary[k] for k in ("records", "clusters", "records_in_clusters")} == {
        "records": 5, "clusters": 2, "records_in_clusters": 4}
    assert summary["review"] == 0
    assert summary["duration_s"] >= 0
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["cluster_id", "connection", "record_id", "score"]
    clusters: dict[str, set[str]] = {}
    for row in rows:
        clusters.setdefault(row["cluster_id"], set()).add(row["record_id"])
        assert 0 < float(row["score"]) <= 1
    assert sorted(map(sorted, clusters.values())) == [["a1", "a2"], ["g1", "g2"]]


def test_dedup_without_apply_changes_nothing(config: Path) -> None:
    put_records("crm", "contacts", DUPLICATES)
    CliRunner().invoke(app, ["dedup", "crm", "--config", str(config)])
    with open_hub(config) as hub:
        assert hub.store.resolve("crm", "contacts", list(DUPLICATES)) == {}
        assert IdentityStore(hub.store).list_reviews() == []


def test_dedup_across_systems_and_apply_links_one_hub_id_per_cluster(config: Path) -> None:
    put_records("crm", "contacts", {"c1": GOKHAN, "c2": AYSE})
    put_records("legacy", "contacts", {"l1": {**GOKHAN, "first_name": "Gokhan", "email": None},
                                       "l2": DUPLICATES["x1"]})

    result = CliRunner().invoke(app, ["dedup", "crm", "--with", "legacy", "--apply", "--json",
                                      "--config", str(config)])

    assert result.exit_code == 0, result.output
    summary = last_json(result.output)
    assert (summary["clusters"], summary["linked"]) == (1, 2)
    assert any("cannot merge" in note for note in summary["skipped"]) is False  # one record per system
    with open_hub(config) as hub:
        primary = hub.store.resolve("crm", "contacts", ["c1"])
        merged = hub.store.resolve("legacy", "contacts#merged", ["l1"])
        assert IdentityStore(hub.store).list_merges()[0].decided_by == "dedup"
        assert hub.store.kv_get("identity", "model:contacts")  # syncs score with the estimated model
    assert primary["c1"] == merged["l1"]


def test_possible_matches_go_to_review_and_a_rejection_keeps_them_apart_next_time(config: Path) -> None:
    maybe = {"first_name": "Gökhan", "last_name": "Karaosmanoglu", "email": "gk1979@hotmail.com",
             "address.city": "Bursa"}
    put_records("crm", "contacts", {"g1": GOKHAN, "g9": maybe})
    runner = CliRunner()
    first = last_json(runner.invoke(app, ["dedup", "crm", "--apply", "--json", "--config", str(config)]).output)
    assert (first["clusters"], first["review"]) == (0, 1)
    listed = last_json(runner.invoke(app, ["review", "list", "--json", "--config", str(config)]).output)
    item = listed["items"][0]
    assert {m["record_id"] for m in item["members"]} == {"g1", "g9"}
    assert runner.invoke(app, ["review", "reject", str(item["id"]), "--config", str(config)]).exit_code == 0

    again = last_json(runner.invoke(app, ["dedup", "crm", "--apply", "--json", "--config", str(config)]).output)

    assert again["review"] == 0
    closed = last_json(runner.invoke(app, ["review", "list", "--status", "rejected", "--json",
                                           "--config", str(config)]).output)
    assert [i["id"] for i in closed["items"]] == [item["id"]]


def test_accepting_a_dedup_review_item_links_the_records_and_unmerge_unlinks_them(config: Path) -> None:
    maybe = {"first_name": "Gökhan", "last_name": "Karaosmanoglu", "email": "gk1979@hotmail.com",
             "address.city": "Bursa"}
    put_records("crm", "contacts", {"g1": GOKHAN, "g9": maybe})
    runner = CliRunner()
    runner.invoke(app, ["dedup", "crm", "--apply", "--config", str(config)])
    item = last_json(runner.invoke(app, ["review", "list", "--json", "--config", str(config)]).output)["items"][0]

    accepted = last_json(runner.invoke(app, ["review", "accept", str(item["id"]), "--json",
                                             "--config", str(config)]).output)

    merge_id = accepted["accepted"][0]["merge_id"]
    with open_hub(config) as hub:
        linked = {**hub.store.resolve("crm", "contacts", ["g1", "g9"]),
                  **hub.store.resolve("crm", "contacts#merged", ["g1", "g9"])}
    assert len(set(linked.values())) == 1 and set(linked) == {"g1", "g9"}
    undone = runner.invoke(app, ["unmerge", str(merge_id), "--json", "--config", str(config)])
    assert undone.exit_code == 0, undone.output
    with open_hub(config) as hub:
        assert hub.store.resolve("crm", "contacts#merged", ["g1", "g9"]) == {}
        assert IdentityStore(hub.store).get_review(item["id"]).status == "rejected"
    redo = runner.invoke(app, ["unmerge", str(merge_id), "--config", str(config)])
    assert redo.exit_code != 0
    assert "already undone" in redo.output


class MergingFake(FakeConnector):
    """The fake system, able to merge records the way CRMs do (the survivor stays, the rest go)."""

    name: ClassVar[str] = "fake-merging"
    capabilities = FakeConnector.capabilities | {Capability.MERGE}
    merges: ClassVar[list[tuple[str, list[str]]]] = []

    def merge(self, stream: str, survivor_id: str, merged_ids: Sequence[str]) -> WriteResult:
        table = self.data.get(stream, {})
        for key in merged_ids:
            table.pop(key, None)
        MergingFake.merges.append((survivor_id, list(merged_ids)))
        return WriteResult(survivor_id, WriteOutcome.UPDATED, target_id=survivor_id)


class _Plugin:
    @hookimpl
    def hub_register_connectors(self, registry: ConnectorRegistry) -> None:
        registry.register(MergingFake)


def test_apply_merges_inside_a_system_that_can_and_keeps_the_most_complete_record(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"crm": {"connector": "fake-merging", "store": "crm"}})
    put_records("crm", "contacts", {**DUPLICATES, "maybe": {"first_name": "Gökhan", "last_name": "Karaosmanoglu",
                                                            "email": "gk1979@hotmail.com", "address.city": "Bursa"}})
    MergingFake.merges.clear()
    host = PluginHost.start(extra=(_Plugin(),))

    with open_hub(config, host=host) as hub:
        summary, _ = run_dedup(hub, ["crm"], apply=True)

    assert summary.merged_in_system == 2
    assert sorted(MergingFake.merges) == [("a1", ["a2"]), ("g1", ["g2"])]  # the fuller record survives
    assert set(fake_store("crm")["contacts"]) == {"a1", "g1", "x1", "maybe"}  # the possible match is untouched
    assert summary.review == 2  # the possible match against each record of the cluster
