"""Throughput of the sql connector on SQLite: bulk insert, idempotent re-write, update, and incremental read.

Usage: ``.venv/bin/python bench/bench_sql.py [rows] [batch]`` (defaults 200000, the connector's batch size).
Prints rows/s per phase. Rows carry ~20 canonical fields, like a typical CRM export.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hub.connectors.api import ConnectorContext
from hub.connectors.sql import SqlConfig, SqlConnector
from hub.records import SourceRecord, WriteRequest


def make_requests(count: int, generation: int = 0) -> list[WriteRequest]:
    """``count`` contacts with string values, as a CSV source would hand them over."""
    return [
        WriteRequest(key=f"hub-{i:08d}", fields={
            "first_name": f"İlkay{i % 977}", "last_name": f"Şahin{generation}", "email": f"user{i}@example.com.tr",
            "phone": f"+90532{i:07d}", "mobile": f"+90533{i:07d}", "company": f"Firma {i % 5000} A.Ş.",
            "job_title": "Satın Alma Müdürü", "address.street": f"Atatürk Cd. No:{i % 300}",
            "address.city": "İstanbul", "address.postcode": "34000", "address.region": "Marmara",
            "address.country": "TR", "birth_date": "1985-04-12", "national_id.type": "TCKN",
            "national_id.value": f"{10000000000 + i}", "language": "tr", "lifecycle_stage": "customer",
            "consent.email": "granted", "consent.processing_restricted": "false",
            "created_at": "2024-01-05T10:00:00+03:00", "custom.segment": "KOBİ",
        })
        for i in range(count)
    ]


TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "job_title", "address.street",
               "address.city", "address.postcode", "address.country", "language", "lifecycle_stage")


def text_only(requests: list[WriteRequest]) -> list[WriteRequest]:
    """The same contacts with their 12 text fields only: the cost of the SQL path without type conversions."""
    return [WriteRequest(key=r.key, fields={k: r.fields[k] for k in TEXT_FIELDS}) for r in requests]


def timed(label: str, rows: int, action: Callable[[], None]) -> None:
    """Run ``action`` and print wall-clock and CPU throughput (CPU time is what a shared machine can't skew)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<24} {rows:>9,} rows  wall {wall:6.2f} s {rows / wall:>9,.0f}/s   cpu {cpu:6.2f} s "
          f"{rows / cpu:>9,.0f}/s")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else SqlConnector.write_batch_size
    with tempfile.TemporaryDirectory() as tmp:
        sql = SqlConnector(SqlConfig(url="sqlite:///bench.db"), ConnectorContext("bench", Path(tmp)))
        sql.open()
        requests = make_requests(rows)
        changed = make_requests(rows, generation=1)

        def write_all(reqs: list[WriteRequest], expect: str, into: SqlConnector = sql) -> None:
            for start in range(0, len(reqs), batch):
                results = into.write("contacts", reqs[start:start + batch])
                assert all(r.outcome.value == expect for r in results), results[0]

        def read_all() -> None:
            count = sum(1 for item in sql.read("contacts", None) if isinstance(item, SourceRecord))
            assert count == rows, count

        print(f"SQLite, {rows:,} contacts x 21 fields, batches of {batch}, {dt.date.today()}")
        timed("insert (created)", rows, lambda: write_all(requests, "created"))
        timed("re-write (unchanged)", rows, lambda: write_all(requests, "unchanged"))
        timed("update (updated)", rows, lambda: write_all(changed, "updated"))
        timed("read (keyset pages)", rows, read_all)
        sql.close()
        text = SqlConnector(SqlConfig(url="sqlite:///text.db"), ConnectorContext("bench", Path(tmp)))
        slim = text_only(requests)
        timed("insert, 12 text fields", rows, lambda: write_all(slim, "created", text))
        text.close()


if __name__ == "__main__":
    main()
