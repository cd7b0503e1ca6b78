"""A hub session: plugins, configuration, keys, state store and engine, opened together and closed together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.config import HubConfig, load_config
from hub.engine import Engine
from hub.plugins import PluginHost
from hub.state import StateStore, StoreKeys


@dataclass(slots=True)
class HubSession:
    """Everything a command needs, built from one configuration file."""

    host: PluginHost
    config: HubConfig
    keys: Any
    store: StateStore
    engine: Engine


def start_plugins(extra: tuple[object, ...] = ()) -> PluginHost:
    """Load built-in and installed plugins (explicitly, never at import)."""
    return PluginHost.start(extra=extra)


@contextmanager
def open_hub(config_path: Path, *, host: PluginHost | None = None) -> Iterator[HubSession]:
    """Open a session on ``config_path``; the state store is created or upgraded on first use."""
    host = host or start_plugins()
    config = load_config(config_path, host.connectors)
    keys = StoreKeys.load(config.base_dir)
    store = StateStore.open(config.state_url, keys)
    try:
        yield HubSession(host=host, config=config, keys=keys, store=store, engine=Engine(config, host, store, keys))
    finally:
        store.close()
