"""The ``sql`` connector: a table (or a read-only query) in SQLite, PostgreSQL or MariaDB/MySQL."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, cast

import sqlalchemy as sa

from hub.connectors.api import Capability, Connector, ConnectorConfig, ConnectorContext, StreamInfo
from hub.connectors.sql.conditional import current_rows, hold_changed
from hub.connectors.sql.config import SqlConfig, display_url, engine_url
from hub.connectors.sql.database import WRITE_OPTION, AnyRow, AnySelect, Column, create_engine
from hub.connectors.sql.failures import Failure, as_hub_error, classify, safe_reason
from hub.connectors.sql.layout import (
    TableLayout,
    canonical_table,
    field_name,
    layout_from_reflection,
    layout_from_sample,
)
from hub.connectors.sql.preparing import PreparedGroup, merge_groups
from hub.connectors.sql.reader import KeysetReader, RowDecoder, records_of
from hub.connectors.sql.writer import IN_CHUNK, StoredRows, UpsertWriter
from hub.errors import ConfigError, CrmhubError, SchemaError
from hub.model.streams import STREAM_MODELS, stream_fields
from hub.records import Checkpoint, CheckResult, SourceRecord, WriteOutcome, WriteRequest, WriteResult

STREAM_PAGE = 1000
"""Rows the driver fetches at a time inside one page (server-side cursor where the driver has one)."""
SNAPSHOT_PAGE = 5000
"""Rows the driver fetches at a time in a snapshot's single scan."""


