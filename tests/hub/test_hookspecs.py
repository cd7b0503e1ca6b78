"""Meta-tests: every hook is typed, documented in its docstring and in the plugin guide, and called by the host."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from hub import hookspecs
from hub.plugins import PluginHost

GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS = [name for name, fn in vars(hookspecs).items() if name.startswith("hub_") and callable(fn)]


def test_there_are_hooks() -> None:
    assert {"hub_register_connectors", "hub_register_transforms", "hub_validate_record", "hub_check_consent",
            "hub_run_started", "hub_batch_written", "hub_record_quarantined", "hub_run_finished"} <= set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_each_hook_is_typed_and_documented(name: str) -> None:
    fn = getattr(hookspecs, name)
    doc = inspect.getdoc(fn) or ""
    signature = inspect.signature(fn)
    assert doc, f"{name} has no docstring"
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name}) is untyped"
        assert f":param {parameter.name}:" in doc, f"{name} does not document {parameter.name}"
    assert f"`{name}" in GUIDE, f"{name} is missing from docs/plugins.md"


@pytest.mark.parametrize("name", HOOKS)
def test_each_hook_is_called_through_a_typed_host_method(name: str) -> None:
    source = inspect.getsource(PluginHost)
    assert f"hook.{name}" in source, f"PluginHost never calls {name}"
