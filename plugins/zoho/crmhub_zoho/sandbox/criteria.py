"""Zoho's search criteria: ``((Field:equals:value)or(Field:starts_with:v))``, at most 10 conditions.

Values escape ``(``, ``)`` and ``,`` with a backslash. Comparisons are case-insensitive, as Zoho's are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_CONDITIONS = 10
Predicate = Callable[[dict[str, Any]], bool]


class CriteriaError(ValueError):
    """The criteria string cannot be parsed."""


def parse(text: str) -> tuple[Predicate, int]:
    """A predicate over a record's fields, and how many conditions it holds."""
    parser = _Parser(text)
    predicate = parser.expression()
    if parser.pos != len(text):
        raise CriteriaError(f"unexpected text at {parser.pos}")
    return predicate, parser.conditions


def equals_any(text: str) -> tuple[str, list[str]] | None:
    """``(field, values)`` when the criteria only ORs ``equals`` on one field (answerable from an index)."""
    parser = _Parser(text)
    parser.expression()
    fields = {field for field, _, _ in parser.terms}
    if parser.joiners - {"or"} or len(fields) != 1 or any(op != "equals" for _, op, _ in parser.terms):
        return None
    return fields.pop(), [value for _, _, value in parser.terms]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.conditions = 0
        self.terms: list[tuple[str, str, str]] = []
        self.joiners: set[str] = set()

    def expression(self) -> Predicate:
        left = self.group()
        while self.text.startswith(("and", "or"), self.pos):
            op = "and" if self.text.startswith("and", self.pos) else "or"
            self.pos += len(op)
            self.joiners.add(op)
            right = self.group()
            left = _combine(left, right, op)
        return left

    def group(self) -> Predicate:
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise CriteriaError(f"'(' expected at {self.pos}")
        self.pos += 1
        inner = self.expression() if self.text.startswith("(", self.pos) else self.condition()
        if self.pos >= len(self.text) or self.text[self.pos] != ")":
            raise CriteriaError(f"')' expected at {self.pos}")
        self.pos += 1
        return inner

    def condition(self) -> Predicate:
        raw = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                raw.append(self.text[self.pos: self.pos + 2])
                self.pos += 2
                continue
            if ch == ")":
                break
            raw.append(ch)
            self.pos += 1
        field, _, rest = "".join(raw).partition(":")
        operator, _, value = rest.partition(":")
        if not field or operator not in ("equals", "starts_with"):
            raise CriteriaError(f"bad condition {field!r}:{operator!r}")
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise CriteriaError("more than 10 conditions")
        wanted = _unescape(value).casefold()
        self.terms.append((field, operator, _unescape(value)))
        if operator == "equals":
            return lambda record: str(record.get(field) or "").casefold() == wanted
        return lambda record: str(record.get(field) or "").casefold().startswith(wanted)


def _combine(left: Predicate, right: Predicate, op: str) -> Predicate:
    if op == "and":
        return lambda record: left(record) and right(record)
    return lambda record: left(record) or right(record)


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def escape(value: str) -> str:
    """Escape a value for use inside a criteria condition."""
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace(",", "\\,")
