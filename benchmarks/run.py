"""Run every benchmark in this folder (``bench_*.py``), each in its own process, printing its figures.

Usage: ``python benchmarks/run.py [NAME ...]`` — names filter by substring (e.g. ``rep_line``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    worst = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        worst = max(worst, subprocess.call([sys.executable, str(script)]))
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
