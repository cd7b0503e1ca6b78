"""A migration killed with SIGKILL mid-run resumes to exactly the source: nothing missing, nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.testing import run_migration, write_config

from .conftest import SandboxFactory
from .migration_data import hubspot_connection, live, write_contacts

RUN = "import sys, pathlib; from hub.testing import run_migration; " \
      "run_migration(pathlib.Path(sys.argv[1]), 'people', 'hubspot', pipeline='people->hubspot')"


def test_kill_minus_nine_then_resume_duplicates_nothing(tmp_path: Path, make_sandbox: SandboxFactory,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = make_sandbox(latency_ms=15)  # slow enough to be killed mid-run
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")
    write_contacts(tmp_path / "contacts.csv", 3000, [])
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(tmp_path / "contacts.csv"), "checkpoint_every": 100},
        "hubspot": hubspot_connection(sandbox),
    }, pipelines={"people->hubspot": {"source": "people", "target": "hubspot", "streams": ["contacts"],
                                      "batch_size": 200, "workers": 1}})
    child = subprocess.Popen([sys.executable, "-c", RUN, str(config)], env=dict(os.environ))
    deadline = time.monotonic() + 120
    while len(live(sandbox, "contacts")) < 800 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child.poll() is None, "the run ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    written = len(live(sandbox, "contacts"))
    assert 800 <= written < 3000

    sandbox.settings.latency_ms = 0
    resumed = run_migration(config, "people", "hubspot", pipeline="people->hubspot")
    assert resumed["status"] == "succeeded", resumed
    assert resumed["read"] < 3000  # resumed from the last checkpoint, not from the start
    contacts = live(sandbox, "contacts")
    keys = [c["crmhub_id"] for c in contacts]
    assert len(keys) == 3000
    assert len(set(keys)) == 3000
    assert {c["email"] for c in contacts} == {f"kisi{i}@example.com.tr" for i in range(3000)}
