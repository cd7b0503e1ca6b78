"""Reading a system for a reconciliation through a connector's snapshot: a failure part-way reads again from nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from hub.connectors.api import Capability, ConnectorContext
from hub.engine.retry import RetryPolicy
from hub.errors import RetriableError
from hub.mapping.canonical import CanonicalStreamMapping
from hub.reconcile.scratch import SEPARATOR, SystemFile
from hub.reconcile.snapshot import read_system
from hub.records import SourceRecord
from hub.testing import FakeConfig, FakeConnector, put_records


class SnapshotFake(FakeConnector):
    """The fake system with snapshots that break once after ``fail_read_after`` records."""

    capabilities: ClassVar[frozenset[Capability]] = FakeConnector.capabilities | {Capability.SNAPSHOT}
    snapshots = 0

    def snapshot(self, stream: str) -> Iterator[SourceRecord]:
        type(self).snapshots += 1
        for count, (key, fields) in enumerate(sorted(self.data.get(stream, {}).items())):
            if self.config.fail_read_after and not self._read_failed and count >= self.config.fail_read_after:
                self._read_failed = True
                raise RetriableError("connection reset while reading")
            yield SourceRecord(key, {k: v for k, v in fields.items() if not k.startswith("_")}, f"fake {key}")


def test_a_snapshot_broken_part_way_is_read_again_and_each_record_counted_once(tmp_path: Path) -> None:
    put_records("snap", "contacts", {f"k{n}": {"first_name": f"Işıl{n}", "email": f"i{n}@example.com.tr"}
                                     for n in range(10)})
    connector = SnapshotFake(FakeConfig(store="snap", fail_read_after=6), ConnectorContext("snap", tmp_path))
    connector.open()
    out = SystemFile(tmp_path / "system0.db", 0)

    read = read_system(connector, CanonicalStreamMapping("contacts"), ["first_name", "email"], out,
                       RetryPolicy(initial_wait=0.0, max_wait=0.0))
    out.finish()

    assert SnapshotFake.snapshots == 2
    assert read.records == 10
    rows = sqlite3.connect(out.path).execute("SELECT rid, vals FROM recs ORDER BY rid").fetchall()
    assert rows == sorted((f"k{n}", f"Işıl{n}{SEPARATOR}i{n}@example.com.tr") for n in range(10))
