"""Every hook crmhub calls, grouped by when it is called.

Registration hooks hand the engine *classes and functions*; the engine then calls the one it needs.
Read and write are never hooks: pluggy calls every implementation, and a record must reach one
connector only. Implementations may accept fewer arguments than a spec lists, so hooks can gain
arguments without breaking plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from hub.connectors.api import ConnectorRegistry
    from hub.consent.decision import ConsentContext, ConsentDecision
    from hub.mapping.transforms import TransformRegistry
    from hub.records import Issue
    from hub.sandbox import SandboxRegistry

PROJECT = "crmhub"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# Registration: called once when the plugin host starts -------------------------------------------
@hookspec
def hub_register_connectors(registry: ConnectorRegistry) -> None:
    """Register connector classes.

    :param registry: call ``registry.register(MyConnector)`` for each connector class.
    """


@hookspec
def hub_register_transforms(registry: TransformRegistry) -> None:
    """Register mapping transforms usable by name in ``mappings/*.yaml``.

    :param registry: call ``registry.register("name", function)``.
    """


@hookspec
def hub_register_sandboxes(registry: SandboxRegistry) -> None:
    """Register local sandbox servers started by ``crmhub sandbox NAME``.

    :param registry: call ``registry.register("name", start_function)``.
    """


# Per record: called for every record of every run ------------------------------------------------
@hookspec
def hub_validate_record(record: dict[str, Any], stream: str) -> list[Issue] | None:
    """Check one mapped record; every plugin's issues are collected.

    An implementation may rewrite a value into its normal form (a phone into E.164) in place.

    :param record: the record in flat canonical names (``address.city``).
    :param stream: the canonical stream, ``contacts`` or ``companies``.
    :return: the problems found, each naming its field; ``None`` or ``[]`` when there are none.
    """


@hookspec
def hub_check_consent(record: dict[str, Any], stream: str, context: ConsentContext) -> ConsentDecision | None:
    """Decide whether a record may go to the destination of this run.

    Every plugin is asked; the most restrictive decision wins.

    :param record: the validated record in flat canonical names.
    :param stream: the canonical stream.
    :param context: the pipeline's purposes and the destination's classification and region.
    :return: a decision, or ``None`` when this plugin has nothing to say.
    """


@hookspec
def hub_screen_batch(
    records: list[dict[str, Any]], hub_ids: list[str], stream: str, context: ConsentContext, store: Any,
    identifiers: list[list[tuple[str, str]]] | None,
) -> dict[int, ConsentDecision] | None:
    """Decide about a whole batch with the state store at hand (suppression list, consent ledger).

    Called in the main process after identities are resolved and before anything is written.

    :param records: the batch's records in flat canonical names, after ``hub_check_consent``.
    :param hub_ids: the hub id of each record, in the same order.
    :param stream: the canonical stream.
    :param context: the destination and the pipeline's purposes.
    :param store: the :class:`hub.state.StateStore` of the run.
    :param identifiers: per record, the ``(kind, pseudonym)`` of each identifier it carries (e-mail, phone,
        national id: :func:`hub.consent.identifiers.record_identifiers`, hashed with the store's key), as
        the parallel preparation stage computed them; ``None`` when it did not (compute them yourself).
    :return: decisions by position in ``records``; records not named are allowed.
    """


# Observers: told what happened; their return value is ignored ------------------------------------
@hookspec
def hub_run_started(run_id: str, pipeline: str, dry_run: bool) -> None:
    """A run began.

    :param run_id: the run's id in the state store.
    :param pipeline: the pipeline name (``A->B`` for an ad-hoc migration).
    :param dry_run: ``True`` when nothing is written.
    """


@hookspec
def hub_batch_written(run_id: str, stream: str, counts: dict[str, int]) -> None:
    """A batch was confirmed by the target and checkpointed.

    :param run_id: the run's id.
    :param stream: the stream written.
    :param counts: outcome → number of records in this batch.
    """


@hookspec
def hub_record_quarantined(run_id: str, stream: str, ref: str, reasons: list[dict[str, Any]]) -> None:
    """A record was quarantined. Carries no record content, only its locator and reason codes.

    :param run_id: the run's id.
    :param stream: the stream.
    :param ref: where the record came from (``customers.csv line 17``).
    :param reasons: ``{"field", "code", "message"}`` for each problem.
    """


@hookspec
def hub_run_finished(run_id: str, summary: dict[str, Any]) -> None:
    """A run ended (successfully or not).

    :param run_id: the run's id.
    :param summary: the run summary as printed by ``--json``.
    """
