"""Configuration: one YAML file with the state store, connections and pipelines; secrets only by reference."""

from hub.config.load import Connection, HubConfig, find_config, load_config, parse_config
from hub.config.model import (
    Classification,
    ConflictRule,
    ConnectionSettings,
    DeleteRule,
    HubSettings,
    PipelineSettings,
)

__all__ = [
    "Classification",
    "ConflictRule",
    "Connection",
    "ConnectionSettings",
    "DeleteRule",
    "HubConfig",
    "HubSettings",
    "PipelineSettings",
    "find_config",
    "load_config",
    "parse_config",
]
