"""Which mapping a connection uses: the one it names, its connector's default, or canonical names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import hub
from hub.config import Connection, HubConfig
from hub.errors import ConfigError

MAPPINGS_ENV = "CRMHUB_MAPPINGS"


def mapping_dirs(config: HubConfig | None) -> list[Path]:
    """Folders searched for ``<name>.yaml``, first match wins."""
    dirs: list[Path] = []
    if config is not None:
        if config.settings.mappings_dir:
            dirs.append((config.base_dir / config.settings.mappings_dir).resolve())
        dirs.append(config.base_dir / "mappings")
    if os.environ.get(MAPPINGS_ENV):
        dirs.append(Path(os.environ[MAPPINGS_ENV]))
    package = Path(hub.__file__).resolve().parent
    dirs += [package / "_mappings", package.parent / "mappings"]
    return [d for d in dirs if d.is_dir()]


def locate_mapping(name: str, config: HubConfig | None) -> Path:
    """A mapping name (``salesforce``) or a path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml"):
        path = candidate if candidate.is_absolute() or config is None else config.base_dir / candidate
        if path.is_file():
            return path
        raise ConfigError(f"mapping file {path} does not exist")
    for folder in mapping_dirs(config):
        for suffix in (".yaml", ".yml"):
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return path
    searched = ", ".join(str(d) for d in mapping_dirs(config)) or "no mapping folder"
    raise ConfigError(f"no mapping named {name!r} (searched {searched})")


def stream_mapping(connection: Connection, stream: str, config: HubConfig | None, transforms: Any) -> Any:
    """The :class:`hub.mapping.StreamMapping` ``connection`` uses for canonical ``stream``."""
    from hub.mapping import canonical_mapping, load_mapping

    name = connection.settings.mapping or connection.connector_class.default_mapping
    if not name:
        return canonical_mapping(stream)
    mapping = load_mapping(locate_mapping(name, config), transforms)
    return mapping.stream(stream)
