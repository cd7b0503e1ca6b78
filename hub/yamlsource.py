"""YAML loading that remembers where each key stood, so errors can name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hub.errors import ConfigError, ConfigProblem


class LineMap:
    """Line numbers (1-based) of keys in a YAML document, by dotted path (``pipelines.nightly.source``)."""

    def __init__(self) -> None:
        self._lines: dict[str, int] = {}

    def add(self, path: str, line: int) -> None:
        self._lines.setdefault(path, line)

    def line(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest parent that has one."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path.rpartition(".")[0]
        return None


def _walk(node: yaml.Node, prefix: str, lines: LineMap) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            lines.add(path, key_node.start_mark.line + 1)
            _walk(value_node, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}.{index}" if prefix else str(index)
            lines.add(path, item.start_mark.line + 1)
            _walk(item, path, lines)


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse ``path`` safely; return the data and where each key stood. Syntax errors name the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(path), "(file)", "the file does not exist")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), "(file)", f"must be UTF-8 text ({exc.reason})")]) from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str) -> tuple[Any, LineMap]:
    """Parse YAML text from ``source`` (a file name for messages)."""
    lines = LineMap()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise ConfigError([ConfigProblem(source, "(syntax)", str(exc.problem or exc), line)]) from None
    if node is not None:
        _walk(node, "", lines)
    return data, lines
