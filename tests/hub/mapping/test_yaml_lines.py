"""The line-recording YAML loader."""

from __future__ import annotations

import pytest
import yaml

from hub.mapping import parse_mapping
from hub.mapping.builtin_transforms import builtin_registry
from hub.mapping.yaml_lines import LineDict, LineList, load_with_lines


def test_lines_of_keys_and_items() -> None:
    data, duplicates = load_with_lines("a: 1\nb:\n  c: [x, y]\n  d:\n    - p\n    - q\n")
    assert isinstance(data, LineDict)
    assert (data.line_of("a"), data.line_of("b"), data.line_of("missing")) == (1, 2, 1)
    assert data["b"].line_of("d") == 4
    assert isinstance(data["b"]["d"], LineList)
    assert data["b"]["d"].lines == [5, 6]
    assert duplicates == []


def test_duplicate_keys_are_recorded() -> None:
    _, duplicates = load_with_lines("a: 1\nb: 2\na: 3\n")
    assert duplicates == [("a", 3)]


def test_keys_are_text_as_written_and_only_true_false_are_booleans() -> None:
    data, _ = load_with_lines("m: {Yes: a, true: b, 1: c, null: d}\nv: [yes, no, on, off, true, False, 1, 1.5, null]\n")
    assert list(data["m"]) == ["Yes", "true", "1", "null"]
    assert data["v"] == ["yes", "no", "on", "off", True, False, 1, 1.5, None]
    assert yaml.safe_load("a: yes") == {"a": True}  # PyYAML's own loader is left as it was


def test_syntax_errors_propagate_with_their_line() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        load_with_lines("a: 1\nb: [1, 2\n")
    assert caught.value.problem_mark is not None


def test_opt_out_flags_read_and_write_booleans() -> None:
    contacts = parse_mapping(
        """\
streams:
  contacts:
    object: Contact
    fields:
      consent.email:
        from: HasOptedOutOfEmail
        map: {"true": denied, "false": unknown}
        write_map: {granted: false, denied: true}
      lifecycle_stage: {from: Stage, map: {1: lead, 2: customer}}
""",
        builtin_registry(),
    ).stream("contacts")
    assert contacts.to_canonical({"HasOptedOutOfEmail": True})[0] == {"consent.email": "denied"}
    assert contacts.to_canonical({"HasOptedOutOfEmail": False})[0] == {"consent.email": "unknown"}
    assert contacts.to_canonical({"HasOptedOutOfEmail": "false"})[0] == {"consent.email": "unknown"}
    assert contacts.to_canonical({"Stage": 2})[0] == {"lifecycle_stage": "customer"}
    assert contacts.from_canonical({"consent.email": "denied"}) == {"HasOptedOutOfEmail": True}
    assert contacts.from_canonical({"consent.email": "granted"}) == {"HasOptedOutOfEmail": False}
    assert contacts.from_canonical({"consent.email": "unknown"}) == {}
    assert contacts.from_canonical({"lifecycle_stage": "lead"}) == {"Stage": "1"}
