"""Before any write: does a mapping fit the target's schema, as its ``discover()`` describes it?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.connectors.api import StreamInfo

if TYPE_CHECKING:
    from hub.mapping.stream import StreamMapping

__all__ = ["check_mapping_against"]


def check_mapping_against(mapping: StreamMapping, info: StreamInfo, *, lengths: bool = False) -> list[str]:
    """Every problem, in words naming the system field and the canonical one it comes from.

    Checked: the key field exists; each written field exists and is not read-only; picklist
    values the mapping can write are allowed by the target. With ``lengths``, also a target
    maximum length below the canonical one. That one is off by default because nearly every
    CRM is narrower than the canonical model somewhere (Salesforce ``FirstName`` holds 40, the
    canonical ``first_name`` 100): failing the whole run for it would stop every migration,
    while the values that really do not fit are caught one by one by
    :func:`hub.validation.check_target_limits` and quarantined.
    """
    from hub.mapping.stream import canonical_fields

    where = f"{mapping.source + ': ' if mapping.source else ''}{mapping.canonical} → {info.name}"
    problems: list[str] = []
    fields = info.fields
    if mapping.key_field and mapping.key_field not in fields:
        problems.append(f"{where}: the key field {mapping.key_field} does not exist in {info.name}")
    canonical = canonical_fields(mapping.canonical)
    for system in sorted(mapping.system_fields_written()):
        source, values = mapping.written_values(system)
        origin = f" (from {source})" if source else ""
        spec = fields.get(system)
        if spec is None:
            problems.append(f"{where}: {system}{origin} does not exist in {info.name}")
            continue
        if spec.read_only:
            problems.append(f"{where}: {system}{origin} is read-only in {info.name}")
        if spec.choices and values is not None:
            refused = sorted({str(v) for v in values} - set(spec.choices))
            if refused:
                problems.append(
                    f"{where}: {system}{origin} does not allow the picklist value(s) {', '.join(refused)}"
                )
        canonical_spec = canonical.get(source) if source else None
        if (
            lengths
            and spec.max_length
            and canonical_spec is not None
            and canonical_spec.max_length
            and spec.max_length < canonical_spec.max_length
        ):
            problems.append(
                f"{where}: {system}{origin} holds at most {spec.max_length} characters,"
                f" {source} up to {canonical_spec.max_length}"
            )
    return problems
