"""The layout of a JSONL file the connector writes.

UTF-8 (BOM only with ``bom: true``), one compact JSON object per line ending in ``\\n``, dotted
field names nested back into objects (``address.city`` → ``{"address": {"city": ...}}``) unless
two names would collide, then kept flat. Dates are ISO 8601 strings and decimals exact strings.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from hub.connectors.files.jsonlsource import JsonlReader
from hub.connectors.files.reading import FileReader
from hub.connectors.files.rowformat import RowFormat, plain
from hub.model.fields import flatten

BOM = "\ufeff".encode()


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON_SCALARS = frozenset({str, int, bool, type(None)})


def _nested(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """``row`` with dotted names nested into objects; ``None`` when two names collide (``a`` and ``a.b``)."""
    nested: dict[str, Any] = {}
    for key, value in row.items():
        if "." not in key:
            if key in nested or isinstance(value, dict):
                return None
            nested[key] = value
            continue
        node = nested
        *parents, leaf = _split(key)
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return None
            node = child
        if leaf in node or isinstance(value, dict):
            return None
        node[leaf] = value
    return nested


@functools.lru_cache(maxsize=4096)
def _split(key: str) -> tuple[str, ...]:
    return tuple(key.split("."))


def _default(value: Any) -> Any:
    converted = plain(value)
    if converted is value:
        return str(value)
    return converted


class JsonlFormat(RowFormat):
    """Rows of a JSON Lines file."""

    def reader(self) -> FileReader:
        return JsonlReader(self.path, self.config.model_copy(update={"encoding": "auto"}), self.stream)

    def adopt(self, reader: FileReader) -> bool:
        assert isinstance(reader, JsonlReader)
        return reader.encoding.name != "utf-8" or bool(reader.encoding.bom_bytes) != self.config.bom

    def start_new(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """JSONL has no header to fix."""

    def widen(self, names: Iterable[str]) -> bool:
        return False

    def preamble(self) -> bytes:
        return BOM if self.config.bom else b""

    def encode(self, row: Mapping[str, Any]) -> bytes:
        obj = _nested(row)
        return (_ENCODER.encode(row if obj is None else obj) + "\n").encode()

    def normalise(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        normal: dict[str, Any] = {}
        for name, value in fields.items():
            if type(value) in _JSON_SCALARS:
                normal[name] = None if value == "" else value
                continue
            value = json.loads(json.dumps(value, default=_default))
            if isinstance(value, dict):
                # A map value reads back as dotted fields; an empty one reads back as nothing.
                normal.update(flatten(value, name + ".") or {})
            else:
                normal[name] = None if value == "" else value
        return normal

    def problem(self, row: Mapping[str, Any]) -> tuple[str, str, str] | None:
        limit = self.config.max_field_bytes
        for name, value in row.items():
            if isinstance(value, str) and len(value) * 4 > limit and len(value.encode()) > limit:
                return "field_too_large", name, f"value holds {len(value.encode())} bytes, over {limit}"
        return None
