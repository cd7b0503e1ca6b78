"""kill -9 at any moment, run the same command again: the target ends exactly as after an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.demo.generate import write_export
from hub.demo.run import CONFIG

RECORDS = 3000


def prepare(folder: Path, export: Path) -> Path:
    folder.mkdir()
    (folder / "customers.csv").write_bytes(export.read_bytes())
    config = folder / "crmhub.yaml"
    text = CONFIG.format(config=config).replace("purposes: [sales]", "purposes: [sales]\n    batch_size: 100")
    config.write_text(text, encoding="utf-8")
    return config


def migrate(config: Path) -> subprocess.Popen[bytes]:
    log = (config.parent / "run.log").open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "hub", "sync", "legacy-to-warehouse", "--config", str(config), "--json"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ},
        )
    finally:
        log.close()


def log_of(config: Path) -> str:
    return (config.parent / "run.log").read_text(encoding="utf-8", errors="replace")[-3000:]


def rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT count(*) FROM contacts").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def contents(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        columns = [r[1] for r in con.execute("PRAGMA table_info(contacts)") if r[1] != "updated_at"]
        return sorted(con.execute(f"SELECT {', '.join(columns)} FROM contacts").fetchall(), key=repr)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "customers.csv"
    write_export(path, RECORDS, seed=5)
    return path


def test_killed_runs_resume_to_exactly_the_uninterrupted_result(tmp_path: Path, export: Path) -> None:
    clean = prepare(tmp_path / "clean", export)
    done = migrate(clean)
    assert done.wait(timeout=300) == 0, log_of(clean)

    crashed = prepare(tmp_path / "crashed", export)
    target = crashed.parent / "warehouse.db"
    kills = 0
    for threshold in (1, RECORDS // 3, (2 * RECORDS) // 3):
        run = migrate(crashed)
        deadline = time.monotonic() + 120
        while run.poll() is None and rows(target) < threshold and time.monotonic() < deadline:
            time.sleep(0.02)
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            kills += 1
        run.wait(timeout=60)
    final = migrate(crashed)
    assert final.wait(timeout=300) == 0, log_of(crashed)

    assert kills >= 2, "the runs finished before they could be killed: make the export larger"
    assert rows(target) == rows(clean.parent / "warehouse.db")
    assert contents(target) == contents(clean.parent / "warehouse.db")
    with sqlite3.connect(target) as con:
        assert con.execute("SELECT count(*) - count(DISTINCT lower(email)) FROM contacts").fetchone()[0] == 0
