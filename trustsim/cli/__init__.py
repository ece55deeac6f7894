"""The ``trustsim`` command line.

Each command group lives in its own module in this package and registers itself on
:data:`app` when imported; :data:`COMMAND_MODULES` lists them. Errors a user can cause
(bad config, missing file, bad flag) exit with status 2 and a message naming the file
and field; nothing is written.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

app = typer.Typer(
    name="trustsim",
    help="Simulate how the Dongdao No. 3 JD Baitiao ABCP trust (or another deal) is administered.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

#: modules of this package that add commands to ``app``
COMMAND_MODULES = ["deal", "audit", "risk", "pool"]


class UserError(Exception):
    """An error the user can fix; printed without a traceback, exit status 2."""


def fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


for _name in COMMAND_MODULES:
    importlib.import_module(f"trustsim.cli.{_name}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except UserError as exc:  # pragma: no cover - commands convert their own
        err_console.print(f"error: {exc}")
        sys.exit(2)
