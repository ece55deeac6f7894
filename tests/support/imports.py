"""What a ``trustsim`` command loads: the command run in a fresh interpreter, its modules listed.

Why a subprocess: the test process has long since imported numba and friends, so only a
fresh interpreter shows what a command itself pulls in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: modules that cost a tenth of a second or more to import; a rep-line command needs none
HEAVY = ("numba", "llvmlite", "pyarrow", "duckdb", "dask", "distributed", "matplotlib")

_WRAPPER = """
import json, sys
out, before, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
exec(before)
sys.argv = ["trustsim", *argv]
try:
    from trustsim.cli import main
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def heavy_modules(argv: list[str], tmp: Path, before: str = "",
                  watch: tuple[str, ...] = HEAVY) -> tuple[int, list[str]]:
    """Run ``trustsim ARGV`` (after executing ``before``) in a new interpreter: its exit code
    and which of the top-level packages ``watch`` it imported (a dotted name: that module)."""
    out = tmp / "modules.json"
    subprocess.run([sys.executable, "-c", _WRAPPER, str(out), before, *argv], check=True,
                   capture_output=True, cwd=Path(__file__).resolve().parents[2])
    seen = json.loads(out.read_text())
    top = {m.split(".")[0] for m in seen["modules"]}
    return seen["code"], sorted(m for m in watch if m in top or m in seen["modules"])


def loaded_heavy(_: object = None) -> list[str]:
    """The heavy top-level packages this process has imported (run it in a worker)."""
    top = {m.split(".")[0] for m in sys.modules}
    return sorted(m for m in HEAVY if m in top)
