"""A rep-line command starts fast: it imports none of the heavy packages (issue 17).

numba, llvmlite and pyarrow serve the loan-level pool, duckdb the audit, dask the cluster
engine, matplotlib the plots; loading them costs a rep-line ``trustsim run`` (about 0.1 s of
simulation) several tenths of a second. Lighter ones count too at that scale: rich (a
twentieth of a second) loads only to print, structlog's package (its dev console, rich
tracebacks, asyncio) not at all, and a command loads its own module of ``trustsim.cli`` only.
"""

from __future__ import annotations

import pytest

from tests.support.imports import heavy_modules

DEAL = "configs/deals/dongdao3_2020_1.yaml"


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["schema"],
    ["validate", DEAL],
    ["validate", DEAL, "--scenario", "servicer_insolvency_commingling"],
], ids=["help", "schema", "validate", "validate-scenario"])
def test_rep_line_commands_import_no_heavy_package(argv, tmp_path):
    code, heavy = heavy_modules(argv, tmp_path)
    assert code == 0
    assert heavy == []


def test_rep_line_run_imports_no_heavy_package(tmp_path):
    code, heavy = heavy_modules(["run", DEAL, "--quiet", "--out", str(tmp_path / "run")], tmp_path)
    assert code == 0 and (tmp_path / "run" / "events.jsonl").is_file()
    assert heavy == []


def test_rep_line_run_does_not_load_numpy(tmp_path):
    """A rep-line pool draws no random stream: numpy (a twentieth of a second) waits for a
    loan-level pool or a risk study."""
    code, loaded = heavy_modules(["run", DEAL, "--quiet", "--out", str(tmp_path / "run")], tmp_path,
                                 watch=("numpy",))
    assert code == 0 and (tmp_path / "run" / "events.jsonl").is_file()
    assert loaded == []


def test_help_does_not_load_pydantic(tmp_path):
    """--help lists commands and flags: the deal's models (pydantic, a tenth of a second) wait
    for a command that reads a deal."""
    code, loaded = heavy_modules(["--help"], tmp_path, watch=("pydantic", "numpy", "structlog", "yaml"))
    assert code == 0
    assert loaded == []


def test_quiet_run_loads_no_other_command(tmp_path):
    """Of the command modules, ``run --quiet`` loads only ``trustsim.cli.deal`` (run's), not
    the audit's, the risk studies' or the pool's; the event log's writer is structlog's."""
    code, loaded = heavy_modules(["run", DEAL, "--quiet", "--out", str(tmp_path / "run")], tmp_path,
                                 watch=("structlog", "trustsim.cli.audit", "trustsim.cli.risk",
                                        "trustsim.cli.pool", "trustsim.cli.kernels", "trustsim.cli.deal"))
    assert code == 0 and (tmp_path / "run" / "events.jsonl").is_file()
    assert loaded == ["structlog", "trustsim.cli.deal"]


def test_help_loads_no_rich(tmp_path):
    """--help is click's plain help: no rich, though every command's module loads for its line."""
    code, loaded = heavy_modules(["--help"], tmp_path, watch=("rich", "structlog", "trustsim.cli.risk"))
    assert code == 0
    assert loaded == ["trustsim.cli.risk"]


def test_every_command_is_listed_with_its_module():
    """``trustsim.cli.COMMANDS`` (what --help lists, and which module a command loads) names
    every command the modules register, each with the module that registers it."""
    from trustsim.cli import COMMANDS, app, load_commands

    load_commands()
    registered = {(c.name or c.callback.__name__).replace("_", "-").removesuffix("-"): c.callback.__module__
                  for c in app.registered_commands}
    registered |= {g.name: g.typer_instance.registered_commands[0].callback.__module__
                   for g in app.registered_groups}
    assert registered == {name: f"trustsim.cli.{module}" for name, module in COMMANDS.items()}


def test_a_mistyped_command_is_still_told_the_nearest():
    from support.cli import run_cli

    done = run_cli("rnu")
    assert done.returncode == 2
    assert "No such command 'rnu'. Did you mean 'run'?" in done.stderr


def test_the_check_sees_a_heavy_package_a_command_loads(tmp_path):
    """The check itself: a package loaded in the command's process is reported."""
    code, heavy = heavy_modules(["--help"], tmp_path, before="import pyarrow")
    assert code == 0
    assert heavy == ["pyarrow"]


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    from support.cli import run_cli

    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"trustsim {version('trustsim')}"
