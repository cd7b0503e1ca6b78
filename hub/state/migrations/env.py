"""Alembic environment of the state store.

Run programmatically by :func:`hub.state.migrate.upgrade`, which hands over an open connection
already inside a transaction (``config.attributes["connection"]``). For developers writing a new
revision: ``python -m hub.state.migrate revision "what changed" --url sqlite:///tmp/dev.db``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from hub.state.migrate import VERSION_TABLE
from hub.state.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the state store migrations run through hub.state.migrate, which passes a connection")
_run(connection)
