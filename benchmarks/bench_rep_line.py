"""A full rep-line deal life with the four actors and the audit log on: median seconds per life.

The log is written to an in-memory buffer (the same bytes a run folder gets) so the figure
measures the simulation and the log's formatting, not the disk. Target: <= 20 ms.
Usage: ``python benchmarks/bench_rep_line.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

from trustsim.config import load_deal
from trustsim.sim.runner import run_deal

DEAL = Path(__file__).resolve().parents[1] / "configs" / "deals" / "dongdao3_2020_1.yaml"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    deal = load_deal(DEAL)
    run_deal(deal, io.BytesIO())  # warm caches (calendar years, imports)
    times, lines = [], 0
    for _ in range(args.repeat):
        buf = io.BytesIO()
        t0 = time.perf_counter()
        run_deal(deal, buf)
        times.append(time.perf_counter() - t0)
        lines = buf.getvalue().count(b"\n")
    med = statistics.median(times)
    print(f"rep-line deal life (actors + log on): median {med * 1000:.1f} ms over {args.repeat} runs "
          f"(min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms); {lines} events; target <= 20 ms")


if __name__ == "__main__":
    main()
