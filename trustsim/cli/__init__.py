"""The ``trustsim`` command line.

Each command group lives in its own module in this package and registers itself on
:data:`app` when imported; :data:`COMMAND_MODULES` lists them. Errors a user can cause
(bad config, missing file, bad flag) exit with status 2 and a message naming the file
and field; nothing is written.
"""

from __future__ import annotations

import importlib
import signal
from pathlib import Path

import typer
from rich.console import Console
from typer.core import TyperGroup

from trustsim.atomic import OutputError, describe_os_error, request_stop, stop_requested


class _Commands(TyperGroup):
    """The command group: a user-fixable error from any command is a message and exit 2.

    Why here, once: every command writes through :mod:`trustsim.atomic` and reads user
    files; a refused output, a read-only file system, a full disk or an unreadable input
    must read the same everywhere, and never as a traceback.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OutputError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(describe_os_error(exc)) from None
        except RecursionError:
            raise fail("an input is nested too deeply to read (is it a valid file?)") from None


app = typer.Typer(
    cls=_Commands,
    name="trustsim",
    help="Simulate how a securitization trust is administered, day by day: run a deal file, "
         "audit its event log, report on it, and study its risks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: typer's rich one loads markdown-it and pygments (~35 ms)
)
console = Console()
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"trustsim {version('trustsim')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="print trustsim's version and exit"),
) -> None:
    """Simulate how a securitization trust is administered, day by day: run a deal file,
    audit its event log, report on it, and study its risks."""

#: modules of this package that add commands to ``app``
COMMAND_MODULES = ["deal", "audit", "risk", "pool", "kernels"]


def fail(message: str) -> typer.Exit:
    """Print a user-fixable error (its text taken literally, never as markup); exit status 2."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def output_path(value: str | Path) -> Path:
    """The ``parser`` of every output option: an empty path is refused, not read as ``.``."""
    if isinstance(value, Path):
        return value
    if not value.strip():
        raise typer.BadParameter("expected a path, got an empty string")
    return Path(value)


def _terminate(signum: int, _frame: object) -> None:
    """SIGTERM/SIGHUP unwind like Ctrl-C: every open output's temporary is removed."""
    request_stop(signum)
    raise SystemExit(128 + signum)


for _name in COMMAND_MODULES:
    importlib.import_module(f"trustsim.cli.{_name}")


def main() -> None:
    """Console-script entry point."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        app()
    finally:
        if stop_requested():  # even if the signal's exception was swallowed on the way
            raise SystemExit(128 + stop_requested())
