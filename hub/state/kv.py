"""Encrypted key-value entries by namespace: OAuth tokens, SDK sessions, small connector state."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from hub.state.keys import StoreKeys
from hub.state.schema import kv, utcnow

__all__ = ["delete_value", "get_value", "set_value"]


def get_value(conn: Connection, keys: StoreKeys, namespace: str, key: str) -> str | None:
    query = select(kv.c.value).where(kv.c.namespace == namespace, kv.c.key == key)
    stored = conn.execute(query).scalar_one_or_none()
    return None if stored is None else keys.decrypt(stored).decode("utf-8")


def set_value(conn: Connection, keys: StoreKeys, namespace: str, key: str, value: str) -> None:
    values = {"namespace": namespace, "key": key, "value": keys.encrypt(value.encode("utf-8")), "updated_at": utcnow()}
    changed = {"value": values["value"], "updated_at": values["updated_at"]}
    index = [kv.c.namespace, kv.c.key]
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(kv).values(values).on_conflict_do_update(index_elements=index, set_=changed))
    else:
        conn.execute(sqlite.insert(kv).values(values).on_conflict_do_update(index_elements=index, set_=changed))


def delete_value(conn: Connection, namespace: str, key: str) -> None:
    conn.execute(delete(kv).where(kv.c.namespace == namespace, kv.c.key == key))
