"""kill -9 in the middle of a CSV → Salesforce migration, run it again: every record once, none lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crmhub_salesforce.testkit import SandboxProcess, people_csv

from hub.testing import write_config

RECORDS = 3000


def migrate(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "hub", "migrate", "--from", "people", "--to", "salesforce", "--batch-size", "200",
             "--config", str(config), "--json"],
            stdout=handle, stderr=subprocess.STDOUT,
            env={**os.environ, "CRMHUB_BLOCK_PLUGINS": "zoho,hubspot", "CRMHUB_RETRY_SCALE": "0.01"})


def test_killed_runs_resume_with_every_record_exactly_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with SandboxProcess(tmp_path / "org") as sandbox:
        sf = sandbox.client()
        monkeypatch.setenv("SF_CRASH_TOKEN", sandbox.token)
        config = write_config(tmp_path / "hub", {
            "people": {"connector": "csv", "path": str(people_csv(tmp_path / "people.csv", RECORDS))},
            "salesforce": {"connector": "salesforce", "url": sandbox.url, "token": "${env:SF_CRASH_TOKEN}",
                           "ca_file": sandbox.ca_file, "sandbox": True},
        })
        log = tmp_path / "runs.log"
        kills = 0
        for threshold in (1, RECORDS // 3, (2 * RECORDS) // 3):
            run = migrate(config, log)
            deadline = time.monotonic() + 120
            while run.poll() is None and time.monotonic() < deadline and \
                    sf.query("SELECT COUNT() FROM Contact")["totalSize"] < threshold:
                time.sleep(0.05)
            if run.poll() is None:
                run.send_signal(signal.SIGKILL)
                kills += 1
            run.wait(timeout=60)
        final = migrate(config, log)
        assert final.wait(timeout=300) == 0, log.read_text(errors="replace")[-3000:]

        keys = [r["Crmhub_Id__c"] for r in sf.query_all("SELECT Crmhub_Id__c FROM Contact")["records"]]
        tail = log.read_text(errors="replace")[-3000:]
        summary = json.loads(tail.strip().splitlines()[-1])
    assert kills >= 2, f"the runs finished before they could be killed:\n{tail}"
    assert len(keys) == len(set(keys)) == RECORDS, tail
    assert summary["status"] == "succeeded", tail


pytestmark = pytest.mark.timeout(600)
