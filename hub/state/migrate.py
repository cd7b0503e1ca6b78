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
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, column, inspect, select, table, text

from hub.errors import FatalError
from hub.state.database import create_state_engine, write_tx
from hub.state.schema import metadata

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "HEAD_REVISION",
    "MIGRATIONS_DIR",
    "VERSION_TABLE",
    "current_revision",
    "head_revision",
    "schema_diff",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "hub_state_version"
HEAD_REVISION = "0004"
"""The newest revision in ``migrations/versions`` (a test keeps it true). Knowing it without loading
alembic lets :func:`upgrade` skip alembic entirely on an up-to-date store: opening stays fast."""
# An arbitrary constant naming the "state store migration" advisory lock on PostgreSQL.
_PG_MIGRATION_LOCK = 0x63726D68


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # alembic is loaded only when a migration has to run

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts (read from the files)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the state store ships at least one migration"
    return head


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = table(VERSION_TABLE, column("version_num"))
    return connection.execute(select(versions.c.version_num)).scalar_one_or_none()


def upgrade(engine: Engine) -> None:
    """Bring the database at ``engine`` to the newest revision; a no-op when it is already there.

    A database written by a newer crmhub (a revision this version does not ship) is refused
    rather than touched.
    """
    with engine.connect() as probe:
        current = current_revision(probe)
    if current == HEAD_REVISION:
        return
    if current is not None and current not in _known_revisions():
        raise FatalError(
            f"the state store is at schema revision {current}, which this crmhub does not know "
            f"(newest known: {HEAD_REVISION}); it was upgraded by a newer crmhub - install that version"
        )
    with write_tx(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        from alembic import command

        command.upgrade(_config(conn), "head")


def schema_diff(connection: Connection) -> list[Any]:
    """Differences between the database and :mod:`hub.state.schema` (empty when they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

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
    from alembic import command

    with write_tx(engine) as conn:
        command.revision(_config(conn), message=args.message, autogenerate=True)


if __name__ == "__main__":
    _main()
