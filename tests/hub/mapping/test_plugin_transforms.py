"""Transforms from plugins: registered through the hook, usable by name, failures contained."""

from __future__ import annotations

from typing import Any

from hub.hookspecs import hookimpl
from hub.mapping import TransformRegistry, parse_mapping
from hub.plugins import PluginHost


class ReversePlugin:
    """A plugin adding a transform, and a buggy one that raises something unexpected."""

    @hookimpl
    def hub_register_transforms(self, registry: TransformRegistry) -> None:
        registry.register("reverse", lambda value: str(value)[::-1])
        registry.register("explode", _explode)


def _explode(value: Any) -> Any:
    raise ZeroDivisionError("bug")


def test_plugin_transforms_join_the_builtins() -> None:
    host = PluginHost.start(builtins=("hub.mapping.builtin_transforms",), entry_points=False, extra=[ReversePlugin()])
    transforms = host.transforms
    assert {"reverse", "explode", "e164", "split_name"} <= set(transforms.names())
    contacts = parse_mapping(
        """\
streams:
  contacts:
    object: People
    fields:
      last_name: {from: Surname, transform: [trim, reverse]}
      job_title: {from: Title, transform: explode}
      email: Email
""",
        transforms,
    ).stream("contacts")
    record, issues = contacts.to_canonical({"Surname": " zamlıY ", "Title": "CEO", "Email": "a@b.co"})
    assert record == {"last_name": "Yılmaz", "email": "a@b.co"}
    assert [(i.field, i.code) for i in issues] == [("job_title", "transform_failed")]
    assert "ZeroDivisionError" in issues[0].message
