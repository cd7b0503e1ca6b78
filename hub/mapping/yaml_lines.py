"""A safe YAML loader that remembers the line of every key, so mapping errors can name it.

Mappings come out as :class:`LineDict` (a ``dict`` with ``lines``: key → 1-based line) and
sequences as :class:`LineList` (``lines`` by index). Two departures from PyYAML's YAML 1.1
defaults, both for picklist maps: keys are always the text as written (``Yes: granted`` keys on
``"Yes"``, ``1: granted`` on ``"1"``, ``true: denied`` on ``"true"``), and among values only
``true``/``false`` are booleans, as in YAML 1.2 and JSON (``yes``, ``no``, ``on``, ``off`` stay
text). Duplicate keys, which plain PyYAML silently drops, are recorded in ``duplicates``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

__all__ = ["LineDict", "LineList", "load_with_lines"]


class LineDict(dict[str, Any]):
    """A YAML mapping with the line of each key and of the mapping itself."""

    line: int = 0
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key``, or of the mapping when the key is absent."""
        return self.lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence with the line of each item."""

    line: int = 0
    lines: list[int]

    def line_of(self, index: int) -> int:
        """The line of item ``index``, or of the sequence when there is no such item."""
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry line numbers."""

    duplicates: list[tuple[str, int]]

    def construct_line_map(self, node: yaml.MappingNode) -> Iterator[LineDict]:
        """A :class:`LineDict`; yielded empty first so that recursive anchors resolve, as PyYAML does."""
        data = LineDict()
        data.line = node.start_mark.line + 1
        data.lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                key = str(self.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1
            if key in data.lines:
                self.duplicates.append((key, line))
            data.lines[key] = line
            data[key] = self.construct_object(value_node, deep=True)

    def construct_line_seq(self, node: yaml.SequenceNode) -> Iterator[LineList]:
        """A :class:`LineList`, yielded empty first like :meth:`construct_line_map`."""
        data = LineList()
        data.line = node.start_mark.line + 1
        data.lines = [item.start_mark.line + 1 for item in node.value]
        yield data
        data.extend(self.construct_object(item, deep=True) for item in node.value)


# YAML 1.2 booleans only (see the module docstring): replace the YAML 1.1 bool resolver.
_BOOL = "tag:yaml.org,2002:bool"
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_seq)


def load_with_lines(text: str) -> tuple[Any, list[tuple[str, int]]]:
    """Parse YAML ``text``; return the data and the ``(key, line)`` of every duplicate key.

    Syntax errors propagate as ``yaml.MarkedYAMLError`` (their ``problem_mark`` has the line).
    """
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()
