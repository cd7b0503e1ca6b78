"""Reconciliation: prove that systems agree, show where they do not, heal the drift under the pipeline's rule.

::

    with open_hub(config_path) as session:
        outcome = Reconciler(session).run(ReconcileRequest(["legacy", "warehouse"], report_dir=Path("out")))
        outcome.summary["differences"]        # 0 when the systems agree

See :mod:`hub.reconcile.compare` for what counts as a difference, :mod:`hub.reconcile.rules` for
the conflict rules and :mod:`hub.reconcile.fix` for healing. Names are imported on first use, so a
process that only compares (a worker) does not load the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.reconcile.findings import Action, Comparison, Finding, Kind
    from hub.reconcile.reconciler import ReconcileOutcome, Reconciler, ReconcileRequest
    from hub.reconcile.rules import ConflictPolicy, Side

__all__ = [
    "Action",
    "Comparison",
    "ConflictPolicy",
    "Finding",
    "Kind",
    "ReconcileOutcome",
    "ReconcileRequest",
    "Reconciler",
    "Side",
]

_HOMES = {
    "Action": "findings", "Comparison": "findings", "Finding": "findings", "Kind": "findings",
    "ReconcileOutcome": "reconciler", "ReconcileRequest": "reconciler", "Reconciler": "reconciler",
    "ConflictPolicy": "rules", "Side": "rules",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"hub.reconcile.{_HOMES[name]}"), name)
