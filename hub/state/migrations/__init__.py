"""Alembic migrations of the state store, run by :func:`hub.state.migrate.upgrade`."""
