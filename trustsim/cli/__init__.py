"""The ``trustsim`` command line.

Each command group lives in its own module in this package and registers itself on
:data:`app` when imported; :data:`COMMANDS` names the module of each command. Errors a user
can cause (bad config, missing file, bad flag) exit with status 2 and a message naming the
file and field; nothing is written.

Why commands load lazily (issue 17): a command's module, and what it imports, loads only
when that command is asked for (``trustsim run`` loads :mod:`.deal` alone), and rich only
when something is printed through :data:`console`; ``--help`` loads every command's module
for its help line, nothing more.
"""

from __future__ import annotations

import importlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from typer.core import TyperGroup

from trustsim.atomic import OutputError, describe_os_error, request_stop, stop_requested

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console

#: every command, in the order ``--help`` lists them, and the module (in this package) that
#: defines it; tests/unit/test_cli_imports.py checks it against what the modules register
COMMANDS = {
    "run": "deal", "validate": "deal", "schema": "deal", "events": "deal",
    "audit": "audit", "query": "audit", "report": "audit",
    "stress": "risk", "breakeven": "risk", "montecarlo": "risk",
    "compile": "kernels",
    "pool": "pool",
}
#: modules of this package that add commands to ``app``
COMMAND_MODULES = list(dict.fromkeys(COMMANDS.values()))


def load_commands(*modules: str) -> None:
    """Register the commands of ``modules`` (all of them if none is named) on :data:`app`."""
    for name in modules or COMMAND_MODULES:
        importlib.import_module(f"trustsim.cli.{name}")


def _registered() -> list[Any]:
    return [*app.registered_commands, *app.registered_groups]


def _build(infos: list[Any]) -> dict[str, Any]:
    """The click commands of registered commands and groups, built by typer itself
    (``typer.main.get_group``) with the app's settings."""
    part = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                       rich_markup_mode=app.rich_markup_mode)
    ids = set(map(id, infos))
    part.registered_commands = [i for i in app.registered_commands if id(i) in ids]
    part.registered_groups = [i for i in app.registered_groups if id(i) in ids]
    return dict(typer.main.get_group(part).commands)


class _Commands(TyperGroup):
    """The command group: commands load when asked for; a user-fixable error from any
    command is a message and exit 2.

    Why errors here, once: every command writes through :mod:`trustsim.atomic` and reads
    user files; a refused output, a read-only file system, a full disk or an unreadable
    input must read the same everywhere, and never as a traceback.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._built = set(map(id, _registered()))  # typer built these for the group just now

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands:
            # an unknown name loads every command, so that typer's "Did you mean ...?" sees them
            load_commands(*((COMMANDS[cmd_name],) if cmd_name in COMMANDS else ()))
            new = [i for i in _registered() if id(i) not in self._built]
            self._built.update(map(id, new))
            self.commands.update(_build(new))
        return self.commands.get(cmd_name)

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


def __getattr__(name: str) -> Any:
    """``console`` and ``err_console`` are made on first use (PEP 562): rich costs a command
    that prints nothing (``run --quiet``) a twentieth of a second."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    value = globals()[name] = Console(stderr=name == "err_console")
    return value


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


def fail(message: str) -> typer.Exit:
    """Print a user-fixable error (its text taken literally, never as markup); exit status 2."""
    from rich.markup import escape

    from trustsim.cli import err_console

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


def main() -> None:
    """Console-script entry point."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        app()
    finally:
        if stop_requested():  # even if the signal's exception was swallowed on the way
            raise SystemExit(128 + stop_requested())
