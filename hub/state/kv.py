"""Encrypted key-value entries by namespace: OAuth tokens, SDK sessions, small connector state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from hub.state.keys import StoreKeys
from hub.state.schema import kv, utcnow

__all__ = ["delete_value", "delete_values", "get_value", "get_values", "set_value", "set_values"]

_IN_CHUNK = 500
"""Keys per ``WHERE key IN (…)``: well under every backend's bound-parameter limit."""


def get_value(conn: Connection, keys: StoreKeys, namespace: str, key: str) -> str | None:
    query = select(kv.c.value).where(kv.c.namespace == namespace, kv.c.key == key)
    stored = conn.execute(query).scalar_one_or_none()
    return None if stored is None else keys.decrypt(stored).decode("utf-8")


def get_values(conn: Connection, keys: StoreKeys, namespace: str, names: Sequence[str]) -> dict[str, str]:
    """``{key: value}`` of the given keys that have a value, a query per few hundred keys."""
    unique = list(dict.fromkeys(names))
    found: dict[str, str] = {}
    for start in range(0, len(unique), _IN_CHUNK):
        query = select(kv.c.key, kv.c.value).where(kv.c.namespace == namespace,
                                                   kv.c.key.in_(unique[start:start + _IN_CHUNK]))
        for key, stored in conn.execute(query):
            found[key] = keys.decrypt(stored).decode("utf-8")
    return found


def set_values(conn: Connection, keys: StoreKeys, namespace: str, values: Mapping[str, str]) -> None:
    """Store many values of one namespace in one statement (the driver's ``executemany``)."""
    if not values:
        return
    now = utcnow()
    rows = [{"namespace": namespace, "key": key, "value": keys.encrypt(value.encode("utf-8")), "updated_at": now}
            for key, value in values.items()]
    insert = postgresql.insert(kv) if conn.dialect.name == "postgresql" else sqlite.insert(kv)
    conn.execute(insert.on_conflict_do_update(
        index_elements=[kv.c.namespace, kv.c.key],
        set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at}), rows)


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


def delete_values(conn: Connection, namespace: str, names: Sequence[str]) -> None:
    """Delete many keys of one namespace, a statement per few hundred keys."""
    unique = list(dict.fromkeys(names))
    for start in range(0, len(unique), _IN_CHUNK):
        conn.execute(delete(kv).where(kv.c.namespace == namespace, kv.c.key.in_(unique[start:start + _IN_CHUNK])))
