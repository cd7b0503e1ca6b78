"""What every command shares: the config option, the consoles, error reporting, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from hub.app import HubSession, open_hub
from hub.config import find_config
from hub.errors import ConfigError, CrmhubError, FatalError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="configuration file (default: $CRMHUB_CONFIG or ./crmhub.yaml)",
                 show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print the result as one JSON object on the last line")]

EXIT_FAILED = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


@contextmanager
def session(config: Path | None) -> Iterator[HubSession]:
    """Open the hub on the chosen configuration; errors become a clear message and an exit code."""
    path = find_config(config)
    if not path.exists():
        fail(f"no configuration at {path}: run `crmhub init` or pass --config", EXIT_USAGE)
    with reported_errors(), open_hub(path) as hub:
        yield hub


@contextmanager
def reported_errors() -> Iterator[None]:
    try:
        yield
    except ConfigError as exc:
        err.print("[bold red]configuration error:[/] ", end="", markup=True)
        err.print(exc.public_message, markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    except FatalError as exc:
        fail(exc.public_message)
    except CrmhubError as exc:
        fail(exc.public_message)


def print_json(data: Any) -> None:
    """One JSON object on one line: the last line of stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
