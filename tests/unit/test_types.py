"""The package type-checks (mypy, configured in pyproject.toml): CI runs the checker here.

Why a test and not a separate CI step: the README's one test command is what CI runs, so
the type checker rides along with it. The configuration is lenient where the code is not
yet typed; each relaxation says why in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_type_checks():
    pytest.importorskip("mypy", reason="mypy is a dev dependency (pip install -e '.[dev]')")
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
