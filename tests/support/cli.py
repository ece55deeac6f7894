"""The real command line, in a subprocess, as a user's shell runs it.

Why not typer's test runner: a traceback, an exit code or a file left behind must be seen
exactly as the user would see them — the installed console script, a fresh interpreter,
its own stdout and stderr.
"""

from __future__ import annotations

import subprocess
import sysconfig
from pathlib import Path

SCRIPT = Path(sysconfig.get_path("scripts")) / "trustsim"


def trustsim(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``trustsim ARGS`` and return its exit code, stdout and stderr (text)."""
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
