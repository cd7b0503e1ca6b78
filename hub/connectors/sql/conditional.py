"""Conditional writes: a request carrying ``expected`` is written only if its row is still as the hub read it.

Inside the write's own transaction the rows of those requests are read again under a row lock
(``SELECT … FOR UPDATE`` on PostgreSQL and MariaDB/MySQL; on SQLite the write transaction's
``BEGIN IMMEDIATE`` already holds the database's write lock), decoded exactly as ``lookup`` decodes
them and fingerprinted (:func:`hub.records.fingerprint`). A row that changed or went since the hub
read it is refused with code ``conflict``; nobody can change the others between this check and the
write, which commit together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from hub.connectors.sql.database import AnySelect, Column
from hub.connectors.sql.layout import TableLayout
from hub.connectors.sql.preparing import PreparedGroup, merge_groups
from hub.connectors.sql.reader import RowDecoder
from hub.connectors.sql.writer import IN_CHUNK
from hub.records import CONFLICT, WriteOutcome, WriteResult, fingerprint

__all__ = ["current_rows", "hold_changed"]

def current_rows(conn: sa.Connection, layout: TableLayout, table: sa.TableClause, keys: Sequence[str], *,
                 lock: bool = False) -> dict[str, dict[str, Any]]:
    """``{id: fields}`` of the keys that exist, decoded as ``lookup`` returns them; ``lock`` locks those rows."""
    names = list(layout.columns)
    decoder = RowDecoder(layout, names)
    id_index = names.index(layout.id_column)
    id_col: Column = sa.column(layout.id_column)
    unique = list(dict.fromkeys(keys))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), IN_CHUNK):
        query: AnySelect = sa.select(*[sa.column(n) for n in names]).select_from(table).where(
            id_col.in_(unique[start:start + IN_CHUNK]))
        rows = conn.execute(query.with_for_update() if lock else query).all()
        for row, data in zip(rows, decoder.decode(rows), strict=True):
            found[str(row[id_index])] = data
    return found


def hold_changed(conn: sa.Connection, layout: TableLayout, table: sa.TableClause, groups: Sequence[PreparedGroup],
                 expected: Mapping[str, str]) -> tuple[list[PreparedGroup], list[WriteResult]]:
    """The groups without requests whose row changed since it was read, and a ``conflict`` result for each of those."""
    wanted = {key: expected[key] for group in groups for key in group.keys if key in expected}
    if not wanted:
        return list(groups), []
    now = current_rows(conn, layout, table, list(wanted), lock=True)
    changed = {key for key, seen in wanted.items() if key not in now or fingerprint(now[key]) != seen}
    if not changed:
        return list(groups), []
    refused = [WriteResult(key, WriteOutcome.FAILED, code=CONFLICT,
                           message=f"{layout.name} id={key}: the row changed since it was read; not written")
               for group in groups for key in group.keys if key in changed]
    kept = [group.single(i) for group in groups for i in range(len(group)) if group.keys[i] not in changed]
    return merge_groups(kept), refused
