"""The plugin host: a typed wrapper around pluggy that loads plugins explicitly and fails loudly."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pluggy

from hub import hookspecs
from hub.connectors.api import ConnectorRegistry
from hub.errors import PluginError

ENTRY_POINT_GROUP = "crmhub.plugins"
BLOCK_ENV = "CRMHUB_BLOCK_PLUGINS"
BUILTIN_PLUGINS: tuple[str, ...] = (
    "hub.connectors.files.plugin",
    "hub.connectors.sql.plugin",
    "hub.mapping.builtin_transforms",
    "hub.validation.builtin",
    "hub.consent.builtin",
)


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    """A plugin the host registered: its name and where it came from."""

    name: str
    origin: str


class _RegisteringFor:
    """Hands a plugin the connector registry while recording which plugin registered what."""

    def __init__(self, registry: ConnectorRegistry, origin: str) -> None:
        self._registry = registry
        self._origin = origin

    def register(self, cls: Any) -> None:
        self._registry.register(cls, origin=self._origin)


def blocked_names(environ: dict[str, str] | None = None) -> set[str]:
    """Plugin names listed (comma-separated) in ``CRMHUB_BLOCK_PLUGINS``."""
    raw = (environ if environ is not None else os.environ).get(BLOCK_ENV, "")
    return {part.strip() for part in raw.split(",") if part.strip()}


class PluginHost:
    """Loads built-in and installed plugins and exposes one typed method per hook call."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.loaded: list[LoadedPlugin] = []
        self.blocked: set[str] = set()
        self._connectors: ConnectorRegistry | None = None
        self._transforms: Any = None
        self._sandboxes: Any = None

    # Loading ---------------------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        *,
        builtins: Sequence[str] = BUILTIN_PLUGINS,
        entry_points: bool = True,
        extra: Iterable[object] = (),
        environ: dict[str, str] | None = None,
    ) -> PluginHost:
        """Load plugins: built-ins, then the ``crmhub.plugins`` entry points, then ``extra`` objects."""
        host = cls()
        host.blocked = blocked_names(environ)
        for module_name in builtins:
            host._register_module(module_name, origin="built-in")
        if entry_points:
            for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                if ep.name in host.blocked:
                    continue
                try:
                    plugin = ep.load()
                except Exception as exc:
                    dist = ep.dist.name if ep.dist else "?"
                    raise PluginError(
                        f"plugin {ep.name!r} (distribution {dist}, {ep.value}) failed to load: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                host._register(plugin, ep.name, origin=f"entry point {ep.value}")
        for obj in extra:
            host._register(obj, getattr(obj, "__name__", repr(obj)), origin="extra")
        try:
            host.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"a plugin implements a hook crmhub does not have: {exc}") from exc
        return host

    def _register_module(self, module_name: str, origin: str) -> None:
        short = module_name.rsplit(".", 2)[-2] if module_name.endswith(".plugin") else module_name.rsplit(".", 1)[-1]
        if module_name in self.blocked or short in self.blocked:
            return
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise PluginError(f"built-in plugin {module_name} failed to load: {exc}") from exc
        self._register(module, module_name, origin)

    def _register(self, plugin: object, name: str, origin: str) -> None:
        if name in self.blocked:
            return
        try:
            self.pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"plugin {name!r} ({origin}) could not be registered: {exc}") from exc
        self.loaded.append(LoadedPlugin(name=name, origin=origin))

    # Registries ------------------------------------------------------------------------------------
    @property
    def connectors(self) -> ConnectorRegistry:
        """Every registered connector class, collected once."""
        if self._connectors is None:
            registry = ConnectorRegistry()
            for impl in self.pm.hook.hub_register_connectors.get_hookimpls():
                impl.function(registry=_RegisteringFor(registry, impl.plugin_name))
            self._connectors = registry
        return self._connectors

    @property
    def transforms(self) -> Any:
        """Every registered mapping transform (a :class:`hub.mapping.transforms.TransformRegistry`)."""
        if self._transforms is None:
            from hub.mapping.transforms import TransformRegistry

            registry = TransformRegistry()
            self.pm.hook.hub_register_transforms(registry=registry)
            self._transforms = registry
        return self._transforms

    @property
    def sandboxes(self) -> Any:
        """Every registered sandbox server (a :class:`hub.sandbox.SandboxRegistry`)."""
        if self._sandboxes is None:
            from hub.sandbox import SandboxRegistry

            registry = SandboxRegistry()
            self.pm.hook.hub_register_sandboxes(registry=registry)
            self._sandboxes = registry
        return self._sandboxes

    # Per-record hooks ------------------------------------------------------------------------------
    def validate_record(self, record: dict[str, Any], stream: str) -> list[Any]:
        """Every plugin's issues with ``record``, in one list."""
        issues: list[Any] = []
        for found in self.pm.hook.hub_validate_record(record=record, stream=stream):
            if found:
                issues.extend(found)
        return issues

    def check_consent(self, record: dict[str, Any], stream: str, context: Any) -> list[Any]:
        """Every plugin's consent decision about ``record``."""
        return [d for d in self.pm.hook.hub_check_consent(record=record, stream=stream, context=context) if d]

    def screen_batch(
        self, records: list[dict[str, Any]], hub_ids: list[str], stream: str, context: Any, store: Any,
        identifiers: list[list[tuple[str, str]]] | None = None,
    ) -> dict[int, list[Any]]:
        """Every plugin's batch decisions, gathered by record position."""
        gathered: dict[int, list[Any]] = {}
        for found in self.pm.hook.hub_screen_batch(
            records=records, hub_ids=hub_ids, stream=stream, context=context, store=store, identifiers=identifiers
        ):
            for index, decision in (found or {}).items():
                gathered.setdefault(index, []).append(decision)
        return gathered

    # Observers -------------------------------------------------------------------------------------
    def run_started(self, run_id: str, pipeline: str, dry_run: bool) -> None:
        self.pm.hook.hub_run_started(run_id=run_id, pipeline=pipeline, dry_run=dry_run)

    def batch_written(self, run_id: str, stream: str, counts: dict[str, int]) -> None:
        self.pm.hook.hub_batch_written(run_id=run_id, stream=stream, counts=counts)

    def record_quarantined(self, run_id: str, stream: str, ref: str, reasons: list[dict[str, Any]]) -> None:
        self.pm.hook.hub_record_quarantined(run_id=run_id, stream=stream, ref=ref, reasons=reasons)

    def run_finished(self, run_id: str, summary: dict[str, Any]) -> None:
        self.pm.hook.hub_run_finished(run_id=run_id, summary=summary)

    def plugin_names(self) -> list[str]:
        return [str(name) for name, _ in self.pm.list_name_plugin()]
