"""Running the real ``trustsim`` command in a subprocess, as a user would.

Why a subprocess: an in-process runner (typer's ``CliRunner``) catches exceptions and shares
the interpreter, so it cannot show what a user sees — a traceback on stderr, the exit status
of the console script, files left behind by a process that died.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEALS = ROOT / "configs" / "deals"
DEAL = DEALS / "dongdao3_2020_1.yaml"
LOANS_DEAL = DEALS / "dongdao3_2020_1_loans.yaml"


def trustsim_command() -> list[str]:
    """The installed console script beside this interpreter, else the same entry point via ``-c``."""
    script = Path(sys.executable).with_name("trustsim")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from trustsim.cli import main; main()"]


def run_cli(*args: str, cwd: str | Path | None = None, timeout: float = 180,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``trustsim ARGS`` in ``cwd``; the output is wide enough that no message is wrapped."""
    full_env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb", **(env or {})}
    return subprocess.run([*trustsim_command(), *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def files_under(folder: Path) -> set[str]:
    """Every file and folder under ``folder``, as relative paths (hidden ones included)."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}
