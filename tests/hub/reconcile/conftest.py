"""Two fake systems after a migration, and helpers to reconcile them through a hub session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.app import open_hub
from hub.reconcile import ReconcileOutcome, Reconciler, ReconcileRequest
from hub.testing import put_records, run_migration, write_config


def person(n: int, **extra: Any) -> dict[str, Any]:
    """A valid canonical contact, numbered, with a Turkish name and a phone spelled the local way."""
    return {"first_name": "Çağla", "last_name": f"Yılmaz{n}", "email": f"cagla{n}@example.com.tr",
            "mobile": "0532 123 45 67", "address.city": "İzmir", "address.country": "TR",
            "consent.email": "granted", **extra}


def make_config(folder: Path, **pipeline: Any) -> Path:
    return write_config(folder, {
        "src": {"connector": "fake", "store": "src", "page_size": 7},
        "dst": {"connector": "fake", "store": "dst", "classification": "sales"},
    }, pipelines={"src-to-dst": {"source": "src", "target": "dst", "deletes": "propagate", **pipeline}})


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """``src`` with 20 people migrated into ``dst``: the two systems agree."""
    config = make_config(tmp_path)
    put_records("src", "contacts", {f"s{n}": person(n) for n in range(20)})
    summary = run_migration(config, "src", "dst", pipeline="src-to-dst")
    assert summary["created"] == 20
    return config


def reconcile(config: Path, **options: Any) -> ReconcileOutcome:
    options.setdefault("report_dir", config.parent / "report")
    with open_hub(config) as session:
        return Reconciler(session).run(ReconcileRequest(systems=["src", "dst"], **options))
