"""Configuration loading: every problem reported at once with file, line, key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import load_config
from hub.errors import ConfigError
from hub.plugins import PluginHost


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return PluginHost.start().connectors


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "crmhub.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_resolves_paths_and_secrets(tmp_path: Path, registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TOKEN", "s3cr3t-value")
    path = write(tmp_path, """
state: sqlite:///.crmhub/state.db
connections:
  legacy: {connector: csv, path: customers.csv}
  warehouse: {connector: sql, url: "sqlite:///customers.db", table: contacts}
  crm: {connector: fake, token: "${env:FAKE_TOKEN}"}
pipelines:
  legacy-to-warehouse: {source: legacy, target: warehouse, streams: [contacts]}
""")
    config = load_config(path, registry)

    assert config.state_url == f"sqlite:///{tmp_path.resolve()}/.crmhub/state.db"
    assert str(config.connections["legacy"].config.path) == str(tmp_path.resolve() / "customers.csv")  # type: ignore[attr-defined]
    assert str(config.connections["warehouse"].config.url).endswith(f"{tmp_path.resolve()}/customers.db")  # type: ignore[attr-defined]
    token = config.connections["crm"].config.token  # type: ignore[attr-defined]
    assert token.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(config.connections["crm"].config)


def test_every_problem_is_listed_with_its_line(tmp_path: Path, registry) -> None:
    path = write(tmp_path, """state: sqlite:///.crmhub/state.db
connections:
  legacy: {connector: csvv, path: customers.csv}
  crm:
    connector: fake
    token: plain-text-token
    colour: blue
pipelines:
  p1: {source: nowhere, target: crm, streams: [contacts, invoices]}
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path, registry)

    text = str(caught.value)
    problems = {(p.key, p.line) for p in caught.value.problems}
    assert ("connections.legacy.connector", 3) in problems
    assert ("connections.crm.token", 6) in problems
    assert ("connections.crm.colour", 7) in problems
    assert ("pipelines.p1.source", 9) in problems
    assert any(key == "pipelines.p1.streams.1" for key, _ in problems)
    assert "unknown connector 'csvv'" in text
    assert "${env:NAME}" in text
    assert "plain-text-token" not in text
    assert f"{path}:6" in text


def test_an_unset_environment_variable_is_named(tmp_path: Path, registry) -> None:
    path = write(tmp_path, "connections:\n  crm: {connector: fake, token: '${env:NOT_SET_ANYWHERE}'}\n")
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE is not set"):
        load_config(path, registry)


def test_yaml_syntax_errors_name_the_line(tmp_path: Path, registry) -> None:
    path = write(tmp_path, "connections:\n  a: {connector: csv\n  b: [\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, registry)
    assert caught.value.problems[0].line is not None
