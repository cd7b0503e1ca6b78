"""Configuration of the ``sql`` connector, and the SQLAlchemy URL it connects with."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from pydantic import Field, SecretStr, field_validator, model_validator

from hub.connectors.api import ConnectorConfig
from hub.errors import ConfigError, register_secret

# Plain schemes people write, and the driver crmhub ships for each.
_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
_READ_ONLY_START = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(select|with)\b", re.IGNORECASE | re.DOTALL)


class SqlConfig(ConnectorConfig):
    """Where the table lives and which columns carry the id and the change timestamp."""

    url: str = Field(description="SQLAlchemy URL: sqlite:///file.db, postgresql://…, mysql://…, mariadb://…")
    password: SecretStr | None = Field(None, description="merged into the URL; keeps the URL itself secret-free")
    table: str = Field("contacts", min_length=1, description="table to read and write")
    query: str | None = Field(None, description="a read-only SELECT used as the source instead of the table")
    stream: str = Field("contacts", min_length=1, description="stream name this connection provides")
    id_column: str = Field("id", min_length=1)
    updated_at_column: str | None = Field("updated_at", description="change timestamp; none: read by id only")
    db_schema: str | None = Field(None, alias="schema", description="database schema (PostgreSQL, MariaDB)")
    create_table: bool = Field(True, description="create the table with canonical columns when it is absent")
    page_size: int = Field(5000, ge=1, le=100_000, description="rows per keyset page and checkpoint")
    overlap_seconds: float = Field(
        0, ge=0, description="re-read this window before the cursor on resume, for late-committing writers"
    )
    reread_null_updated_at: bool = Field(
        True, description="re-read rows whose updated_at is NULL on every run (they cannot be tracked)"
    )

    @field_validator("query")
    @classmethod
    def _single_select(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip().rstrip(";").strip()
        if not _READ_ONLY_START.match(text) or ";" in text:
            raise ValueError("query must be one read-only SELECT (or WITH … SELECT) statement")
        return text

    @model_validator(mode="after")
    def _url_parses(self) -> SqlConfig:
        try:
            sa.engine.make_url(self.url)
        except sa.exc.ArgumentError:
            raise ValueError("url is not a SQLAlchemy URL (e.g. sqlite:///crm.db, postgresql://user@host/db)") from None
        return self


def engine_url(config: SqlConfig, base_dir: Path | None) -> sa.URL:
    """The URL to connect with: driver chosen, password merged, relative SQLite paths made absolute.

    Every password seen is registered as a secret so that no message can carry it.
    """
    try:
        url = sa.engine.make_url(config.url)
    except sa.exc.ArgumentError:
        raise ConfigError("url is not a SQLAlchemy URL") from None
    register_secret(url.password if isinstance(url.password, str) else None)
    if config.password is not None:
        secret = config.password.get_secret_value()
        register_secret(secret)
        url = url.set(password=secret)
    driver = _DRIVERS.get(url.drivername)
    if driver:
        url = url.set(drivername=driver)
    backend = url.get_backend_name()
    if backend in ("mysql", "mariadb") and "charset" not in url.query:
        # Without utf8mb4 a MySQL connection mangles İ/ş/ğ outside the BMP-safe subset and every emoji.
        url = url.update_query_dict({"charset": "utf8mb4"})
    if backend == "sqlite" and url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        path = Path(url.database)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        url = url.set(database=str(path.resolve()))
    return url


def display_url(url: sa.URL) -> str:
    """The URL as messages may show it: never with its password."""
    return url.render_as_string(hide_password=True)
