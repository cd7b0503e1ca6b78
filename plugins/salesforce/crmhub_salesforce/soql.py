"""SOQL built safely: names checked against describe, values escaped, dateTimes as literals.

Nothing user-supplied is pasted into a query unchecked: object and field names must exist in the
describe result (and look like API names), string values are quoted with SOQL's escapes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote

from crmhub_salesforce.schema import ObjectSchema
from hub.errors import SchemaError

_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
MAX_ENCODED_QUERY = 12_000
"""Bytes of URL-encoded SOQL per GET; Salesforce refuses URIs much past 16 KB."""


def quote_string(value: str) -> str:
    """A SOQL string literal for ``value``."""
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in value) + "'"


def datetime_literal(moment: dt.datetime) -> str:
    """A SOQL dateTime literal (unquoted, UTC, milliseconds)."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def name(schema: ObjectSchema, field: str) -> str:
    """The canonical API name of ``field`` on ``schema``; anything else is a SchemaError."""
    found = schema.get(field) if _API_NAME.match(field) else None
    if found is None:
        raise SchemaError(f"{schema.name} has no field {field!r}")
    return found.name


def select(schema: ObjectSchema, fields: Iterable[str], where: str = "", order_by: Sequence[str] = ()) -> str:
    """``SELECT … FROM … [WHERE …] [ORDER BY …]`` with every name checked."""
    if not _API_NAME.match(schema.name):
        raise SchemaError(f"not an sObject name: {schema.name!r}")
    columns = list(dict.fromkeys(name(schema, f) for f in fields))
    soql = f"SELECT {', '.join(columns)} FROM {schema.name}"
    if where:
        soql += f" WHERE {where}"
    if order_by:
        soql += " ORDER BY " + ", ".join(f"{name(schema, f)} ASC" for f in order_by)
    return soql


def in_clauses(schema: ObjectSchema, field: str, values: Sequence[str], fields: Iterable[str],
               also: str = "") -> Iterator[str]:
    """``SELECT fields … WHERE field IN (…) [AND also]`` queries covering ``values``, each short enough for a GET.

    ``also`` is a condition built by the caller from checked names and quoted literals.
    """
    column = name(schema, field)
    head = select(schema, fields) + f" WHERE {column} IN ("
    tail = f") AND {also}" if also else ")"
    chunk: list[str] = []
    separator = len(quote(", "))
    size = len(quote(head)) + len(quote(tail))
    for value in values:
        literal = quote_string(value)
        cost = len(quote(literal)) + separator
        if chunk and size + cost > MAX_ENCODED_QUERY:
            yield head + ", ".join(chunk) + tail
            chunk, size = [], len(quote(head)) + len(quote(tail))
        chunk.append(literal)
        size += cost
    if chunk:
        yield head + ", ".join(chunk) + tail
