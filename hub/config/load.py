"""Load ``crmhub.yaml``: find it, validate it against the hub's and each connector's model, report every problem."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from hub.config.model import CONNECTION_KEYS, ConnectionSettings, HubSettings
from hub.config.secrets import UnresolvedSecret, is_reference, resolve
from hub.connectors.api import Connector, ConnectorConfig, ConnectorRegistry
from hub.errors import ConfigError, ConfigProblem
from hub.model import STREAM_MODELS
from hub.yamlsource import LineMap, load_yaml, parse_yaml

CONFIG_ENV = "CRMHUB_CONFIG"
DEFAULT_NAME = "crmhub.yaml"
_PATH_KEYS = ("path", "ca_file", "private_key_file", "data_dir")


@dataclass(slots=True)
class Connection:
    """A connection ready to build: its connector class, validated config and hub-level settings."""

    name: str
    settings: ConnectionSettings
    connector_class: type[Connector]
    config: ConnectorConfig


@dataclass(slots=True)
class HubConfig:
    """A validated configuration, with paths resolved against the file's folder."""

    path: Path
    base_dir: Path
    settings: HubSettings
    connections: dict[str, Connection] = field(default_factory=dict)

    @property
    def state_url(self) -> str:
        return absolutise_sqlite_url(self.settings.state, self.base_dir)


def find_config(explicit: str | Path | None) -> Path:
    """``--config``, else ``$CRMHUB_CONFIG``, else ``./crmhub.yaml``."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser().resolve()
    return (Path.cwd() / DEFAULT_NAME).resolve()


def absolutise_sqlite_url(url: str, base_dir: Path) -> str:
    """``sqlite:///x.db`` is relative to the config's folder; ``sqlite:////abs/x.db`` stays as it is."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str((base_dir / url[len(prefix):]).resolve())
    return url


def _pydantic_problems(exc: ValidationError, file: str, prefix: str, lines: LineMap) -> list[ConfigProblem]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"] if part != "settings")
        key = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "(top)")
        expected = err["msg"]
        if err["type"] == "extra_forbidden":
            expected = "unknown key"
        elif err["type"] == "missing":
            expected = "required key is missing"
        problems.append(ConfigProblem(file, key, expected, lines.line(key)))
    return problems


def _secret_fields(model: type[BaseModel]) -> set[str]:
    return {name for name, info in model.model_fields.items() if info.annotation in (SecretStr, SecretStr | None)}


def _prepare_settings(
    raw: dict[str, Any], model: type[BaseModel], base_dir: Path, file: str, key: str, lines: LineMap
) -> tuple[dict[str, Any], list[ConfigProblem]]:
    problems: list[ConfigProblem] = []
    secrets = _secret_fields(model)
    out: dict[str, Any] = {}
    for name, value in raw.items():
        where = f"{key}.{name}"
        if isinstance(value, str):
            if name in secrets and not is_reference(value):
                problems.append(ConfigProblem(
                    file, where, "a secret must not be written in the file: use ${env:NAME} or ${keyring:SERVICE/NAME}",
                    lines.line(where)))
                continue
            try:
                value = resolve(value)
            except UnresolvedSecret as exc:
                problems.append(ConfigProblem(file, where, str(exc), lines.line(where)))
                continue
            if name in _PATH_KEYS and value and not Path(value).expanduser().is_absolute():
                value = str((base_dir / value).resolve())
            elif name == "url":
                value = absolutise_sqlite_url(value, base_dir)
        out[name] = value
    return out, problems


def load_config(path: Path, registry: ConnectorRegistry) -> HubConfig:
    """Read and validate ``path``; raise one :class:`ConfigError` listing every problem found."""
    data, lines = load_yaml(path)
    return build_config(data, lines, path, registry)


def parse_config(text: str, path: Path, registry: ConnectorRegistry) -> HubConfig:
    """Like :func:`load_config` for text already in memory (``path`` names it in messages)."""
    data, lines = parse_yaml(text, str(path))
    return build_config(data, lines, path, registry)


def build_config(data: Any, lines: LineMap, path: Path, registry: ConnectorRegistry) -> HubConfig:
    """Validate parsed YAML ``data`` into a :class:`HubConfig`."""
    file = str(path)
    base_dir = path.parent.resolve()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(file, "(top)", "must be a mapping with state, connections, pipelines", 1)])
    problems: list[ConfigProblem] = []
    shaped = dict(data)
    raw_connections = data.get("connections") or {}
    if not isinstance(raw_connections, dict):
        problems.append(
            ConfigProblem(file, "connections", "must be a mapping of name → settings", lines.line("connections"))
        )
        raw_connections = {}
    connections_in: dict[str, Any] = {}
    for name, raw in raw_connections.items():
        if not isinstance(raw, dict):
            problems.append(ConfigProblem(file, f"connections.{name}", "must be a mapping with a connector key",
                                          lines.line(f"connections.{name}")))
            continue
        hub_part = {k: v for k, v in raw.items() if k in CONNECTION_KEYS}
        hub_part["settings"] = {k: v for k, v in raw.items() if k not in CONNECTION_KEYS}
        connections_in[str(name)] = hub_part
    shaped["connections"] = connections_in
    try:
        settings = HubSettings.model_validate(shaped)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, file, "", lines))
        raise ConfigError(problems) from None

    config = HubConfig(path=path, base_dir=base_dir, settings=settings)
    for name, conn in settings.connections.items():
        key = f"connections.{name}"
        if conn.connector not in registry:
            known = ", ".join(registry.names()) or "none"
            problems.append(ConfigProblem(file, f"{key}.connector", f"unknown connector {conn.connector!r} "
                                          f"(installed: {known})", lines.line(f"{key}.connector")))
            continue
        cls = registry.get(conn.connector)
        prepared, found = _prepare_settings(conn.settings, cls.config_model, base_dir, file, key, lines)
        problems.extend(found)
        try:
            connector_config = cls.config_model.model_validate(prepared)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, file, key, lines))
            continue
        config.connections[name] = Connection(name, conn, cls, connector_config)

    for name, pipe in settings.pipelines.items():
        key = f"pipelines.{name}"
        for end in ("source", "target"):
            ref = getattr(pipe, end)
            if ref not in settings.connections:
                problems.append(ConfigProblem(file, f"{key}.{end}", f"no connection named {ref!r} "
                                              f"(defined: {', '.join(settings.connections) or 'none'})",
                                              lines.line(f"{key}.{end}")))
        for index, stream in enumerate(pipe.streams):
            if stream not in STREAM_MODELS:
                problems.append(ConfigProblem(file, f"{key}.streams.{index}", f"unknown stream {stream!r} "
                                              f"(known: {', '.join(STREAM_MODELS)})", lines.line(f"{key}.streams")))
    if problems:
        raise ConfigError(problems)
    return config
