"""The built-in ``sql`` connector: SQLite, PostgreSQL (psycopg 3) and MariaDB/MySQL (PyMySQL).

Config keys (:class:`SqlConfig`): ``url`` (``sqlite:///crm.db`` is relative to the config
file's folder; ``postgresql://`` and ``mysql://``/``mariadb://`` get their driver added),
``password`` (secret, merged into the URL), ``table`` or ``query`` (a read-only SELECT; such a
connection cannot be written to), ``stream``, ``id_column``, ``updated_at_column``, ``schema``,
``create_table``, ``page_size``, ``overlap_seconds``, ``reread_null_updated_at``.

- Columns: dotted canonical names map to ``__`` column names (``address.city`` ↔
  ``address__city``); ``custom`` and ``external_ids`` are JSON columns whose keys read back as
  ``custom.<key>``. See :mod:`hub.connectors.sql.layout`.
- Reading: keyset pages in ``(updated_at, id)`` order, a checkpoint after each page, NULL
  timestamps first. See :mod:`hub.connectors.sql.reader`.
- Writing: exact created/updated/unchanged per request, one transaction per batch, per-row
  fallback when the database rejects some rows (``failed``, code ``db_rejected``). See
  :mod:`hub.connectors.sql.writer`.
- Time: stored in UTC; naive datetimes are taken as UTC. See :mod:`hub.connectors.sql.values`.
"""

from hub.connectors.sql.config import SqlConfig
from hub.connectors.sql.connector import SqlConnector

__all__ = ["SqlConfig", "SqlConnector"]
