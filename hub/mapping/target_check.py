"""Before any write: does a mapping fit the target's schema, as its ``discover()`` describes it?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.connectors.api import StreamInfo

if TYPE_CHECKING:
    from hub.mapping.stream import StreamMapping

__all__ = ["check_mapping_against"]


def check_mapping_against(mapping: StreamMapping, info: StreamInfo) -> list[str]:
    """Every problem, in words naming the system field and the canonical one it comes from.

    Checked: each written field exists and is not read-only; picklist values the mapping can
    write are allowed by the target; the target's maximum length is not below the canonical one
    (values would not fit); the key field exists.
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
            spec.max_length
            and canonical_spec is not None
            and canonical_spec.max_length
            and spec.max_length < canonical_spec.max_length
        ):
            problems.append(
                f"{where}: {system}{origin} holds at most {spec.max_length} characters,"
                f" {source} up to {canonical_spec.max_length}"
            )
    return problems
