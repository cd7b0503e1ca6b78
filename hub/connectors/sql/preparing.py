"""Turning write requests into canonical column values, a whole column of a batch at a time.

Requests in a batch usually carry the same field names (one mapping made them), so the batch is
grouped by its field names and each field converted as one list: a column of strings for a text
column passes through untouched. A value that does not fit its column fails its request alone,
with a message naming the field and column, never the value.

Map fields: ``custom.segment`` sets one key of the ``custom`` JSON column (``None`` removes the
key); a whole ``custom`` field (a dict, or ``None``) replaces the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.connectors.sql.layout import SqlColumn, TableLayout
from hub.connectors.sql.values import convert_column, json_normal
from hub.errors import SchemaError
from hub.records import WriteOutcome, WriteRequest, WriteResult

REJECTED = "db_rejected"
_MISFITS = (TypeError, ValueError, ArithmeticError)


@dataclass(slots=True)
class PreparedRequest:
    """One request as canonical values: plain columns, and key updates per map column."""

    key: str
    position: int
    """Where the request stood in its batch: requests for one key are applied in this order."""
    values: dict[str, Any]
    maps: dict[str, dict[str, Any]]


@dataclass(slots=True)
class PreparedGroup:
    """The requests of a batch that carry the same field names, held column by column."""

    keys: list[str]
    positions: list[int]
    names: list[str]
    columns: list[Sequence[Any]]
    """Canonical values, one sequence per plain column in ``names``, aligned with ``keys``."""
    map_entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per map column, the keys each request sets (``None`` values remove a key)."""

    def request(self, index: int) -> PreparedRequest:
        """The request at ``index`` on its own."""
        values = {name: column[index] for name, column in zip(self.names, self.columns, strict=True)}
        maps = {name: entries[index] for name, entries in self.map_entries.items()}
        return PreparedRequest(self.keys[index], self.positions[index], values, maps)

    def single(self, index: int) -> PreparedGroup:
        """A group of just the request at ``index`` (to write it alone)."""
        return PreparedGroup(
            [self.keys[index]], [self.positions[index]], self.names, [[c[index]] for c in self.columns],
            {name: [entries[index]] for name, entries in self.map_entries.items()},
        )

    def __len__(self) -> int:
        return len(self.keys)


def merge_groups(groups: Sequence[PreparedGroup]) -> list[PreparedGroup]:
    """Groups with the same columns joined into one, in the given order."""
    merged: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[PreparedGroup, list[list[Any]]]] = {}
    for group in groups:
        shape = (tuple(group.names), tuple(group.map_entries))
        if shape not in merged:
            columns: list[list[Any]] = [[] for _ in group.names]
            merged[shape] = (PreparedGroup([], [], group.names, list(columns),
                                           {name: [] for name in group.map_entries}), columns)
        into, lists = merged[shape]
        into.keys.extend(group.keys)
        into.positions.extend(group.positions)
        for target, column in zip(lists, group.columns, strict=True):
            target.extend(column)
        for name, entries in group.map_entries.items():
            into.map_entries[name].extend(entries)
    return [into for into, _ in merged.values()]


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where one field of a request goes: a plain column, or one key of a map column."""

    field: str
    column: SqlColumn
    map_key: str | None


class RequestPreparer:
    """Converts batches of requests for one table."""

    def __init__(self, layout: TableLayout) -> None:
        self.layout = layout
        self._slot_cache: dict[tuple[str, ...], tuple[list[_Slot], list[_Slot]]] = {}

    def _slots(self, names: tuple[str, ...]) -> tuple[list[_Slot], list[_Slot]]:
        """The plain-column and map-key slots of requests with exactly these field names."""
        cached = self._slot_cache.get(names)
        if cached is not None:
            return cached
        plain: list[_Slot] = []
        entries: list[_Slot] = []
        for dotted in names:
            found = self.layout.locate(dotted)
            if found is None:
                raise SchemaError(
                    f"table {self.layout.name} has no column for field {dotted!r} "
                    f"(expected column {dotted.replace('.', '__')!r} or a JSON map column)"
                )
            col, map_key = found
            if col.name == self.layout.id_column:
                continue  # the key is the id; an id field cannot move the record elsewhere
            (entries if map_key is not None else plain).append(_Slot(dotted, col, map_key))
        self._slot_cache[names] = (plain, entries)
        return plain, entries

    def failure(self, key: str, reason: str) -> WriteResult:
        """A ``failed`` result for ``key`` that names the table and record, never the value."""
        return WriteResult(
            key=key, outcome=WriteOutcome.FAILED, code=REJECTED, message=f"{self.layout.name} id={key}: {reason}"
        )

    def prepare(self, batch: Sequence[WriteRequest]) -> tuple[list[PreparedGroup], list[WriteResult]]:
        """Convert the batch group by group; the results list the requests that could not be converted."""
        by_names: dict[tuple[str, ...], list[int]] = {}
        for position, request in enumerate(batch):
            by_names.setdefault(tuple(request.fields), []).append(position)
        groups: list[PreparedGroup] = []
        failed: list[WriteResult] = []
        for names, positions in by_names.items():
            group, misfits = self._prepare_group(names, [batch[p] for p in positions], positions)
            groups.append(group)
            failed.extend(self.failure(batch[positions[i]].key, reason) for i, reason in misfits.items())
        return groups, failed

    def _prepare_group(self, names: tuple[str, ...], requests: list[WriteRequest],
                       positions: list[int]) -> tuple[PreparedGroup, dict[int, str]]:
        plain, entry_slots = self._slots(names)
        misfits: dict[int, str] = {}
        columns = [self._convert(slot, [r.fields[slot.field] for r in requests], misfits) for slot in plain]
        map_entries: dict[str, list[dict[str, Any]]] = {}
        for slot in entry_slots:
            assert slot.map_key is not None
            per_request = map_entries.setdefault(slot.column.name, [{} for _ in requests])
            for index, request in enumerate(requests):
                try:
                    per_request[index][slot.map_key] = json_normal(request.fields[slot.field])
                except _MISFITS:
                    misfits.setdefault(index, self._reason(slot))
        keys = [r.key for r in requests]
        group = PreparedGroup(keys, list(positions), [s.column.name for s in plain], columns, map_entries)
        if misfits:
            keep = [i for i in range(len(requests)) if i not in misfits]
            group = PreparedGroup(
                [keys[i] for i in keep], [positions[i] for i in keep], group.names,
                [[column[i] for i in keep] for column in columns],
                {name: [entries[i] for i in keep] for name, entries in map_entries.items()},
            )
        return group, misfits

    @staticmethod
    def _reason(slot: _Slot) -> str:
        return f"field {slot.field}: the value does not fit the {slot.column.kind.value} column {slot.column.name}"

    def _convert(self, slot: _Slot, raw: list[Any], misfits: dict[int, str]) -> Sequence[Any]:
        codec = slot.column.codec
        try:
            return convert_column(codec.coerce, codec.native, raw)
        except _MISFITS:
            pass
        converted: list[Any] = []
        for index, value in enumerate(raw):
            try:
                converted.append(None if value is None else codec.coerce(value))
            except _MISFITS:
                misfits.setdefault(index, self._reason(slot))
                converted.append(None)
        return converted
