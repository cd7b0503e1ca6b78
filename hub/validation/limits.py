"""Length limits: the canonical model's, and a target system's from its ``discover()`` answer."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from hub.connectors.api import StreamInfo
from hub.model import FieldType, stream_fields
from hub.records import Issue

__all__ = ["check_lengths", "check_target_limits", "max_lengths"]


@functools.lru_cache(maxsize=8)
def max_lengths(stream: str) -> Mapping[str, int]:
    """Maximum lengths of the canonical text fields of ``stream``."""
    return {
        name: spec.max_length
        for name, spec in stream_fields(stream).items()
        if spec.max_length and spec.type in (FieldType.STRING, FieldType.ENUM)
    }


def check_lengths(record: dict[str, Any], stream: str) -> list[Issue]:
    """``too_long`` for each text value longer than the canonical model allows."""
    issues: list[Issue] = []
    limits = max_lengths(stream)
    for field, value in record.items():
        limit = limits.get(field)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            issues.append(Issue(field, "too_long", f"{len(value)} characters; at most {limit} allowed"))
    return issues


def check_target_limits(system_record: Mapping[str, Any], info: StreamInfo) -> list[Issue]:
    """``too_long`` for each value longer than the target field's ``max_length`` (system field names)."""
    issues: list[Issue] = []
    for field, value in system_record.items():
        spec = info.fields.get(field)
        if spec is None or not spec.max_length or not isinstance(value, str):
            continue
        if len(value) > spec.max_length:
            message = f"{len(value)} characters; {info.name}.{field} holds at most {spec.max_length}"
            issues.append(Issue(field, "too_long", message))
    return issues
