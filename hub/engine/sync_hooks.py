"""The seam between the engine and what steers a run from outside it: two-way sync legs and reconciliation fixes.

A :class:`RunRequest` may carry a :class:`SyncLeg`. The engine then lets it wrap the connectors (so a
target can be addressed by hub id, see :mod:`hub.reconcile.addressing`) and gives each stream's
batches its :class:`SyncHook`, which the batch processor asks three things:

* :meth:`SyncHook.values_to_write` — which of a record's values this run may set in the target
  (conflict rules, echo suppression); ``None`` skips the record as unchanged;
* :meth:`SyncHook.before_write` — a last look at the target before writing (re-read and compare:
  a record edited since the comparison is left for the next cycle instead of being overwritten;
  a target with conditional writes then refuses any record edited after that look);
* :meth:`SyncHook.after_write` — what was written, once the target confirmed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.connectors.api import Connector

__all__ = ["SyncHook", "SyncLeg"]


class SyncHook:
    """Per-stream questions the batch processor asks; the defaults change nothing."""

    def prepare(self, hub_ids: Sequence[str]) -> None:
        """A batch's hub ids, before :meth:`values_to_write` is asked about each: read what they need at once.

        Two-way legs are told through their target's ``lookup`` of the batch (the first moment the
        batch's hub ids are known outside the engine).
        """

    def values_to_write(self, staged: Any, values: dict[str, Any], state: dict[str, Any] | None
                        ) -> dict[str, Any] | None:
        """The canonical values ``staged`` may set in the target, whose current state is ``state``."""
        return values

    def before_write(self, live: Sequence[Any], patches: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The patches to write after a last look at the target (records left out stay unwritten)."""
        return patches

    def after_write(self, live: Sequence[Any]) -> None:
        """Called once the target confirmed the batch (``live`` carries each record's outcome)."""


class SyncLeg:
    """What a run carries in :attr:`RunRequest.sync`; the defaults change nothing."""

    def connectors(self, source: Connector, target: Connector) -> tuple[Connector, Connector]:
        """The connectors the run uses (wrapped or not)."""
        return source, target

    def for_stream(self, stream: str) -> SyncHook:
        """The hook for one canonical stream."""
        return SyncHook()
