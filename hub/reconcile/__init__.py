"""Reconciliation: prove that systems agree, show where they do not, heal the drift under the pipeline's rule.

::

    with open_hub(config_path) as session:
        outcome = Reconciler(session).run(ReconcileRequest(["legacy", "warehouse"], report_dir=Path("out")))
        outcome.summary["differences"]        # 0 when the systems agree

See :mod:`hub.reconcile.compare` for what counts as a difference, :mod:`hub.reconcile.rules` for
the conflict rules and :mod:`hub.reconcile.fix` for healing.
"""

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