class SqlConnector(Connector):
    """Reads a table incrementally by ``(updated_at, id)`` and upserts into it by ``id`` (the hub id)."""

    name: ClassVar[str] = "sql"
    config_model: ClassVar[type[ConnectorConfig]] = SqlConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.READ, Capability.WRITE, Capability.INCREMENTAL, Capability.LOOKUP, Capability.DELETE,
         Capability.SNAPSHOT, Capability.CONDITIONAL_WRITE, Capability.CLEAR}
    )
    write_batch_size: ClassVar[int] = 5000

    def __init__(self, config: ConnectorConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self.settings = cast(SqlConfig, config)
        self.url = engine_url(self.settings, context.work_dir)
        self.backend = self.url.get_backend_name()
        self._engine: sa.Engine | None = None
        self._layout: TableLayout | None = None
        self._writer: UpsertWriter | None = None
        self._expect_new = False
        """The last batch only created rows (or the table is new): try inserting before comparing."""

    # Lifecycle --------------------------------------------------------------------------------------
    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, created on first use."""
        if self._engine is None:
            self._engine = create_engine(self.url)
        return self._engine

    def open(self) -> None:
        self.engine  # noqa: B018 - build it now so configuration errors surface at open

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def where(self) -> str:
        """Names the table and database in messages, without the password."""
        target = f"query of {self.settings.stream}" if self.settings.query else self._qualified_table
        return f"{target} at {display_url(self.url)}"

    @property
    def _qualified_table(self) -> str:
        schema = self.settings.db_schema
        return f"{schema}.{self.settings.table}" if schema else self.settings.table

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Turn database errors into :mod:`hub.errors` classes, with no SQL values or password."""
        try:
            yield
        except CrmhubError:
            raise
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            raise as_hub_error(exc, f"{doing} {self.where}") from None

    def _stream(self, stream: str) -> None:
        if stream != self.settings.stream:
            raise ConfigError(f"connection {self.context.connection!r} provides stream "
                              f"{self.settings.stream!r}, not {stream!r}")

    # Layout ---------------------------------------------------------------------------------------
    @property
    def _table_clause(self) -> sa.TableClause:
        return sa.table(self.settings.table, schema=self.settings.db_schema)

    def _reflect(self) -> TableLayout | None:
        if self.settings.query:
            return self._query_layout()
        with self._guard("reading the columns of"), self.engine.connect() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table(self.settings.table, schema=self.settings.db_schema):
                return None
            reflected = inspector.get_columns(self.settings.table, schema=self.settings.db_schema)
        return layout_from_reflection(
            self._qualified_table, cast(list[dict[str, Any]], reflected), self.backend, self.settings.stream,
            self.settings.id_column, self.settings.updated_at_column,
        )

    def _query_source(self, columns: Sequence[str] = ()) -> sa.Subquery:
        assert self.settings.query is not None
        return sa.text(self.settings.query).columns(*[sa.column(c) for c in columns]).subquery("crmhub_source")

    def _query_layout(self) -> TableLayout:
        probe: AnySelect = sa.select(sa.literal_column("*")).select_from(self._query_source()).limit(200)
        with self._guard("running the query of"), self.engine.connect() as conn:
            result = conn.execute(probe)
            names = list(result.keys())
            sample = result.fetchall()
        return layout_from_sample(names, sample, self.backend, self.settings.stream, self.settings.id_column,
                                  self.settings.updated_at_column)

    def layout(self, *, create: bool = False) -> TableLayout | None:
        """The table's layout; with ``create``, the table is created first when absent and allowed."""
        if self._layout is None:
            self._layout = self._reflect()
        if self._layout is None and create:
            self._create_table()
            self._layout = self._reflect()
        return self._layout

    def _create_table(self) -> None:
        settings = self.settings
        if not settings.create_table:
            raise SchemaError(f"table {self._qualified_table} does not exist and create_table is false")
        if settings.stream not in STREAM_MODELS:
            raise SchemaError(f"table {self._qualified_table} does not exist and stream {settings.stream!r} is not "
                              f"canonical ({', '.join(STREAM_MODELS)}): create the table yourself")
        table = canonical_table(settings.table, settings.stream, settings.db_schema, settings.id_column,
                                settings.updated_at_column)
        with self._guard("creating"), self.engine.begin() as conn:
            table.metadata.create_all(conn, checkfirst=True)
        self._expect_new = True
        self.context.logger.info("created table %s", self._qualified_table)

    def _require_table(self) -> TableLayout:
        found = self.layout()
        if found is None:
            raise SchemaError(f"table {self._qualified_table} does not exist")
        return found

    # Verbs ------------------------------------------------------------------------------------------
    def check(self) -> CheckResult:
        """Connect, and verify the table (or query) is there or can be created."""
        details: dict[str, Any] = {"url": display_url(self.url), "table": self._qualified_table}
        try:
            with self._guard("connecting to"), self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            found = self.layout()
        except CrmhubError as exc:
            return CheckResult(ok=False, problems=[exc.public_message], details=details)
        if found is None:
            if self.settings.create_table and self.settings.stream in STREAM_MODELS:
                details["table_status"] = "absent; created with canonical columns on first write"
                return CheckResult(ok=True, details=details)
            return CheckResult(ok=False, problems=[f"table {self._qualified_table} does not exist"], details=details)
        details["columns"] = len(found.columns)
        problems = []
        if self.settings.updated_at_column and found.updated_at_column is None:
            problems.append(f"{self.where}: no column {self.settings.updated_at_column!r}; reads are by id only")
        details["warnings"] = problems
        return CheckResult(ok=True, details=details)

    def discover(self) -> list[StreamInfo]:
        """The stream with one field per column (what would be created, if the table is absent)."""
        found = self.layout()
        if found is None:
            if self.settings.stream not in STREAM_MODELS or not self.settings.create_table:
                raise SchemaError(f"table {self._qualified_table} does not exist")
            fields = stream_fields(self.settings.stream)
            cursor = "updated_at" if self.settings.updated_at_column else None
        else:
            fields = found.field_specs()
            cursor = found.columns[found.updated_at_column].field if found.updated_at_column else None
        native = None if self.settings.query else self._qualified_table
        id_field = field_name(self.settings.id_column)
        return [StreamInfo(name=self.settings.stream, fields=fields, primary_key=id_field, cursor_field=cursor,
                           key_field=id_field, native_name=native)]

    def _source(self, found: TableLayout) -> tuple[sa.FromClause, str]:
        """What to select from (the table, or the query as a subquery) and how refs name it."""
        if self.settings.query:
            return self._query_source(list(found.columns)), "query"
        return self._table_clause, self._qualified_table

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        """Records after ``checkpoint`` in ``(updated_at, id)`` order; see :mod:`hub.connectors.sql.reader`."""
        self._stream(stream)
        found = self._require_table()
        source, ref_name = self._source(found)
        reader = KeysetReader(
            found, source, stream, ref_name, self._fetch, page_size=self.settings.page_size,
            overlap=self.settings.overlap_seconds, reread_nulls=self.settings.reread_null_updated_at,
            row_values=self.backend in ("sqlite", "postgresql"),
        )
        yield from reader.read(dict(checkpoint.cursor) if checkpoint else {})

    def snapshot(self, stream: str) -> Iterator[SourceRecord]:
        """Every row in one unordered scan (server-side cursor where the driver has one): no index walk, no pages."""
        self._stream(stream)
        found = self._require_table()
        source, ref_name = self._source(found)
        names = list(found.columns)
        decoder = RowDecoder(found, names)
        id_index = names.index(found.id_column)
        u_field = found.columns[found.updated_at_column].field if found.updated_at_column else None
        query: AnySelect = sa.select(*[sa.column(n) for n in names]).select_from(source)
        with self._guard("reading"), self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=SNAPSHOT_PAGE).execute(query)
            for rows in result.partitions():
                yield from records_of(decoder, rows, id_index, u_field, ref_name)

    def _fetch(self, query: AnySelect) -> Iterator[Sequence[AnyRow]]:
        with self._guard("reading"), self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=STREAM_PAGE).execute(query)
            yield from result.partitions()

    def _target(self, create: bool) -> tuple[TableLayout | None, UpsertWriter | None]:
        if self.settings.query:
            raise ConfigError(f"connection {self.context.connection!r} reads a query and cannot be written to")
        found = self.layout(create=create)
        if found is None:
            return None, None
        if self._writer is None:
            table = sa.table(self.settings.table, *[sa.column(n) for n in found.columns],
                             schema=self.settings.db_schema)
            self._writer = UpsertWriter(found, table, self.engine.dialect)
        return found, self._writer

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        """Upsert ``batch`` in one transaction; rows the database rejects fail alone (found by halving)."""
        self._stream(stream)
        _, writer = self._target(create=True)
        assert writer is not None
        groups, results = writer.preparer.prepare(batch)
        if not any(groups):
            return results
        expected = {r.key: r.expected for r in batch if r.expected is not None}
        if self._expect_new and not expected:
            # Filling a table: insert without first looking for the keys. The primary key still guards
            # exactness: if any key exists, the insert fails, is rolled back and the batch is compared.
            try:
                return results + self._write_groups(writer, groups, assume_new=True)
            except (sa.exc.SQLAlchemyError, OSError) as exc:
                if classify(exc) is not Failure.REJECTED:
                    raise as_hub_error(exc, f"writing to {self.where}") from None
                self._expect_new = False
        try:
            written = self._write_groups(writer, groups, expected=expected)
            self._expect_new = all(r.outcome is WriteOutcome.CREATED for r in written)
            return results + written
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            if classify(exc) is not Failure.REJECTED:
                raise as_hub_error(exc, f"writing to {self.where}") from None
        # The batch failed as a whole because of some rows: find them by halving, so that a few bad rows
        # in a large batch cost a few dozen transactions, not one per row.
        singles = sorted((g.single(i) for g in groups for i in range(len(g))), key=lambda g: g.positions[0])
        return results + self._write_halving(writer, singles, expected)

    def _write_halving(self, writer: UpsertWriter, singles: list[PreparedGroup], expected: dict[str, str]
                       ) -> list[WriteResult]:
        try:
            return self._write_groups(writer, merge_groups(singles), expected=expected)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            if classify(exc) is not Failure.REJECTED:
                raise as_hub_error(exc, f"writing to {self.where}") from None
            if len(singles) == 1:
                reason = f"the database rejected the row: {safe_reason(exc)}"
                return [writer.preparer.failure(singles[0].keys[0], reason)]
        middle = len(singles) // 2
        return (self._write_halving(writer, singles[:middle], expected)
                + self._write_halving(writer, singles[middle:], expected))

    def _write_groups(self, writer: UpsertWriter, groups: Sequence[PreparedGroup], *,
                      assume_new: bool = False, expected: dict[str, str] | None = None) -> list[WriteResult]:
        now = dt.datetime.now(dt.UTC)
        refused: list[WriteResult] = []
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if expected:
                    # In this transaction, under a row lock: what is checked here is what gets written.
                    groups, refused = hold_changed(conn, writer.layout, self._table_clause, groups, expected)
                    if not any(groups):
                        return refused
                keys = [key for group in groups for key in group.keys]
                current = StoredRows({}, {}) if assume_new else writer.fetch_current(
                    conn, keys, writer.touched_columns(groups))
                plan = writer.plan(groups, current, now)
                writer.execute(conn, plan)
        return refused + plan.results

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Current values (dotted names) of the keys that exist; an absent table holds none."""
        self._stream(stream)
        found, _ = self._target(create=False)
        if found is None or not keys:
            return {}
        with self._guard("looking records up in"), self.engine.connect() as conn:
            return current_rows(conn, found, self._table_clause, keys)

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        """Delete the rows with these ids: ``deleted`` when one existed, ``unchanged`` when none did."""
        self._stream(stream)
        found, _ = self._target(create=False)
        existing: set[str] = set()
        if found is not None and keys:
            id_col: Column = sa.column(found.id_column)
            unique = list(dict.fromkeys(keys))
            with self._guard("deleting from"), self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    for start in range(0, len(unique), IN_CHUNK):
                        chunk = unique[start:start + IN_CHUNK]
                        rows = conn.execute(sa.select(id_col).select_from(self._table_clause).where(
                            id_col.in_(chunk)))
                        existing.update(str(r[0]) for r in rows)
                        conn.execute(sa.delete(self._table_clause).where(id_col.in_(chunk)))
        return [
            WriteResult(key=k, outcome=WriteOutcome.DELETED, target_id=k) if k in existing
            else WriteResult(key=k, outcome=WriteOutcome.UNCHANGED, message="no such record")
            for k in keys
        ]
