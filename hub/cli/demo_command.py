"""``crmhub demo``: the whole product on bundled sample data, nothing to set up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import EXIT_FAILED, JsonOption, out, print_json, reported_errors
from hub.cli.run_commands import show_summary


def demo(
    folder: Annotated[Path, typer.Option("--dir", help="where the demo writes its files")] = Path("crmhub-demo"),
    records: Annotated[int, typer.Option(help="how many customers to generate")] = 3000,
    seed: Annotated[int, typer.Option(help="random seed of the generated data")] = 7,
    crm: Annotated[bool, typer.Option("--crm/--no-crm", help="also migrate into each installed CRM sandbox")] = True,
    as_json: JsonOption = False,
) -> None:
    """Generate a messy Turkish legacy export (Windows-1254), migrate it into SQLite, then re-run it."""
    from hub.demo.run import run_demo

    with reported_errors():
        result = run_demo(folder.resolve(), records=records, seed=seed, crm=crm)
    if as_json:
        print_json(result.as_dict())
    else:
        out.print(f"[bold]crmhub demo[/] — {records:,} generated customers in {result.folder / 'customers.csv'} "
                  f"(Windows-1254, ';'-separated, Turkish headers)")
        out.print("planted problems: " + ", ".join(f"{k} {v}" for k, v in sorted(result.planted.kinds.items())),
                  markup=False)
        out.print("\n[bold]1. migration[/] legacy export → SQLite (warehouse.db)")
        show_summary(result.first, False)
        out.print("\n[bold]2. the same migration again[/] (--restart: everything re-read)")
        show_summary(result.rerun, False)
        for number, leg in enumerate(result.legs, start=3):
            out.print(f"\n[bold]{number}. warehouse → {leg.connector} sandbox[/] (its real SDK against a local server)")
            show_summary(leg.first, False)
            out.print("[bold]   and again[/] (--restart)")
            show_summary(leg.rerun, False)
        out.print(f"\nquarantine: crmhub quarantine list --config {result.config}", markup=False)
        out.print(f"runs:       crmhub runs --config {result.config}", markup=False)
        out.print(f"audit:      crmhub audit verify --config {result.config}", markup=False)
    if not result.succeeded:
        raise typer.Exit(EXIT_FAILED)
