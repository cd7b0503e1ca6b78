"""kill -9 mid-run, then resume: the sandbox (its own process, ``crmhub sandbox zoho --data DIR``) ends up
holding exactly the source's people, each once."""

from __future__ import annotations

import csv
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.testing import write_config

COUNT = 3000


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """``crmhub sandbox zoho --data DIR`` in its own process: its JSON line and its SQLite file."""
    data = tmp_path / "sandbox"
    proc = subprocess.Popen([sys.executable, "-m", "hub", "sandbox", "zoho", "--data", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "CRMHUB_BLOCK_PLUGINS": "salesforce,hubspot"})
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        assert ready, "the sandbox printed no JSON line"
        yield json.loads(proc.stdout.readline()), data / "zoho-sandbox.sqlite3"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def stored(db: Path) -> list[tuple[str, str]]:
    """``(Crmhub_Id, Email)`` of every contact the sandbox holds, read from its file as it stands."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        rows = conn.execute("SELECT data FROM records WHERE module = 'Contacts'").fetchall()
    return [(json.loads(data)["Crmhub_Id"], json.loads(data)["Email"]) for (data,) in rows]


def migrate(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "hub", "migrate", "--from", "people", "--to", "zoho",
                             "--batch-size", "200", "-c", str(config), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ))


def test_kill_minus_nine_mid_run_then_resume_holds_each_person_once(
        tmp_path: Path, sandbox_process: tuple[dict[str, str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    running, db = sandbox_process
    monkeypatch.setenv("ZOHO_SANDBOX_TOKEN", running["token"])
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "salesforce,hubspot")
    source = tmp_path / "people.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email"])
        writer.writerows([f"r{i:05d}", "Ilgın", f"Şimşek {i}", f"ilgin{i}@example.com.tr"] for i in range(COUNT))
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(source), "checkpoint_every": 100},
        "zoho": {"connector": "zoho", "url": running["url"], "token": "${env:ZOHO_SANDBOX_TOKEN}",
                 "allow_insecure_sandbox": True},
    })
    child = migrate(config)
    deadline = time.monotonic() + 180
    while child.poll() is None and time.monotonic() < deadline and (not db.exists() or len(stored(db)) < 400):
        time.sleep(0.05)
    assert child.poll() is None, "the run ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    assert 400 <= len(stored(db)) < COUNT

    again = migrate(config)
    out, _ = again.communicate(timeout=300)
    resumed = json.loads(out.strip().splitlines()[-1])
    assert resumed["status"] == "succeeded", resumed
    assert resumed["read"] < COUNT, "resumed from its checkpoint, not from the start"
    people = stored(db)
    keys = [key for key, _ in people]
    assert len(keys) == COUNT and len(set(keys)) == COUNT
    assert {email for _, email in people} == {f"ilgin{i}@example.com.tr" for i in range(COUNT)}
