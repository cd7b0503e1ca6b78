"""Reading one system for a reconciliation: full read, mapped to canonical, reduced to a scratch row per record.

Nothing is written to any system. A record the connector cannot parse is counted as unreadable
(with its ref) and left out of the comparison; records the system marks deleted are left out too.
Match keys for finding duplicates inside the system are 64-bit hashes of the case-folded e-mail and
of the national id without separators: they never leave the process that reads the system (each
system's scratch file is written by one process), so Python's own string hash is enough.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.connectors.api import Capability, Connector
from hub.engine.batch import MERGED_SUFFIX
from hub.engine.reading import resilient_read
from hub.engine.retry import RetryPolicy
from hub.mapping.canonical import CanonicalStreamMapping
from hub.model import stream_fields
from hub.reconcile.normalise import is_meta
from hub.reconcile.scratch import SEPARATOR, SystemFile, join_values
from hub.records import Checkpoint, SourceRecord

__all__ = ["SystemRead", "covered_fields", "display", "load_links", "read_system", "reduce_records"]


@dataclass(slots=True)
class SystemRead:
    """What reading one system found."""

    records: int = 0
    unreadable: int = 0
    deleted: int = 0


_ID_NOISE = re.compile(r"[\s.\-]+")


def display_text(value: Any) -> str:
    """:func:`display` as text."""
    shown = display(value)
    return shown if isinstance(shown, str) else str(shown)


def display(value: Any) -> Any:
    """A value as reports show it (dates in ISO form, decimals as written, booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def covered_fields(mapping: Any, connector: Connector, stream: str) -> set[str]:
    """The canonical fields a system holds: its mapping's readable fields, or its columns when canonical."""
    canonical = stream_fields(stream)
    if isinstance(mapping, CanonicalStreamMapping):
        names: Iterable[str] = ()
        for info in connector.discover():
            if info.name == mapping.object:
                names = info.fields
        found = {n for n in names if (n in canonical and canonical[n].type != "map") or n.startswith("custom.")}
        return found or {n for n, spec in canonical.items() if spec.type != "map"}
    fields = {rule.canonical for rule in getattr(mapping, "rules", ()) if rule.readable and rule.system is not None}
    for split in getattr(mapping, "splits", ()):
        fields.update(split.targets)
    return fields


def compared_fields(covered: Sequence[set[str]], stream: str) -> list[str]:
    """Fields every system holds, in the canonical model's order (bookkeeping fields left out)."""
    common = set.intersection(*covered) if covered else set()
    order = list(stream_fields(stream))
    ranked = {name: index for index, name in enumerate(order)}
    return sorted((f for f in common if not is_meta(f)), key=lambda f: (ranked.get(f, len(order)), f))


def read_system(connector: Connector, mapping: Any, fields: Sequence[str], out: SystemFile, retry: RetryPolicy
                ) -> SystemRead:
    """Read every record of the system into ``out``; return the counts.

    A connector that takes snapshots is read in one unordered pass, started again from nothing
    when it fails part-way; any other through ``read``, which resumes at its last checkpoint.
    """
    with collector_paused():
        if Capability.SNAPSHOT in connector.capabilities:
            def attempt() -> SystemRead:
                out.clear()
                return reduce_records(connector.snapshot(mapping.object), mapping, fields, out)

            return retry.call(attempt)
        return reduce_records(resilient_read(connector, mapping.object, None, retry), mapping, fields, out)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while records stream through (they form no cycles and die by reference count).

    Connectors that fetch a page at a time keep thousands of records alive at once; they outlive the
    youngest generation, and the collector then walks the whole heap again and again (a fifth of a
    snapshot read's CPU time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def reduce_records(items: Iterable[SourceRecord | Checkpoint], mapping: Any, fields: Sequence[str], out: SystemFile
                   ) -> SystemRead:
    """Reduce records to scratch rows in ``out``; return the counts.

    The hot loop of a reconciliation (a million records a system): a system whose names are already
    canonical is read without a mapping pass, and values are joined as text without normalising.
    """
    result = SystemRead()
    canonical_names = isinstance(mapping, CanonicalStreamMapping)
    to_canonical = mapping.to_canonical
    add = out.add
    separators = len(fields) - 1
    for item in items:
        if isinstance(item, Checkpoint):
            continue
        if item.error is not None:
            result.unreadable += 1
            out.unreadable(item.ref, item.error.code)
            continue
        if item.deleted:
            result.deleted += 1
            continue
        data = item.data if canonical_names else to_canonical(item.data)[0]
        get = data.get
        vals = SEPARATOR.join([
            value if value.__class__ is str else ("" if value is None else display_text(value))
            for value in map(get, fields)
        ])
        if vals.count(SEPARATOR) != separators:  # a value held the separator itself
            vals = join_values(display(get(name)) for name in fields)
        modified = item.updated_at or get("updated_at")
        email = get("email")
        national_id = get("national_id.value")
        add(
            item.id,
            vals,
            display_text(modified) if modified is not None else None,
            item.ref,
            hash("e:" + str(email).strip().casefold()) if email else None,
            hash("n:" + _ID_NOISE.sub("", str(national_id))) if national_id else None,
        )
        result.records += 1
    return result


def load_links(store: Any, connection: str, stream: str, out: SystemFile) -> None:
    """Copy the identity map's links of ``connection`` (plain and merged) into ``out``."""
    out.add_links((rid, hub, 0) for rid, hub in store.identity_links(connection, stream))
    out.add_links((rid, hub, 1) for rid, hub in store.identity_links(connection, stream + MERGED_SUFFIX))


def snapshot_path(folder: Path, number: int) -> Path:
    """Where system ``number`` writes its rows."""
    return folder / f"system{number}.db"
