"""Loading ``mappings/<system>.yaml`` into compiled :class:`~hub.mapping.stream.StreamMapping` objects.

Every problem in the file is collected (unknown canonical fields, unknown transforms, bad
parameters, duplicate targets, keys that mean nothing) and raised at once as one
:class:`~hub.errors.ConfigError` whose problems name the file, the key and the line.
The file format is documented in ``mappings/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from hub.errors import ConfigError, ConfigProblem
from hub.mapping.field_rules import RuleCompiler
from hub.mapping.stream import StreamMapping
from hub.mapping.transforms import TransformRegistry
from hub.mapping.yaml_lines import LineDict, load_with_lines
from hub.model import STREAM_MODELS

__all__ = ["DEFAULT_SEARCH_DIRS", "Mapping", "find_mapping", "load_mapping", "parse_mapping"]

# The repository's own mappings/ (next to hub/), then mappings/ in the working directory.
DEFAULT_SEARCH_DIRS: tuple[Path, ...] = (Path(__file__).resolve().parents[2] / "mappings", Path("mappings"))
_TOP_KEYS = {"system", "description", "version", "streams"}
_STREAM_KEYS = {"object", "key_field", "id_field", "fields", "split", "read_only", "write_only", "description"}


class Mapping:
    """A loaded mapping file: the system it describes and its stream mappings by canonical stream."""

    def __init__(self, path: Path | str, system: str, streams: dict[str, StreamMapping]) -> None:
        self.path = Path(path)
        self.system = system
        self.streams = streams

    def stream(self, canonical: str) -> StreamMapping:
        """The mapping of canonical stream ``canonical``; ``ConfigError`` naming the file when it has none."""
        try:
            return self.streams[canonical]
        except KeyError:
            known = ", ".join(sorted(self.streams)) or "none"
            expected = f"the mapping has no such stream (has: {known})"
            raise ConfigError([ConfigProblem(str(self.path), f"streams.{canonical}", expected)]) from None

    def __repr__(self) -> str:
        return f"<Mapping {self.system} from {self.path}: {', '.join(self.streams)}>"


def find_mapping(name: str | Path, search_dirs: Iterable[Path] | None = None) -> Path:
    """The file of mapping ``name`` (``salesforce`` → ``mappings/salesforce.yaml``), or a path to one."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or len(candidate.parts) > 1:
        if candidate.is_file():
            return candidate
        raise ConfigError([ConfigProblem(str(candidate), "(file)", "the mapping file does not exist")])
    dirs = list(search_dirs) if search_dirs is not None else list(DEFAULT_SEARCH_DIRS)
    for directory in dirs:
        for suffix in (".yaml", ".yml"):
            path = Path(directory) / f"{name}{suffix}"
            if path.is_file():
                return path
    searched = ", ".join(str(d) for d in dirs) or "no directories"
    raise ConfigError(f"no mapping named {str(name)!r} (looked for {name}.yaml in {searched})")


def load_mapping(path: Path | str, transforms: TransformRegistry) -> Mapping:
    """Load and check a mapping file; ``ConfigError`` listing every problem with file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(str(path), "(file)", "the mapping file does not exist")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), "(file)", f"must be UTF-8 text ({exc.reason})")]) from None
    return parse_mapping(text, transforms, source=str(path))


def parse_mapping(text: str, transforms: TransformRegistry, *, source: str = "<mapping>") -> Mapping:
    """Load a mapping from YAML ``text``; ``source`` names it in problems."""
    try:
        data, duplicates = load_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError([ConfigProblem(source, "(syntax)", str(exc.problem or exc), line)]) from None
    problems = [ConfigProblem(source, key, "the key appears twice", line) for key, line in duplicates]
    if not isinstance(data, LineDict):
        problems.append(ConfigProblem(source, "(document)", "a mapping with 'system' and 'streams'", 1))
        raise ConfigError(problems)
    streams = _streams(data, transforms, source, problems)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))
    return Mapping(source, str(data.get("system") or Path(source).stem), streams)


def _streams(
    data: LineDict, transforms: TransformRegistry, source: str, problems: list[ConfigProblem]
) -> dict[str, StreamMapping]:
    def problem(key: str, expected: str, line: int) -> None:
        problems.append(ConfigProblem(source, key, expected, line))

    for key in sorted(set(data) - _TOP_KEYS):
        problem(key, f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})", data.line_of(key))
    streams_node = data.get("streams")
    if not isinstance(streams_node, LineDict) or not streams_node:
        expected = "a mapping of canonical streams (contacts, companies) to their rules"
        problem("streams", expected, data.line_of("streams"))
        return {}
    streams: dict[str, StreamMapping] = {}
    for canonical, node in streams_node.items():
        where, line = f"streams.{canonical}", streams_node.line_of(canonical)
        if canonical not in STREAM_MODELS:
            problem(where, f"unknown canonical stream (known: {', '.join(sorted(STREAM_MODELS))})", line)
            continue
        if not isinstance(node, LineDict):
            problem(where, "a mapping with 'object' and 'fields'", line)
            continue
        compiled = _stream(canonical, node, where, transforms, problem, source)
        if compiled is not None:
            streams[canonical] = compiled
    return streams


def _stream(
    canonical: str,
    node: LineDict,
    where: str,
    transforms: TransformRegistry,
    problem: Any,
    source: str,
) -> StreamMapping | None:
    for key in sorted(set(node) - _STREAM_KEYS):
        problem(f"{where}.{key}", f"unknown key (allowed: {', '.join(sorted(_STREAM_KEYS))})", node.line_of(key))
    obj = node.get("object")
    if not isinstance(obj, str) or not obj:
        problem(f"{where}.object", "the system's stream name (text)", node.line_of("object"))
    for key in ("key_field", "id_field"):
        if key in node and not isinstance(node[key], str):
            problem(f"{where}.{key}", "a system field name (text)", node.line_of(key))
    compiler = RuleCompiler(canonical, where, transforms, problem)
    fields = node.get("fields")
    if not isinstance(fields, LineDict):
        problem(f"{where}.fields", "a mapping of canonical field → system field or rule", node.line_of("fields"))
        fields = LineDict()
        fields.lines = {}
    read_only = _names(node, "read_only", where, problem)
    rules = compiler.fields(fields, read_only)
    splits = compiler.splits(node.get("split"), node.line_of("split"))
    constants = node.get("write_only") or {}
    if not isinstance(constants, dict):
        problem(f"{where}.write_only", "a mapping of system field → value written on every record",
                node.line_of("write_only"))
        constants = {}
    compiler.check_write_targets(rules, splits, constants, node.line_of("write_only"))
    if compiler.failed or not isinstance(obj, str) or not obj:
        return None
    return StreamMapping(
        canonical,
        obj,
        key_field=node.get("key_field"),
        id_field=node.get("id_field"),
        rules=rules,
        splits=splits,
        write_constants=dict(constants),
        source=source,
    )


def _names(node: LineDict, key: str, where: str, problem: Any) -> set[str]:
    value = node.get(key)
    if value is None:
        return set()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problem(f"{where}.{key}", "a list of canonical field names", node.line_of(key))
        return set()
    return set(value)
