"""A table's columns as the connector sees them: names, kinds, codecs, and how dotted fields land in them.

Column naming: a dotted canonical name becomes a column name with ``__`` in place of each dot
(``address.city`` ↔ ``address__city``); records and write requests always use the dotted names.
Map fields (``custom``, ``external_ids``) are one JSON column each; ``custom.segment`` in a
record is the ``segment`` key of the ``custom`` column's object.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hub.connectors.sql.values import ValueCodec, codec_for
from hub.errors import SchemaError
from hub.model.fields import FieldSpec, FieldType
from hub.model.streams import STREAM_MODELS, stream_fields

SEPARATOR = "__"


def column_name(field_name: str) -> str:
    """``address.city`` → ``address__city``."""
    return field_name.replace(".", SEPARATOR)


def field_name(column: str) -> str:
    """``address__city`` → ``address.city``."""
    return column.replace(SEPARATOR, ".")


@dataclass(frozen=True, slots=True)
class SqlColumn:
    """One column: its name, the dotted field it carries, its kind and how its values convert."""

    name: str
    field: str
    kind: FieldType
    codec: ValueCodec
    nullable: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(slots=True)
class TableLayout:
    """The columns of one table (or query result) and the roles some of them play."""

    name: str
    columns: dict[str, SqlColumn]
    id_column: str
    updated_at_column: str | None
    by_field: dict[str, SqlColumn] = field(init=False)

    def __post_init__(self) -> None:
        if self.id_column not in self.columns:
            raise SchemaError(f"table {self.name} has no id column {self.id_column!r}")
        if self.updated_at_column not in self.columns:
            self.updated_at_column = None
        self.by_field = {col.field: col for col in self.columns.values()}

    def locate(self, dotted: str) -> tuple[SqlColumn, str | None] | None:
        """The column holding ``dotted`` and, for a map column, the key inside it; ``None`` if none does."""
        col = self.by_field.get(dotted)
        if col is not None:
            return col, None
        head, _, key = dotted.partition(".")
        col = self.by_field.get(head)
        if key and col is not None and col.kind is FieldType.MAP:
            return col, key
        return None

    def field_specs(self) -> dict[str, FieldSpec]:
        """The stream's fields for ``discover()``: one per column, dotted."""
        return {
            col.field: FieldSpec(
                name=col.field,
                type=col.kind,
                required=not col.nullable,
                max_length=col.max_length,
                choices=col.choices,
            )
            for col in self.columns.values()
        }


def _kind_of(sql_type: Any) -> tuple[FieldType, int | None, int | None, bool]:
    """Map a reflected SQL type to (kind, max_length, decimal scale or second-fraction digits, has time zone)."""
    from sqlalchemy.dialects import mysql  # dialect modules load on use: registering the connector stays cheap

    if isinstance(sql_type, sa.Boolean) or (
        isinstance(sql_type, mysql.TINYINT) and getattr(sql_type, "display_width", None) == 1
    ):
        return FieldType.BOOLEAN, None, None, False
    if isinstance(sql_type, sa.Integer):
        return FieldType.INTEGER, None, None, False
    if isinstance(sql_type, sa.Float):
        return FieldType.DECIMAL, None, None, False
    if isinstance(sql_type, sa.Numeric):
        return FieldType.DECIMAL, None, sql_type.scale, False
    if isinstance(sql_type, sa.DateTime):
        # Fractional-second digits the column keeps (MySQL/MariaDB default to none, PostgreSQL to six).
        if isinstance(sql_type, mysql.DATETIME | mysql.TIMESTAMP):
            digits: int | None = sql_type.fsp or 0
        else:
            digits = getattr(sql_type, "precision", None)
        return FieldType.DATETIME, None, digits, bool(sql_type.timezone)
    if isinstance(sql_type, sa.Date):
        return FieldType.DATE, None, None, False
    if isinstance(sql_type, sa.JSON):
        return FieldType.MAP, None, None, False
    if isinstance(sql_type, sa.String):
        return FieldType.STRING, sql_type.length, None, False
    return FieldType.STRING, None, None, False


