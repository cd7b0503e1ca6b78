"""Whole runs through the engine: OAuth tokens expiring mid-run, a run held to its tier's rate, HubSpot as a source."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from crmhub_hubspot import limits as client_limits
from crmhub_hubspot.limits import forget_limiters
from crmhub_hubspot.sandbox import HubSpotSandbox
from crmhub_hubspot.sandbox import limits as sandbox_limits

from hub.testing import run_migration, write_config

from .conftest import SandboxFactory
from .migration_data import hubspot_connection, live, write_contacts


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.01")
    monkeypatch.setenv("CRMHUB_BLOCK_PLUGINS", "zoho,salesforce")


def test_oauth_tokens_expiring_mid_run(tmp_path: Path, make_sandbox: SandboxFactory,
                                       monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sandbox = make_sandbox(token_lifetime_s=1, latency_ms=40)
    monkeypatch.setenv("HS_CLIENT_SECRET", sandbox.oauth_client_secret)
    monkeypatch.setenv("HS_REFRESH_TOKEN", sandbox.oauth_refresh_token)
    write_contacts(tmp_path / "contacts.csv", 2000, [])
    hubspot = hubspot_connection(sandbox, oauth_client_id=sandbox.oauth_client_id,
                                 oauth_client_secret="${env:HS_CLIENT_SECRET}",
                                 oauth_refresh_token="${env:HS_REFRESH_TOKEN}")
    del hubspot["token"]
    config = write_config(tmp_path / "hub", {"people": {"connector": "csv", "path": str(tmp_path / "contacts.csv")},
                                             "hubspot": hubspot})
    revoke = threading.Timer(0.6, lambda: [setattr(t, "expires_at", 0.0) for t in sandbox.tokens._tokens.values()
                                           if t.expires_at is not None])
    revoke.start()  # HubSpot also drops a token early, mid-run: the 401 is retried with a fresh one
    summary = run_migration(config, "people", "hubspot", workers=1)
    revoke.join()
    assert summary["status"] == "succeeded", summary
    assert summary["created"] == 2000
    assert sandbox.tokens.refreshes >= 3
    assert len(live(sandbox, "contacts")) == 2000
    blob = "\n".join(r.getMessage() for r in caplog.records)
    issued = [t for t, i in sandbox.tokens._tokens.items() if i.expires_at is not None]
    assert not [t for t in [*issued, sandbox.oauth_refresh_token, sandbox.oauth_client_secret] if t in blob]


@pytest.mark.parametrize("tier", [("starter", 10), ("pro", 19)])
def test_a_run_at_the_tier_limit_finishes_without_a_429(tmp_path: Path, make_sandbox: SandboxFactory,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        tier: tuple[str, int]) -> None:
    name, per_second = tier
    # HubSpot's window is ten seconds; a one-second window with a tenth of the allowance keeps the test short.
    monkeypatch.setattr(client_limits, "TEN_SECONDS", 1.0)
    monkeypatch.setattr(sandbox_limits, "TEN_SECONDS", 1.0)
    forget_limiters()
    sandbox = make_sandbox(requests_per_10s=per_second, search_per_second=5)
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    write_contacts(tmp_path / "contacts.csv", 4000, [])
    config = write_config(tmp_path / "hub", {
        "people": {"connector": "csv", "path": str(tmp_path / "contacts.csv")},
        "hubspot": hubspot_connection(sandbox, tier=name, requests_per_10s=per_second),
    })
    summary = run_migration(config, "people", "hubspot", workers=1)
    assert summary["status"] == "succeeded", summary
    assert summary["created"] == 4000
    assert sandbox.limits.rejected == 0


def test_hubspot_to_sqlite_incremental_sync_with_deletes(tmp_path: Path, sandbox: HubSpotSandbox,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_SANDBOX_TOKEN", sandbox.token)
    with sandbox.store.lock:
        made = [sandbox.store.create("contacts", {"email": f"h{i}@example.com", "firstname": "Gülşen",
                                                  "lastname": f"Aydın {i}", "city": "Muğla"}) for i in range(120)]
    db = tmp_path / "warehouse.db"
    config = write_config(tmp_path / "hub", {
        "hubspot": hubspot_connection(sandbox, overlap_s=0),
        "warehouse": {"connector": "sql", "url": f"sqlite:///{db}", "table": "contacts"},
    }, pipelines={"hubspot-to-warehouse": {"source": "hubspot", "target": "warehouse", "streams": ["contacts"],
                                           "deletes": "propagate", "workers": 1}})
    first = run_migration(config, "hubspot", "warehouse", pipeline="hubspot-to-warehouse")
    assert first["status"] == "succeeded", first
    assert first["created"] == 120
    with sandbox.store.lock:
        sandbox.store.update("contacts", made[5], {"jobtitle": "Müdür", "city": "İzmir"})
        sandbox.store.archive("contacts", made[9])
    second = run_migration(config, "hubspot", "warehouse", pipeline="hubspot-to-warehouse")
    assert second["status"] == "succeeded", second
    assert (second["read"], second["updated"], second["deleted"]) == (1, 1, 1), second
    with sqlite3.connect(db) as conn:
        cities = dict(conn.execute('SELECT email, address__city FROM contacts').fetchall())
    assert cities["h5@example.com"] == "İzmir"
    assert "h9@example.com" not in cities
    assert len(cities) == 119
