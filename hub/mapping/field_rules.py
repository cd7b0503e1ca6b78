"""Compiling the ``fields`` and ``split`` entries of a mapping stream into rules, collecting problems."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from hub.mapping.coerce import Coercion, coercion_for
from hub.mapping.stream import _MISSING, FieldRule, SplitRule, canonical_fields
from hub.mapping.transforms import BoundTransform, TransformError, TransformRegistry
from hub.mapping.yaml_lines import LineDict, LineList
from hub.model import FieldSpec, FieldType

__all__ = ["RuleCompiler"]

Problem = Callable[[str, str, int], None]
_FIELD_KEYS = {"from", "transform", "map", "write_map", "default", "const", "direction", "description"}
_SPLIT_KEYS = {"from", "transform", "to", "direction", "description"}
_DIRECTIONS = {"both", "read", "write"}


def _folded(pairs: Mapping[str, Any]) -> dict[str, Any]:
    """A picklist map keyed by the exact text and by its case-folded, trimmed form."""
    table = {str(k): v for k, v in pairs.items()}
    for key, value in list(table.items()):
        table.setdefault(key.strip().casefold(), value)
    return table


class RuleCompiler:
    """Turns one stream's field entries into :class:`FieldRule` and :class:`SplitRule` objects."""

    def __init__(self, stream: str, where: str, transforms: TransformRegistry, problem: Problem) -> None:
        self.stream = stream
        self.where = where
        self.transforms = transforms
        self.catalogue = canonical_fields(stream)
        self._problem = problem
        self.failed = False

    def problem(self, key: str, expected: str, line: int) -> None:
        """Record a problem; the stream is then not compiled."""
        self.failed = True
        self._problem(key, expected, line)

    # Canonical names -------------------------------------------------------------------------------
    def known(self, name: str) -> bool:
        """Whether ``name`` is a canonical field of the stream (``custom.*`` and ``external_ids.*`` included)."""
        if name in self.catalogue:
            return True
        head, _, tail = name.partition(".")
        spec = self.catalogue.get(head)
        return bool(tail) and spec is not None and spec.type == FieldType.MAP

    def _unknown(self, key: str, name: str, line: int) -> None:
        close = [n for n in self.catalogue if n.rpartition(".")[2] == name.rpartition(".")[2] and n != name]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        self.problem(key, f"unknown canonical field {name!r} of {self.stream}{hint}", line)

    # Transforms ------------------------------------------------------------------------------------
    def chain(
        self, node: Any, key: str, line: int, spec: FieldSpec | None
    ) -> tuple[tuple[BoundTransform, ...], tuple[BoundTransform, ...]]:
        """The bound read chain and the write chain (inverses, in reverse order) of a ``transform`` entry."""
        steps: list[tuple[str, dict[str, Any], int]] = []
        items = node if isinstance(node, list) else [node]
        for index, item in enumerate(items):
            item_line = node.line_of(index) if isinstance(node, LineList) else line
            if isinstance(item, str):
                steps.append((item, {}, item_line))
            elif isinstance(item, dict) and item:
                for name, params in item.items():
                    if params is not None and not isinstance(params, dict):
                        self.problem(f"{key}.{name}", "parameters as a mapping (name: value)", item_line)
                        continue
                    steps.append((str(name), dict(params or {}), item_line))
            else:
                self.problem(key, "a transform name, {name: {parameters}}, or a list of them", item_line)
        read: list[BoundTransform] = []
        write: list[BoundTransform] = []
        for name, params, step_line in steps:
            if name not in self.transforms:
                known = ", ".join(self.transforms.names())
                self.problem(f"{key}.{name}", f"unknown transform {name!r} (known: {known})", step_line)
                continue
            if name == "date" and spec is not None and spec.type == FieldType.DATE:
                params.setdefault("date_only", True)  # a birth date is a calendar date: no zone shift
            problems = self.transforms.param_problems(name, params)
            for text in problems:
                self.problem(f"{key}.{name}", text, step_line)
            if problems:
                continue
            read.append(self.transforms.bind(name, params))
            inverse = self.transforms.bind_inverse(name, params)
            if inverse is not None:
                write.append(inverse)
        return tuple(read), tuple(reversed(write))

    def _value(self, value: Any, coerce: Coercion | None, key: str, line: int) -> Any:
        if value is None or coerce is None:
            return value
        try:
            return coerce(value)
        except TransformError as exc:
            self.problem(key, f"{exc.message} (for {self.stream} field type)", line)
            return value

    # Fields ----------------------------------------------------------------------------------------
    def fields(self, node: LineDict, read_only: set[str]) -> list[FieldRule]:
        """The rules of a ``fields`` mapping; fields named in ``read_only`` are never written."""
        rules = [rule for name, entry in node.items() if (rule := self.field(name, entry, node)) is not None]
        mapped = {rule.canonical for rule in rules}
        for name in sorted(read_only - mapped):
            self.problem(f"{self.where}.read_only", f"{name!r} is not a mapped field", node.line)
        return [
            dataclasses.replace(rule, writable=False) if rule.canonical in read_only else rule
            for rule in rules
        ]

    def field(self, name: str, entry: Any, parent: LineDict) -> FieldRule | None:
        """The rule of one ``fields`` entry, or ``None`` after reporting why it has none."""
        key, line = f"{self.where}.fields.{name}", parent.line_of(name)
        if not self.known(name):
            self._unknown(key, name, line)
            return None
        spec = self.catalogue.get(name)
        coerce = coercion_for(spec)
        if isinstance(entry, str) and entry:
            return FieldRule(name, entry, coerce=coerce, line=line)
        if not isinstance(entry, LineDict):
            self.problem(key, "a system field name or a rule {from: …, transform: …, map: …}", line)
            return None
        for extra in sorted(set(entry) - _FIELD_KEYS):
            self.problem(f"{key}.{extra}", f"unknown key (allowed: {', '.join(sorted(_FIELD_KEYS))})",
                         entry.line_of(extra))
        system, has_const = entry.get("from"), "const" in entry
        if has_const == (system is not None):
            self.problem(key, "exactly one of 'from' (a system field) or 'const' (a fixed value)", line)
            return None
        if system is not None and not (isinstance(system, str) and system):
            self.problem(f"{key}.from", "a system field name (text)", entry.line_of("from"))
            return None
        direction = entry.get("direction", "read" if has_const else "both")
        if direction not in _DIRECTIONS:
            self.problem(f"{key}.direction", "one of both, read, write", entry.line_of("direction"))
        read, write = self.chain(entry["transform"], f"{key}.transform", entry.line_of("transform"), spec) \
            if "transform" in entry else ((), ())
        value_map, write_map = self._maps(entry, key, coerce)
        default = self._value(entry["default"], coerce, f"{key}.default", entry.line_of("default")) \
            if "default" in entry else _MISSING
        const = self._value(entry["const"], coerce, f"{key}.const", entry.line_of("const")) if has_const else _MISSING
        return FieldRule(
            name, system, read, write, value_map, write_map, default, const,
            readable=direction in ("both", "read"), writable=direction in ("both", "write") and not has_const,
            coerce=coerce, line=line,
        )

    def _maps(
        self, entry: LineDict, key: str, coerce: Coercion | None
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        value_map = write_map = None
        if "map" in entry:
            node = entry["map"]
            if not isinstance(node, LineDict) or not node:
                self.problem(f"{key}.map", "a mapping of system value → canonical value", entry.line_of("map"))
            else:
                value_map = _folded(
                    {k: self._value(v, coerce, f"{key}.map.{k}", node.line_of(k)) for k, v in node.items()}
                )
                inverse: dict[str, Any] = {}
                for system_value in node:
                    inverse.setdefault(str(value_map[system_value]), system_value)
                write_map = _folded(inverse)
        if "write_map" in entry:
            node = entry["write_map"]
            if not isinstance(node, LineDict) or not node:
                self.problem(f"{key}.write_map", "a mapping of canonical value → system value",
                             entry.line_of("write_map"))
            else:
                write_map = _folded(dict(node))
        return value_map, write_map

    # Splits ----------------------------------------------------------------------------------------
    def splits(self, node: Any, line: int) -> list[SplitRule]:
        """The rules of a ``split`` list."""
        if node is None:
            return []
        if not isinstance(node, LineList):
            self.problem(f"{self.where}.split", "a list of {from, transform, to} entries", line)
            return []
        rules = []
        for index, entry in enumerate(node):
            key, entry_line = f"{self.where}.split.{index}", node.line_of(index)
            rule = self.split(entry, key, entry_line)
            if rule is not None:
                rules.append(rule)
        return rules

    def split(self, entry: Any, key: str, line: int) -> SplitRule | None:
        """The rule of one ``split`` entry, or ``None`` after reporting why it has none."""
        if not isinstance(entry, LineDict):
            self.problem(key, "a mapping {from: SystemField, transform: split_name, to: [first_name, last_name]}", line)
            return None
        for extra in sorted(set(entry) - _SPLIT_KEYS):
            self.problem(f"{key}.{extra}", f"unknown key (allowed: {', '.join(sorted(_SPLIT_KEYS))})",
                         entry.line_of(extra))
        system, targets = entry.get("from"), entry.get("to")
        ok = True
        if not isinstance(system, str) or not system:
            self.problem(f"{key}.from", "a system field name (text)", entry.line_of("from"))
            ok = False
        if not isinstance(targets, list) or len(targets) < 2 or not all(isinstance(t, str) for t in targets):
            self.problem(f"{key}.to", "a list of two or more canonical fields", entry.line_of("to"))
            return None
        for target in targets:
            if not self.known(target):
                self._unknown(f"{key}.to", target, entry.line_of("to"))
                ok = False
        if "transform" not in entry:
            self.problem(f"{key}.transform", "a transform that splits the value (split_name)", line)
            return None
        read, write = self.chain(entry["transform"], f"{key}.transform", entry.line_of("transform"), None)
        direction = entry.get("direction", "both")
        if direction not in _DIRECTIONS:
            self.problem(f"{key}.direction", "one of both, read, write", entry.line_of("direction"))
        if not ok or not read:
            return None
        coercions = tuple(coercion_for(self.catalogue.get(t)) for t in targets)
        writable = direction in ("both", "write") and bool(write)
        return SplitRule(str(system), tuple(targets), read, write, writable, coercions, line)

    # Targets ---------------------------------------------------------------------------------------
    def check_write_targets(
        self, rules: list[FieldRule], splits: list[SplitRule], constants: Mapping[str, Any], line: int
    ) -> None:
        """No canonical field is read twice and no system field is written twice."""
        readers: dict[str, str] = {}
        for rule in rules:
            if rule.readable:
                readers[rule.canonical] = rule.system or "const"
        for split in splits:
            for target in split.targets:
                if target in readers:
                    self.problem(f"{self.where}.split", f"{target} is already read from {readers[target]}",
                                 split.line)
                readers[target] = split.system
        writers: dict[str, str] = {}
        sources = [(r.system, r.canonical, r.line) for r in rules if r.writable and r.system]
        sources += [(s.system, "+".join(s.targets), s.line) for s in splits if s.writable]
        sources += [(system, "write_only", line) for system in constants]
        for system, canonical, where_line in sources:
            if system is None:
                continue
            if system in writers:
                self.problem(f"{self.where}.fields.{canonical}",
                             f"{system} is also written from {writers[system]}; a system field takes one source"
                             " (mark one 'direction: read')", where_line)
            writers[system] = canonical