def layout_from_reflection(
    name: str, reflected: Iterable[dict[str, Any]], backend: str, stream: str, id_column: str,
    updated_at_column: str | None,
) -> TableLayout:
    """Build the layout of an existing table from ``Inspector.get_columns`` output."""
    canonical = stream_fields(stream) if stream in STREAM_MODELS else {}
    columns: dict[str, SqlColumn] = {}
    for info in reflected:
        kind, length, scale, tz = _kind_of(info["type"])
        dotted = field_name(info["name"])
        spec = canonical.get(dotted)
        # MariaDB reports JSON columns as LONGTEXT: trust the canonical model for map fields.
        if spec is not None and spec.type is FieldType.MAP and kind is FieldType.STRING:
            kind = FieldType.MAP
        if info["name"] == updated_at_column and kind is FieldType.STRING and backend == "sqlite":
            kind = FieldType.DATETIME  # SQLite keeps timestamps as text whatever the declared type
        columns[info["name"]] = SqlColumn(
            name=info["name"],
            field=dotted,
            kind=kind,
            codec=codec_for(kind, backend, scale=scale, timezone=tz),
            nullable=bool(info.get("nullable", True)) and info["name"] != id_column,
            max_length=length,
            choices=spec.choices if spec is not None else (),
        )
    return TableLayout(name, columns, id_column, updated_at_column)


_PY_KINDS: tuple[tuple[type, FieldType], ...] = (
    (bool, FieldType.BOOLEAN), (int, FieldType.INTEGER), (decimal.Decimal, FieldType.DECIMAL),
    (float, FieldType.DECIMAL), (dt.datetime, FieldType.DATETIME), (dt.date, FieldType.DATE), (dict, FieldType.MAP),
)


def layout_from_sample(
    names: Sequence[str], sample: Sequence[Sequence[Any]], backend: str, stream: str, id_column: str,
    updated_at_column: str | None,
) -> TableLayout:
    """Build the layout of a query's result: canonical kinds for canonical names, else the sample's value types."""
    canonical = stream_fields(stream) if stream in STREAM_MODELS else {}
    columns: dict[str, SqlColumn] = {}
    for index, name in enumerate(names):
        dotted = field_name(name)
        spec = canonical.get(dotted)
        kind = spec.type if spec is not None else FieldType.STRING
        first = next((row[index] for row in sample if row[index] is not None), None)
        if spec is None and first is not None:
            kind = next((k for t, k in _PY_KINDS if isinstance(first, t)), FieldType.STRING)
        if name == updated_at_column and kind is FieldType.STRING and backend == "sqlite":
            kind = FieldType.DATETIME  # SQLite keeps timestamps as text
        timezone = not isinstance(first, dt.datetime) or first.tzinfo is not None
        columns[name] = SqlColumn(name, dotted, kind, codec_for(kind, backend, timezone=timezone),
                                  choices=spec.choices if spec is not None else ())
    return TableLayout("query", columns, id_column, updated_at_column)


def _sql_type(spec: FieldSpec) -> sa.types.TypeEngine[Any]:
    from sqlalchemy.dialects import mysql, postgresql

    if spec.type is FieldType.DATE:
        return sa.Date()
    if spec.type is FieldType.DATETIME:
        return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
    if spec.type is FieldType.DECIMAL:
        return sa.Numeric(18, 2)
    if spec.type is FieldType.BOOLEAN:
        return sa.Boolean()
    if spec.type is FieldType.INTEGER:
        return sa.BigInteger()
    if spec.type is FieldType.MAP:
        return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    length = spec.max_length or (max([16, *map(len, spec.choices)]) if spec.choices else 255)
    return sa.String(length)


def _index_name(table: str) -> str:
    name = f"ix_{table}_updated_at"
    if len(name) <= 60:
        return name
    # PostgreSQL and MariaDB cap identifiers at 63/64 characters; keep it unique with a digest.
    return f"ix_{table[:40]}_{hashlib.sha1(table.encode()).hexdigest()[:10]}_upd"  # noqa: S324 - a name, not a secret


def canonical_table(
    name: str, stream: str, schema: str | None, id_column: str, updated_at_column: str | None
) -> sa.Table:
    """The table created when absent: the stream's canonical columns, ``id`` key, index on ``updated_at``."""
    from sqlalchemy.dialects import mysql

    metadata = sa.MetaData()
    columns: list[sa.Column[Any]] = [
        sa.Column(
            id_column,
            sa.String(64).with_variant(mysql.VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb"),
            primary_key=True,
        )
    ]
    for spec in stream_fields(stream).values():
        col = column_name(spec.name)
        if col in (id_column, updated_at_column):
            continue
        columns.append(sa.Column(col, _sql_type(spec), nullable=True))
    if updated_at_column:
        columns.append(sa.Column(updated_at_column, _sql_type(FieldSpec("updated_at", FieldType.DATETIME))))
    table = sa.Table(
        name, metadata, *columns, schema=schema, mysql_charset="utf8mb4", mysql_collate="utf8mb4_unicode_ci"
    )
    if updated_at_column:
        sa.Index(_index_name(name), table.c[updated_at_column], table.c[id_column])
    return table
