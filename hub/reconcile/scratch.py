"""The scratch index: every system's records, reduced to what a comparison needs, in a throw-away SQLite file.

Holding two million records as dicts would take gigabytes, so each record becomes one row — its
id, its values as one delimited text, its modification time and 64-bit digests of its match keys
(no e-mail or national id in clear) — and the comparison is a sort-merge by hub id that SQLite does
on disk. Values are stored as the system holds them: most records of two systems that agree are
equal as text and need no normalising at all; only values that differ as text are compared again
in their normal forms. Each reader writes its own
file (readers may run in separate processes); :class:`ScratchIndex` attaches them for the join.
The files live in a private temporary folder and are deleted when the reconciliation ends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SEPARATOR", "ScratchIndex", "SystemFile", "join_values", "split_values"]

SEPARATOR = "\x1f"
"""Joins a record's values in the index (the ASCII unit separator: not found in customer data)."""

_PRAGMAS = (
    "PRAGMA journal_mode=OFF",
    "PRAGMA synchronous=OFF",
    "PRAGMA temp_store=FILE",
    "PRAGMA cache_size=-65536",
    "PRAGMA locking_mode=EXCLUSIVE",
)


def join_values(values: Iterable[Any]) -> str:
    """Values as one text: ``None`` as empty, the separator itself replaced by a space."""
    return SEPARATOR.join("" if v is None else str(v).replace(SEPARATOR, " ") for v in values)


def split_values(text: str) -> list[str | None]:
    """Reverse :func:`join_values` (empty values come back as ``None``)."""
    return [part or None for part in text.split(SEPARATOR)]


class SystemFile:
    """One system's records and identity links, written by one reader (system ``number`` of the comparison)."""

    def __init__(self, path: Path, number: int) -> None:
        self.path = path
        self.number = number
        self.db = sqlite3.connect(path)
        for pragma in _PRAGMAS:
            self.db.execute(pragma)
        self.db.execute("CREATE TABLE recs (rid TEXT NOT NULL, vals TEXT NOT NULL, modified TEXT, ref TEXT, "
                        "k_email INTEGER, k_nid INTEGER)")
        self.db.execute("CREATE TABLE links (rid TEXT NOT NULL, hub TEXT NOT NULL, merged INTEGER NOT NULL, "
                        "PRIMARY KEY (rid)) WITHOUT ROWID")
        self.db.execute("CREATE TABLE bad (ref TEXT NOT NULL, code TEXT NOT NULL)")
        self._rows: list[tuple[Any, ...]] = []

    def add(self, rid: str, vals: str, modified: str | None, ref: str, k_email: int | None, k_nid: int | None
            ) -> None:
        rows = self._rows
        rows.append((rid, vals, modified, ref, k_email, k_nid))
        if len(rows) >= 20_000:
            self.flush()

    def clear(self) -> None:
        """Forget every record added (a read starting again from the beginning)."""
        self._rows.clear()
        self.db.execute("DELETE FROM recs")
        self.db.execute("DELETE FROM bad")

    def unreadable(self, ref: str, code: str) -> None:
        self.db.execute("INSERT INTO bad VALUES (?, ?)", (ref, code))

    def add_links(self, links: Iterable[tuple[str, str, int]]) -> None:
        """``(record_id, hub_id, merged)``; the first link of a record id wins, as in the identity map."""
        self.db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?, ?)", links)

    def flush(self) -> None:
        if self._rows:
            self.db.executemany("INSERT INTO recs VALUES (?, ?, ?, ?, ?, ?)", self._rows)
            self._rows.clear()

    def finish(self) -> None:
        """Sort the records by hub id and find dead links, here in the reader (in parallel with the others)."""
        self.flush()
        # A clustered table filled in key order: the comparison merges these sorted runs without sorting again.
        self.db.execute("CREATE TABLE byhub (hub TEXT NOT NULL, rid TEXT NOT NULL, vals TEXT NOT NULL, modified TEXT, "
                        "ref TEXT, merged INTEGER NOT NULL, PRIMARY KEY (hub, rid)) WITHOUT ROWID")
        self.db.execute(
            "INSERT INTO byhub SELECT COALESCE(l.hub, ?) || CASE WHEN l.hub IS NULL THEN r.rid ELSE '' END, "
            "r.rid, r.vals, r.modified, r.ref, COALESCE(l.merged, 0) "
            "FROM recs r LEFT JOIN links l ON l.rid = r.rid ORDER BY 1, 2", (f"~{self.number}:",))
        self.db.execute("CREATE TABLE stale AS SELECT l.rid, l.hub, l.merged FROM links l "
                        "WHERE NOT EXISTS (SELECT 1 FROM byhub b WHERE b.hub = l.hub AND b.rid = l.rid)")
        self.db.execute(
            "CREATE TABLE shared AS "
            "SELECT k_email AS k, group_concat(rid, char(31)) AS rids FROM recs WHERE k_email IS NOT NULL "
            "GROUP BY k_email HAVING count(*) > 1 UNION ALL "
            "SELECT k_nid, group_concat(rid, char(31)) FROM recs WHERE k_nid IS NOT NULL "
            "GROUP BY k_nid HAVING count(*) > 1")
        self.db.commit()
        self.db.close()


