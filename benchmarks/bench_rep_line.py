"""A full rep-line deal life with the four actors and the audit log on: median seconds per life.

The log is written to an in-memory buffer (the same bytes a run folder gets) so the figure
measures the simulation and the log's formatting, not the disk. Target: <= 20 ms (median
wall; CPU time and the machine's load beside it, see ``harness``).
Usage: ``python benchmarks/bench_rep_line.py [--repeat N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import io

from harness import ROOT, Figure, interleaved, median, show, spread, write_json

from trustsim.config import load_deal
from trustsim.sim.runner import run_deal

DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
TARGET_S = 0.020


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    deal = load_deal(DEAL)
    run_deal(deal, io.BytesIO())  # warm caches (calendar years, imports)
    buf = io.BytesIO()
    run_deal(deal, buf)
    lines = buf.getvalue().count(b"\n")
    t = interleaved({"life": lambda: run_deal(deal, io.BytesIO())}, args.repeat)["life"]
    wall, cpu = [s.wall for s in t], [s.cpu for s in t]
    print(f"rep-line deal life (actors + log on), {args.repeat} runs, {lines} events:")
    fig = show(Figure("rep_line", "rep-line deal life", median(wall) * 1000, "ms", f"<= {TARGET_S * 1000:.0f} ms",
                      median(wall) <= TARGET_S,
                      f"wall {spread(wall, 1000, '.1f')} ms, CPU {spread(cpu, 1000, '.1f')} ms"))
    write_json(args.json, [fig])


if __name__ == "__main__":
    main()
