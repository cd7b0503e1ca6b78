"""Running pipelines from tests: a configuration written to a folder, a hub opened on it, a summary back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hub.app import open_hub
from hub.config import PipelineSettings
from hub.engine import RunRequest


def write_config(folder: Path, connections: dict[str, dict[str, Any]], state: str | None = None,
                 pipelines: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write ``crmhub.yaml`` into ``folder``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "crmhub.yaml"
    data: dict[str, Any] = {"state": state or "sqlite:///.crmhub/state.db", "connections": connections,
                            "pipelines": pipelines or {}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_migration(
    config: Path,
    source: str,
    target: str,
    *,
    streams: list[str] | None = None,
    dry_run: bool = False,
    restart: bool = False,
    pipeline: str | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Migrate ``source`` → ``target`` through the real engine; return the ``--json`` summary."""
    with open_hub(config) as hub:
        configured = hub.config.settings.pipelines.get(pipeline or "")
        pipe = configured or PipelineSettings(source=source, target=target, streams=streams or ["contacts"],
                                              **settings)
        request = RunRequest(pipeline=pipeline or f"{source}->{target}", source=source, target=target,
                             settings=pipe, streams=streams or pipe.streams, dry_run=dry_run, restart=restart)
        return hub.engine.run(request).as_dict()
