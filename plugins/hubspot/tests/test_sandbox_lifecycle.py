"""Starting the sandbox: `crmhub sandbox hubspot`, persistence across restarts, HTTPS with a test CA."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hub.plugins import PluginHost
from hub.records import WriteOutcome, WriteRequest

from .conftest import ConnectorFactory, SandboxFactory


def test_cli_prints_one_json_line_a_connection_can_use(make_connector: ConnectorFactory, tmp_path: Path) -> None:
    env = {**os.environ, "CRMHUB_BLOCK_PLUGINS": "zoho,salesforce"}
    child = subprocess.Popen([sys.executable, "-m", "hub", "sandbox", "hubspot", "--data", str(tmp_path)],
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        printed = json.loads(child.stdout.readline())
        assert set(printed) == {"url", "token", "ca_file"}
        assert printed["ca_file"] is None
        running = type("Printed", (), printed)
        connector = make_connector(running)  # type: ignore[arg-type]
        assert connector.check().ok
        assert connector.write("contacts", [WriteRequest("k", {"email": "cli@example.com"})])[0].outcome \
            == WriteOutcome.CREATED
    finally:
        child.terminate()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert (tmp_path / "state.json").exists()


def test_registered_through_the_plugin_host() -> None:
    host = PluginHost.start(environ={"CRMHUB_BLOCK_PLUGINS": "zoho,salesforce"})
    assert "hubspot" in host.connectors.names()
    assert "hubspot" in host.sandboxes.names()
    assert host.connectors.get("hubspot").default_mapping == "hubspot"


def test_records_survive_a_restart_on_the_same_data_dir(make_sandbox: SandboxFactory,
                                                        make_connector: ConnectorFactory, tmp_path: Path) -> None:
    first = make_sandbox(data_dir=tmp_path / "portal")
    connector = make_connector(first)
    connector.write("companies", [WriteRequest("co", {"name": "Kalıcı A.Ş."})])
    connector.write("contacts", [WriteRequest("p", {"email": "kalici@example.com", "company_key": "co"})])
    with first.store.lock:
        first.store.purge("contacts", first.store.find("contacts", "email", "kalici@example.com"))  # type: ignore[arg-type]
        first.store.blocked_emails.discard("kalici@example.com")
    connector.write("contacts", [WriteRequest("q", {"email": "ikinci@example.com", "company_key": "co"})])
    first.stop()

    second = make_sandbox(data_dir=tmp_path / "portal")
    later = make_connector(second)
    found = later.lookup("contacts", ["p", "q"])
    assert set(found) == {"q"}
    assert found["q"]["company_key"] == "co"
    assert second.store.portal("contacts").next_id > int(found["q"]["hs_object_id"])


def test_https_with_a_trustme_ca(make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(tls=True)
    assert sandbox.url.startswith("https://")
    assert sandbox.ca_file is not None
    assert Path(sandbox.ca_file).read_text().startswith("-----BEGIN CERTIFICATE-----")
    connector = make_connector(sandbox)
    assert connector.write("contacts", [WriteRequest("t", {"email": "tls@example.com"})])[0].outcome \
        == WriteOutcome.CREATED


def test_untrusted_certificate_is_fatal(make_sandbox: SandboxFactory, make_connector: ConnectorFactory) -> None:
    sandbox = make_sandbox(tls=True)
    connector = make_connector(sandbox, ca_file=None)
    result = connector.check()
    assert not result.ok
    assert any("TLS" in p for p in result.problems)
