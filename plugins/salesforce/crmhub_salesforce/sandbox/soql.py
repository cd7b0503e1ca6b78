"""The SOQL subset the sandbox understands, compiled to SQLite.

Supported: ``SELECT f1, f2 | COUNT() FROM Object [WHERE …] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …]
[LIMIT n] [OFFSET n]``. Conditions: comparisons (``= != <> < <= > >=``), ``LIKE``, ``[NOT] IN (…)``,
``AND``/``OR``/``NOT`` and parentheses. As in Salesforce, ``AND`` and ``OR`` cannot be mixed without
parentheses, literals must match the field's type (a quoted dateTime is an error), string equality
is case-insensitive, and names are checked against the object's fields. Relationship paths,
functions other than ``COUNT()``, date literals such as ``TODAY`` and subqueries are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crmhub_salesforce.sandbox import ids
from crmhub_salesforce.sandbox.catalog import NUMBER_TYPES, FieldDef, ObjectDef, object_def
from crmhub_salesforce.sandbox.errors import ApiFault, invalid_field, malformed
from crmhub_salesforce.sandbox.values import BadValue, format_datetime, parse_date, parse_datetime

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\d:T]))
  | (?P<number>[+-]?\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*(?::\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by", "asc", "desc", "nulls",
             "first", "last", "limit", "offset", "true", "false", "null", "count"}
MAX_OFFSET = 2000


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "name" else ""


@dataclass(slots=True)
class CompiledQuery:
    """A parsed query: the object, the selected fields and the SQL that finds its rows."""

    obj: ObjectDef
    fields: list[FieldDef]
    count_only: bool
    where_sql: str = ""
    params: list[Any] = field(default_factory=list)
    order_sql: str = ""
    limit: int | None = None
    offset: int = 0
    mentions_is_deleted: bool = False


def _tokens(soql: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    while pos < len(soql):
        match = _TOKEN.match(soql, pos)
        if not match:
            raise malformed(f"\n{soql[pos:pos + 20]}\n^\nERROR at Row:1:Column:{pos + 1}\nunexpected token: "
                            f"'{soql[pos]}'")
        kind = match.lastgroup or ""
        if kind != "ws":
            out.append(Token(kind, match.group(), pos))
        pos = match.end()
    return out


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            elif nxt in "%_":
                out.append("\\" + nxt)  # kept for LIKE; equality treats it as the literal character
            else:
                raise malformed(f"Invalid string literal '{raw}'. Illegal character sequence '\\{nxt}' in string "
                                "literal.")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.toks = _tokens(soql)
        self.i = 0
        self.obj: ObjectDef | None = None
        self.params: list[Any] = []
        self.mentions_is_deleted = False

    # Token helpers ----------------------------------------------------------------------------------
    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise malformed(f"\n{self.soql}\nERROR at Row:1:Column:{len(self.soql)}\nunexpected end of query")
        self.i += 1
        return tok

    def at(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.word in words

    def expect(self, word: str) -> None:
        tok = self.take()
        if tok.word != word and tok.text != word:
            self.unexpected(tok)

    def unexpected(self, tok: Token) -> None:
        raise malformed(f"\n{self.soql}\nERROR at Row:1:Column:{tok.pos + 1}\nunexpected token: '{tok.text}'")

    def field_of(self, tok: Token) -> FieldDef:
        assert self.obj is not None
        if tok.kind != "name" or tok.word in _KEYWORDS:
            self.unexpected(tok)
        if "." in tok.text:
            head = tok.text.split(".", 1)[0]
            raise invalid_field(f"\n{self.soql}\nERROR at Row:1:Column:{tok.pos + 1}\nDidn't understand "
                                f"relationship '{head}' in field path.")
        fdef = self.obj.get(tok.text)
        if fdef is None:
            raise invalid_field(
                f"\n{self.soql}\nERROR at Row:1:Column:{tok.pos + 1}\nNo such column '{tok.text}' on entity "
                f"'{self.obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' "
                "after the custom field name. Please reference your WSDL or the describe call for the "
                "appropriate names.")
        if fdef.name == "IsDeleted":
            self.mentions_is_deleted = True
        return fdef

    # Grammar ----------------------------------------------------------------------------------------
    def parse(self) -> CompiledQuery:
        self.expect("select")
        select_toks: list[Token] = []
        count_only = False
        if self.at("count"):
            self.take()
            self.expect("(")
            self.expect(")")
            count_only = True
        else:
            select_toks.append(self.take())
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.take()
                select_toks.append(self.take())
        self.expect("from")
        obj_tok = self.take()
        self.obj = object_def(obj_tok.text) if obj_tok.kind == "name" else None
        if self.obj is None:
            raise ApiFault(400, "INVALID_TYPE",
                           f"\n{self.soql}\nERROR at Row:1:Column:{obj_tok.pos + 1}\nsObject type "
                           f"'{obj_tok.text}' is not supported. If you are attempting to use a custom object, be "
                           "sure to append the '__c' after the entity name. Please reference your WSDL or the "
                           "describe call for the appropriate names.")
        fields: list[FieldDef] = []
        for tok in select_toks:
            fdef = self.field_of(tok)
            if fdef in fields:
                raise malformed(f"duplicate field selected: {fdef.name}")
            fields.append(fdef)
        query = CompiledQuery(self.obj, fields, count_only)
        if self.at("where"):
            self.take()
            query.where_sql = self.condition()
        if self.at("order"):
            self.take()
            self.expect("by")
            query.order_sql = self.order_list()
        if self.at("limit"):
            self.take()
            query.limit = self.integer()
        if self.at("offset"):
            self.take()
            query.offset = self.integer()
            if query.offset > MAX_OFFSET:
                raise ApiFault(400, "NUMBER_OUTSIDE_VALID_RANGE",
                               f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        if self.peek() is not None:
            self.unexpected(self.take())
        query.params = self.params
        query.mentions_is_deleted = self.mentions_is_deleted
        return query

    def integer(self) -> int:
        tok = self.take()
        if tok.kind != "number" or not tok.text.isdigit():
            self.unexpected(tok)
        return int(tok.text)

    def condition(self) -> str:
        parts = [self.negation()]
        joiner = ""
        while self.at("and", "or"):
            tok = self.take()
            if joiner and tok.word != joiner:
                self.unexpected(tok)  # SOQL needs parentheses to mix AND and OR
            joiner = tok.word
            parts.append(self.negation())
        return f" {joiner.upper()} ".join(parts) if joiner else parts[0]

    def negation(self) -> str:
        if self.at("not"):
            self.take()
            return f"NOT ({self.negation()})"
        tok = self.peek()
        if tok is not None and tok.text == "(":
            self.take()
            inner = self.condition()
            self.expect(")")
            return f"({inner})"
        return self.comparison()

    def comparison(self) -> str:
        fdef = self.field_of(self.take())
        column = f'"{fdef.name}"'
        nocase = " COLLATE NOCASE" if _textual(fdef) else ""
        if self.at("not", "in"):
            negated = self.take().word == "not"
            if negated:
                self.expect("in")
            self.expect("(")
            values = [self.literal(fdef)]
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.take()
                values.append(self.literal(fdef))
            self.expect(")")
            self.params.extend(values)
            marks = ", ".join("?" * len(values))
            return f"{column}{nocase} {'NOT IN' if negated else 'IN'} ({marks})"
        if self.at("like"):
            self.take()
            tok = self.take()
            if tok.kind != "string" or not _textual(fdef):
                raise ApiFault(400, "INVALID_QUERY_FILTER_OPERATOR",
                               f"invalid operator on {fdef.type} field: LIKE ({fdef.name})")
            self.params.append(_unquote(tok.text))
            return f"{column} LIKE ? ESCAPE '\\'"
        op_tok = self.take()
        if op_tok.kind != "op":
            self.unexpected(op_tok)
        op = "!=" if op_tok.text == "<>" else op_tok.text
        value = self.literal(fdef)
        if value is None:
            if op not in ("=", "!="):
                raise ApiFault(400, "INVALID_QUERY_FILTER_OPERATOR",
                               f"invalid operator on null value: {op_tok.text}")
            return f"{column} IS {'NOT ' if op == '!=' else ''}NULL"
        if isinstance(value, str) and "\\" in value:
            value = re.sub(r"\\([%_])", r"\1", value)
        self.params.append(value)
        return f"{column}{nocase} {op} ?"

    def literal(self, fdef: FieldDef) -> Any:
        tok = self.take()
        kind, word = tok.kind, tok.word
        if word == "null":
            return None
        wanted = fdef.type
        where = f"\nERROR at Row:1:Column:{tok.pos + 1}\n"
        if wanted == "datetime":
            if kind != "datetime":
                raise invalid_field(f"{where}value of filter criterion for field '{fdef.name}' must be of type "
                                    "dateTime and should not be enclosed in quotes")
            return format_datetime(parse_datetime(tok.text))
        if wanted == "date":
            if kind != "date":
                raise invalid_field(f"{where}value of filter criterion for field '{fdef.name}' must be of type "
                                    "date and should not be enclosed in quotes")
            try:
                return parse_date(tok.text).isoformat()
            except BadValue:
                raise malformed(f"{where}invalid date: {tok.text}") from None
        if wanted == "boolean":
            if word not in ("true", "false"):
                raise invalid_field(f"{where}value of filter criterion for field '{fdef.name}' must be of type "
                                    "boolean and should not be enclosed in quotes")
            return 1 if word == "true" else 0
        if wanted in NUMBER_TYPES:
            if kind != "number":
                raise invalid_field(f"{where}value of filter criterion for field '{fdef.name}' must be of type "
                                    f"{wanted} and should not be enclosed in quotes")
            return float(tok.text) if "." in tok.text else int(tok.text)
        if kind != "string":
            raise malformed(f"{where}unexpected token: '{tok.text}'")
        text = _unquote(tok.text)
        if wanted in ("id", "reference"):
            if not ids.is_valid(text):
                raise ApiFault(400, "INVALID_QUERY_FILTER_OPERATOR", f"{where}invalid ID field: {text}")
            return ids.to18(text)
        return text

    def order_list(self) -> str:
        items = [self.order_item()]
        while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            self.take()
            items.append(self.order_item())
        return ", ".join(items)

    def order_item(self) -> str:
        fdef = self.field_of(self.take())
        item = f'"{fdef.name}"' + (" COLLATE NOCASE" if _textual(fdef) else "")
        if self.at("asc", "desc"):
            item += " " + self.take().word.upper()
        if self.at("nulls"):
            self.take()
            placement = self.take()
            if placement.word not in ("first", "last"):
                self.unexpected(placement)
            item += f" NULLS {placement.word.upper()}"
        return item


def _textual(fdef: FieldDef) -> bool:
    return fdef.type not in ("id", "reference", "boolean", "date", "datetime", *NUMBER_TYPES)


def compile_soql(soql: str) -> CompiledQuery:
    """Parse ``soql`` and check it against the schema; raises :class:`ApiFault` as Salesforce would."""
    if not soql.strip():
        raise malformed("unexpected end of query")
    return _Parser(soql).parse()
