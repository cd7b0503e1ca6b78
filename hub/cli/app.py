"""The ``crmhub`` command line."""

from __future__ import annotations

import logging
import os

import typer

from hub.cli import inspect_commands, quarantine_commands, reconcile_commands, run_commands, setup_commands
from hub.cli.consent_commands import consent_app
from hub.cli.demo_command import demo
from hub.cli.gdpr_commands import gdpr_app
from hub.cli.identity_commands import dedup, review_app, unmerge

app = typer.Typer(
    name="crmhub",
    help="Move and reconcile customer data between CRMs, accounting, ERP, files and SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(setup_commands.init)
app.command("config-schema")(setup_commands.config_schema)
app.command()(inspect_commands.connectors)
app.command()(inspect_commands.check)
app.command()(inspect_commands.discover)
app.command()(run_commands.migrate)
app.command()(run_commands.sync)
app.command()(reconcile_commands.reconcile)
app.command()(reconcile_commands.conflicts)
app.command()(demo)
app.command()(setup_commands.sandbox)
app.add_typer(inspect_commands.runs_app, name="runs")
app.add_typer(quarantine_commands.quarantine_app, name="quarantine")
app.add_typer(inspect_commands.audit_app, name="audit")
app.add_typer(consent_app, name="consent")
app.add_typer(gdpr_app, name="gdpr")
app.command()(dedup)
app.command()(unmerge)
app.add_typer(review_app, name="review")


def main() -> None:
    """Entry point of the console script."""
    from hub.logs import configure_logging

    configure_logging(os.environ.get("CRMHUB_LOG_LEVEL", "WARNING"))
    logging.captureWarnings(True)
    app()
