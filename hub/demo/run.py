"""``crmhub demo``: a messy legacy export migrated into SQLite through the full pipeline, then a re-run."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.app import open_hub
from hub.demo.generate import Planted, write_export
from hub.engine import RunRequest, RunSummary

CONFIG = """\
# Written by `crmhub demo`. Edit and re-run with: crmhub sync legacy-to-warehouse --config {config}
state: sqlite:///.crmhub/state.db
connections:
  legacy:
    connector: csv
    path: customers.csv
    mapping: legacy-tr
    id_column: Müşteri No
  warehouse:
    connector: sql
    url: sqlite:///warehouse.db
    table: contacts
pipelines:
  legacy-to-warehouse:
    source: legacy
    target: warehouse
    streams: [contacts]
    purposes: [sales]
"""


@dataclass(slots=True)
class DemoResult:
    """The demo's folder, what it planted, and the summaries of its runs."""

    folder: Path
    planted: Planted
    first: RunSummary
    rerun: RunSummary
    config: Path

    def as_dict(self) -> dict[str, Any]:
        return {**self.first.as_dict(), "folder": str(self.folder), "config": str(self.config),
                "planted": dict(self.planted.kinds), "rerun": self.rerun.as_dict()}


def run_demo(folder: Path, records: int = 3000, seed: int = 7, fresh: bool = True) -> DemoResult:
    """Generate the export into ``folder``, migrate it, then run again to show nothing changes twice."""
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    planted = write_export(folder / "customers.csv", records, seed=seed)
    config = folder / "crmhub.yaml"
    config.write_text(CONFIG.format(config=config), encoding="utf-8")
    with open_hub(config) as hub:
        settings = hub.config.settings.pipelines["legacy-to-warehouse"]
        first = hub.engine.run(RunRequest(pipeline="legacy-to-warehouse", source="legacy", target="warehouse",
                                          settings=settings))
        rerun = hub.engine.run(RunRequest(pipeline="legacy-to-warehouse", source="legacy", target="warehouse",
                                          settings=settings, restart=True))
    return DemoResult(folder=folder, planted=planted, first=first, rerun=rerun, config=config)
