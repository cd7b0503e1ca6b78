"""The command line: init, check, connectors, migrate --json, runs, quarantine, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hub.app import open_hub
from hub.cli.app import app
from hub.testing import put_records, write_config
from tests.hub.engine.conftest import contact

runner = CliRunner()
SUMMARY_KEYS = {"run_id", "status", "read", "created", "updated", "merged", "unchanged", "quarantined",
                "suppressed", "duration_s"}


def last_json(output: str) -> dict:  # type: ignore[type-arg]
    return json.loads(output.strip().splitlines()[-1])


def test_init_writes_a_configuration_that_checks(tmp_path: Path) -> None:
    path = tmp_path / "crmhub.yaml"
    assert runner.invoke(app, ["init", "--path", str(path)]).exit_code == 0
    (tmp_path / "customers.csv").write_text("email,last_name\nayse@example.com,Yılmaz\n", encoding="utf-8")

    result = runner.invoke(app, ["check", "--config", str(path), "--json"])

    assert result.exit_code == 0, result.output
    assert last_json(result.stdout)["ok"] is True
    again = runner.invoke(app, ["init", "--path", str(path)])
    assert again.exit_code == 2


def test_configuration_errors_exit_2_and_list_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "crmhub.yaml"
    path.write_text("connections:\n  a: {connector: nope}\n  b: {connector: csv}\n", encoding="utf-8")

    result = runner.invoke(app, ["check", "--config", str(path)])

    assert result.exit_code == 2
    assert "connections.a.connector" in result.stderr
    assert "connections.b.path" in result.stderr


def test_connectors_lists_capabilities() -> None:
    result = runner.invoke(app, ["connectors", "--json"])
    rows = {row["name"]: row for row in last_json(result.stdout)["connectors"]}
    assert "write" in rows["sql"]["capabilities"]
    assert "read" in rows["csv"]["capabilities"]


def test_migrate_json_summary_is_the_last_line_and_runs_show_the_records(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"src": {"connector": "fake", "store": "src"},
                                     "dst": {"connector": "fake", "store": "dst"}})
    put_records("src", "contacts", {"a": contact(1), "b": contact(2, email="not-an-email")})

    result = runner.invoke(app, ["migrate", "--from", "src", "--to", "dst", "--config", str(config), "--json"])

    assert result.exit_code == 0, result.output
    summary = last_json(result.stdout)
    assert set(summary) >= SUMMARY_KEYS
    assert (summary["created"], summary["quarantined"]) == (1, 1)
    shown = runner.invoke(app, ["runs", "show", summary["run_id"][:8], "--outcome", "quarantined", "--json",
                                "--config", str(config)])
    records = last_json(shown.stdout)["records"]
    assert [r["source_id"] for r in records] == ["b"]
    listed = runner.invoke(app, ["quarantine", "list", "--json", "--config", str(config)])
    [entry] = last_json(listed.stdout)["entries"]
    assert entry["reasons"][0]["code"] == "email_invalid"
    assert "not-an-email" not in listed.stdout


def test_quarantine_retry_loads_a_record_once_the_target_accepts_it(tmp_path: Path) -> None:
    connections = {"src": {"connector": "fake", "store": "src"},
                   "dst": {"connector": "fake", "store": "dst", "reject_field": "job_title", "reject_value": "X"}}
    config = write_config(tmp_path, connections)
    put_records("src", "contacts", {"a": contact(1, job_title="X")})
    first = last_json(runner.invoke(app, ["migrate", "--from", "src", "--to", "dst", "-c", str(config),
                                          "--json"]).stdout)
    assert first["quarantined"] == 1
    connections["dst"] = {"connector": "fake", "store": "dst"}
    write_config(tmp_path, connections)

    retried = runner.invoke(app, ["quarantine", "retry", "-c", str(config), "--json"])

    assert retried.exit_code == 0, retried.output
    assert last_json(retried.stdout)["created"] == 1
    still_open = last_json(runner.invoke(app, ["quarantine", "list", "--json", "-c", str(config)]).stdout)
    assert still_open["entries"] == []


def quarantine_one(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A record the target refused, in quarantine; the configuration and its open entry."""
    config = write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src"},
        "dst": {"connector": "fake", "store": "dst", "reject_field": "job_title", "reject_value": "X"}})
    put_records("src", "contacts", {"a": contact(1, job_title="X")})
    runner.invoke(app, ["migrate", "--from", "src", "--to", "dst", "-c", str(config), "--json"])
    [entry] = last_json(runner.invoke(app, ["quarantine", "list", "--json", "-c", str(config)]).stdout)["entries"]
    return config, entry


