"""Schema migrations of the state store, run programmatically (no ``alembic.ini`` needed).

:func:`upgrade` brings a database to the newest revision inside one write transaction, holding a
lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL) so that two processes opening
a fresh store at once do not both create the tables.

Developers adding a revision after changing :mod:`hub.state.schema`::

    python -m hub.state.migrate revision "add a column" --url sqlite:////tmp/dev.db
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from hub.state.database import create_state_engine, write_tx
from hub.state.schema import metadata

__all__ = ["MIGRATIONS_DIR", "VERSION_TABLE", "current_revision", "head_revision", "schema_diff", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "hub_state_version"
# An arbitrary constant naming the "state store migration" advisory lock on PostgreSQL.
_PG_MIGRATION_LOCK = 0x63726D68


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of crmhub."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the state store ships at least one migration"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest revision; a no-op when it is already there."""
    with engine.connect() as probe:
        if current_revision(probe) == head_revision():
            return
    with write_tx(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        command.upgrade(_config(conn), "head")


def schema_diff(connection: Connection) -> list[Any]:
    """Differences between the database and :mod:`hub.state.schema` (empty when they agree)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE, "compare_type": True})
    return list(compare_metadata(context, metadata))


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hub.state.migrate", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    revision = sub.add_parser("revision", help="autogenerate a revision from the schema module")
    revision.add_argument("message")
    revision.add_argument("--url", required=True, help="a scratch database; it is upgraded to head first")
    args = parser.parse_args(argv)
    engine = create_state_engine(args.url)
    upgrade(engine)
    with write_tx(engine) as conn:
        command.revision(_config(conn), message=args.message, autogenerate=True)


if __name__ == "__main__":
    _main()
