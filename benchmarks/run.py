"""Run every benchmark in this folder (``bench_*.py``), each in its own process, then print one
table of every figure with its target and status, and the machine's load when it was taken.

Usage: ``python benchmarks/run.py [NAME ...]`` — names filter by substring (e.g. ``rep_line``).
Exit status: 0, or the worst exit status of a benchmark that failed to run (a missed target
is a row of the table, not a failure).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import number

HERE = Path(__file__).resolve().parent


def table(rows: list[dict]) -> str:
    """The figures as an aligned text table."""
    head = ["benchmark", "figure", "value", "target", "status", "load"]
    body = [[r["bench"], r["name"], f"{number(r['value'])} {r['unit']}", r["target"] or "-",
             {True: "met", False: "NOT met", None: "-"}[r["ok"]], f"{r['load']:.2f}"] for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    worst, rows = 0, []
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        for script in scripts:
            print(f"== {script.stem}", flush=True)
            out = Path(tmp) / f"{script.stem}.json"
            rc = subprocess.call([sys.executable, str(script), "--json", str(out)])
            worst = max(worst, rc)
            if out.is_file():
                rows += json.loads(out.read_text())
            else:
                rows.append({"bench": script.stem.removeprefix("bench_"), "name": f"(failed: exit {rc})",
                             "value": float("nan"), "unit": "", "target": "", "ok": False, "load": float("nan")})
    print()
    print(table(rows))
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
