"""``crmhub demo``: a messy legacy export migrated into SQLite through the full pipeline, then a re-run."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hub.app import open_hub
from hub.config import PipelineSettings
from hub.demo.generate import Planted, write_export
from hub.engine import RunRequest, RunSummary
from hub.sandbox import SandboxOptions

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
class CrmLeg:
    """The warehouse migrated into one vendor's sandbox, and the same migration again."""

    connector: str
    first: RunSummary
    rerun: RunSummary


@dataclass(slots=True)
class DemoResult:
    """The demo's folder, what it planted, and the summaries of its runs."""

    folder: Path
    planted: Planted
    first: RunSummary
    rerun: RunSummary
    config: Path
    legs: list[CrmLeg] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.first.as_dict(), "folder": str(self.folder), "config": str(self.config),
                "planted": dict(self.planted.kinds), "rerun": self.rerun.as_dict(),
                "crm": {leg.connector: {"first": leg.first.as_dict(), "rerun": leg.rerun.as_dict()}
                        for leg in self.legs}}

    @property
    def succeeded(self) -> bool:
        runs = [self.first, self.rerun] + [run for leg in self.legs for run in (leg.first, leg.rerun)]
        return all(run.status == "succeeded" for run in runs)


def _sandbox_connection(name: str, running: Any, connector_class: Any, env_name: str) -> dict[str, Any]:
    """Connection settings that point connector ``name`` at a running sandbox; the token stays in the environment."""
    settings: dict[str, Any] = {"connector": name, "url": running.url, "token": "${env:" + env_name + "}",
                                "classification": "sales"}
    if running.ca_file:
        settings["ca_file"] = running.ca_file
    fields = connector_class.config_model.model_fields
    for opt_in in ("sandbox", "allow_insecure_sandbox"):
        if opt_in in fields:
            settings[opt_in] = True
    extra = getattr(running, "connection_settings", None)
    if callable(extra):
        settings.update(extra())
    return settings


def run_demo(folder: Path, records: int = 3000, seed: int = 7, fresh: bool = True, crm: bool = True) -> DemoResult:
    """Generate the export into ``folder``, migrate it, run again; then move the warehouse into each CRM sandbox."""
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
        host = hub.host
    result = DemoResult(folder=folder, planted=planted, first=first, rerun=rerun, config=config)
    if crm:
        for name in host.sandboxes.names():
            if name in host.connectors:
                result.legs.append(_crm_leg(name, host, config, folder))
    return result


def _crm_leg(name: str, host: Any, config: Path, folder: Path) -> CrmLeg:
    starter = host.sandboxes.get(name)
    running = starter(SandboxOptions(port=0, data_dir=folder / "sandboxes" / name))
    env_name = f"CRMHUB_DEMO_{name.upper()}_TOKEN"
    os.environ[env_name] = running.token
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["connections"][f"{name}-sandbox"] = _sandbox_connection(name, running, host.connectors.get(name),
                                                                     env_name)
        leg_config = config.with_name(f"crmhub.{name}.yaml")
        leg_config.write_text(
            f"# The demo's {name} leg: the sandbox it points at ran only while the demo ran.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        target = f"{name}-sandbox"
        with open_hub(leg_config, host=host) as hub:
            pipe = PipelineSettings(source="warehouse", target=target, streams=["contacts"])
            first = hub.engine.run(RunRequest(pipeline=f"warehouse-to-{name}", source="warehouse", target=target,
                                              settings=pipe))
            rerun = hub.engine.run(RunRequest(pipeline=f"warehouse-to-{name}", source="warehouse", target=target,
                                              settings=pipe, restart=True))
        return CrmLeg(connector=name, first=first, rerun=rerun)
    finally:
        running.stop()
