"""``crmhub init`` (a commented configuration), ``crmhub sandbox NAME``, ``crmhub config-schema``."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
import yaml

from hub.app import start_plugins
from hub.cli.common import EXIT_USAGE, fail, out, print_json, reported_errors
from hub.config import HubSettings
from hub.sandbox import SandboxOptions

TEMPLATE = """\
# crmhub configuration. Reference: README.md ("Configuration").
# Secrets never go in this file: write ${env:NAME} or ${keyring:SERVICE/NAME} where a secret is needed.

# Where crmhub keeps runs, checkpoints, the identity map, the quarantine and the audit log.
# Embedded default: a SQLite file beside this configuration. Production: postgresql://user@host/db
state: sqlite:///.crmhub/state.db

connections:
  # A legacy export. Canonical headers (first_name, email, address.city, …) need no mapping;
  # encoding (UTF-8, Windows-1254, ISO-8859-9) and delimiter are detected.
  legacy:
    connector: csv
    path: customers.csv
    # mapping: my-export        # mappings/my-export.yaml, for non-canonical headers
    classification: storage     # marketing | sales | support | accounting | storage | analytics

  # A SQL database; the table is created with canonical columns when it does not exist.
  warehouse:
    connector: sql
    url: "sqlite:///customers.db"
    table: contacts
    # password: ${env:WAREHOUSE_DB_PASSWORD}

pipelines:
  legacy-to-warehouse:
    source: legacy
    target: warehouse
    streams: [contacts]
    # purposes: [sales]         # what the target uses the data for; consent rules check it
    # batch_size: 1000          # default: the target connector's preferred write size, at least 1,000
"""


def init(
    path: Annotated[Path, typer.Option("--path", help="where to write the file")] = Path("crmhub.yaml"),
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a commented crmhub.yaml to start from."""
    if path.exists() and not force:
        fail(f"{path} exists; pass --force to overwrite it", EXIT_USAGE)
    path.write_text(TEMPLATE, encoding="utf-8")
    out.print(f"wrote {path}; next: crmhub check --config {path}", markup=False)


def config_schema() -> None:
    """Print the JSON Schema of crmhub.yaml (for editors and CI linting)."""
    print_json(HubSettings.model_json_schema())


def sandbox(
    name: Annotated[str, typer.Argument(help="sandbox name, e.g. salesforce, hubspot, zoho")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0: any free port)")] = 0,
    data: Annotated[Path | None, typer.Option("--data", help="folder that keeps the sandbox's records")] = None,
    setting: Annotated[list[str] | None, typer.Option(
        "--set", help="a sandbox setting as KEY=VALUE (limits, fault injection; see the plugin's README)")] = None,
) -> None:
    """Start a vendor sandbox on 127.0.0.1; print {"url", "token", "ca_file"} once listening; serve until stopped."""
    settings = {}
    for item in setting or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--set takes KEY=VALUE, not {item!r}", EXIT_USAGE)
        settings[key.strip()] = yaml.safe_load(value)
    with reported_errors():
        starter = start_plugins().sandboxes.get(name)
        running = starter(SandboxOptions(port=port, data_dir=data, settings=settings))
    print_json({"url": running.url, "token": running.token, "ca_file": running.ca_file})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


