"""Local sandbox servers that speak a vendor's API, registered by connector plugins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hub.errors import ConfigError, PluginError


class RunningSandbox(Protocol):
    """A started sandbox: where it listens, the token it accepts, the CA that signed its certificate."""

    url: str
    token: str
    ca_file: str | None

    def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """How to start a sandbox: ``port`` 0 picks a free one; ``data_dir`` keeps its records."""

    port: int = 0
    data_dir: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)


SandboxStarter = Callable[[SandboxOptions], RunningSandbox]


class SandboxRegistry:
    """Sandbox starters by name (``salesforce``, ``hubspot``, …)."""

    def __init__(self) -> None:
        self._starters: dict[str, SandboxStarter] = {}

    def register(self, name: str, starter: SandboxStarter) -> None:
        if name in self._starters and self._starters[name] is not starter:
            raise PluginError(f"sandbox {name!r} is registered twice")
        self._starters[name] = starter

    def get(self, name: str) -> SandboxStarter:
        try:
            return self._starters[name]
        except KeyError:
            known = ", ".join(sorted(self._starters)) or "none"
            raise ConfigError(f"unknown sandbox {name!r} (installed: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._starters)