def test_a_retried_record_that_fails_again_waits_in_an_open_entry_of_its_own(tmp_path: Path) -> None:
    config, first = quarantine_one(tmp_path)

    retried = runner.invoke(app, ["quarantine", "retry", "-c", str(config), "--json"])

    assert retried.exit_code == 0, retried.output
    assert last_json(retried.stdout)["quarantined"] == 1
    [waiting] = last_json(runner.invoke(app, ["quarantine", "list", "--json", "-c", str(config)]).stdout)["entries"]
    assert waiting["id"] != first["id"]
    assert waiting["run_id"] == last_json(retried.stdout)["run_id"]
    done = last_json(runner.invoke(app, ["quarantine", "list", "--status", "retried", "--json", "-c",
                                         str(config)]).stdout)["entries"]
    assert [e["id"] for e in done] == [first["id"]]


def test_a_replay_run_that_fails_leaves_the_entries_open(tmp_path: Path) -> None:
    config, first = quarantine_one(tmp_path)
    write_config(tmp_path, {"src": {"connector": "fake", "store": "src"},
                            "dst": {"connector": "fake", "store": "dst", "fail_prob": 1.0}})

    retried = runner.invoke(app, ["quarantine", "retry", "-c", str(config), "--json"])

    assert last_json(retried.stdout)["status"] == "failed"
    [still] = last_json(runner.invoke(app, ["quarantine", "list", "--json", "-c", str(config)]).stdout)["entries"]
    assert still["id"] == first["id"]
    with open_hub(config) as hub:
        assert hub.store.get_quarantine(first["id"]).note.startswith("replay failed in run")


def test_a_failed_run_exits_non_zero(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"src": {"connector": "fake", "store": "src"},
                                     "dst": {"connector": "fake", "store": "dst", "fail_prob": 1.0}})
    put_records("src", "contacts", {"a": contact(1)})

    result = runner.invoke(app, ["migrate", "--from", "src", "--to", "dst", "-c", str(config), "--json"])

    assert result.exit_code == 1
    assert last_json(result.stdout)["status"] == "failed"


def test_audit_verify_passes_on_an_untouched_log(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"src": {"connector": "fake", "store": "src"},
                                     "dst": {"connector": "fake", "store": "dst"}})
    put_records("src", "contacts", {"a": contact(1)})
    runner.invoke(app, ["migrate", "--from", "src", "--to", "dst", "-c", str(config)])

    result = runner.invoke(app, ["audit", "verify", "-c", str(config), "--json"])

    assert result.exit_code == 0
    assert last_json(result.stdout)["ok"] is True


def test_sandbox_prints_one_json_line_and_serves_until_stopped(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "sandbox", "hubspot", "--data", str(tmp_path), "--set", "tier=pro"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "CRMHUB_BLOCK_PLUGINS": "zoho,salesforce"},
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert set(info) == {"url", "token", "ca_file"}
        request = urllib.request.Request(  # noqa: S310 - the sandbox on 127.0.0.1
            f"{info['url']}/crm/v3/properties/contacts", headers={"Authorization": f"Bearer {info['token']}"})
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the sandbox on 127.0.0.1
            assert answer.status == 200
            assert int(answer.headers["X-HubSpot-RateLimit-Max"]) == 190
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()