class ScratchIndex:
    """The attached system files, queried together. Systems are numbered in the order given."""

    def __init__(self, folder: Path, systems: Sequence[str]) -> None:
        self.folder = folder
        self.systems = list(systems)
        self.db = sqlite3.connect(":memory:")
        for pragma in _PRAGMAS:
            self.db.execute(pragma)
        for number in range(len(self.systems)):
            self.db.execute(f"ATTACH DATABASE ? AS s{number}", (str(self.file_path(number)),))

    def file_path(self, number: int) -> Path:
        return self.folder / f"system{number}.db"

    def close(self) -> None:
        self.db.close()

    def _each(self, template: str) -> str:
        return " UNION ALL ".join(template.format(n=n) for n in range(len(self.systems)))

    def grouped_records(self, low: str | None = None, high: str | None = None
                        ) -> Iterator[tuple[str, int, str, str, str | None, str | None, int]]:
        """Every record as ``(hub, system, record id, values, modified, ref, merged)``, ordered by hub and record id.

        Each system's file is already sorted by its reader; SQLite merges those runs (no second sort:
        ordering by the system number too would make it sort within each hub, at twice the cost).
        A record missing from the identity map has the hub ``~<system>:<record id>``: a group of its own.
        ``low`` ≤ hub < ``high`` limits the walk to a range (each comparing process takes one).
        """
        bounds = [("hub >= ?", low), ("hub < ?", high)]
        where = " AND ".join(condition for condition, value in bounds if value is not None)
        query = self._each("SELECT hub, {n}, rid, vals, modified, ref, merged FROM s{n}.byhub"
                           + (f" WHERE {where}" if where else ""))
        values = [value for _, value in bounds if value is not None] * len(self.systems)
        cursor = self.db.execute(query + " ORDER BY 1, 3", values)
        while rows := cursor.fetchmany(10_000):
            yield from rows

    def stale_links(self) -> list[tuple[int, str, str, int]]:
        """Identity-map links to records a system no longer holds: ``(system, record id, hub, merged)``."""
        return list(self.db.execute(self._each("SELECT {n}, rid, hub, merged FROM s{n}.stale")))

    def shared_keys(self) -> Iterator[tuple[int, int, list[str]]]:
        """Match keys that several records of one system share: ``(system, key, record ids)``."""
        for system, key, rids in self.db.execute(self._each("SELECT {n}, k, rids FROM s{n}.shared")):
            yield system, key, sorted(rids.split("\x1f"))

    def links_of(self, system: int, rids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """``{record id: (hub, merged)}`` of the given records."""
        found: dict[str, tuple[str, int]] = {}
        for start in range(0, len(rids), 500):
            chunk = list(rids[start:start + 500])
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT rid, hub, merged FROM s{system}.links WHERE rid IN ({marks})"
            found.update({rid: (hub, merged) for rid, hub, merged in self.db.execute(query, chunk)})
        return found

    def unreadable(self) -> list[tuple[int, str, str]]:
        """Records a system yielded as unparseable: ``(system, ref, code)``."""
        return list(self.db.execute(self._each("SELECT {n}, ref, code FROM s{n}.bad")))

    def counts(self) -> list[int]:
        """Records read per system."""
        return [int(self.db.execute(f"SELECT count(*) FROM s{n}.recs").fetchone()[0])
                for n in range(len(self.systems))]
