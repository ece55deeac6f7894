"""Monte Carlo throughput: rep-line paths per second on 1 and 2 local workers.

Each path is a whole deal life (actors, contract, rep-line pool) with a credit draw and
sampled incidents (configs/montecarlo/*.yaml), run with the event log's no-op sink.
Attribution re-runs are off unless ``--attribution`` (they add runs only for paths with
incidents). Targets (issue 6): 10,000 paths in at most 60 s on this 2-core machine, and at
least 1.8x from 1 to 2 workers. The time for 10,000 paths is projected from the 2-worker
rate unless ``--full`` runs them.
Usage: ``python benchmarks/bench_montecarlo.py [--paths N] [--full] [--attribution]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from trustsim.config import load_deal
from trustsim.risk.credit import load_credit
from trustsim.risk.engines import LocalEngine
from trustsim.risk.montecarlo import run_montecarlo
from trustsim.risk.operational import load_operational
from trustsim.risk.paths import Study

ROOT = Path(__file__).resolve().parents[1]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
TARGET_PATHS, TARGET_SECONDS, TARGET_SPEEDUP = 10_000, 60.0, 1.8


def rate(study: Study, paths: int, workers: int) -> tuple[float, float]:
    """(paths per second, seconds) for ``paths`` paths; pool start-up excluded by a warm-up."""
    engine = LocalEngine(workers)
    try:
        run_montecarlo(study, 2 * workers, engine)          # start the workers, import, warm caches
        t0 = time.perf_counter()
        res = run_montecarlo(study, paths, engine)
        seconds = time.perf_counter() - t0
    finally:
        engine.close()
    assert len(res.rows) == paths
    return paths / seconds, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=300)
    ap.add_argument("--full", action="store_true", help=f"also run {TARGET_PATHS:,} paths on 2 workers")
    ap.add_argument("--attribution", action="store_true")
    args = ap.parse_args()
    deal = load_deal(DEAL)
    study = Study(deal, load_credit(ROOT / "configs/montecarlo/credit.yaml"),
                  load_operational(ROOT / "configs/montecarlo/operational.yaml", deal), seed=1,
                  attribution=args.attribution)
    r1, s1 = rate(study, args.paths, 1)
    r2, s2 = rate(study, args.paths, 2)
    speedup = r2 / r1
    print(f"Monte Carlo, rep-line deal lives (attribution {'on' if args.attribution else 'off'}), "
          f"{args.paths} paths each:")
    print(f"  1 worker : {r1:7.1f} paths/s ({s1:.1f} s, {1000 / r1:.1f} ms a path)")
    print(f"  2 workers: {r2:7.1f} paths/s ({s2:.1f} s)   speed-up {speedup:.2f}x "
          f"(target >= {TARGET_SPEEDUP}x: {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'})")
    if args.full:
        _, s = rate(study, TARGET_PATHS, 2)
        label = f"measured {s:.0f} s"
    else:
        s = TARGET_PATHS / r2
        label = f"projected {s:.0f} s"
    print(f"  {TARGET_PATHS:,} paths on 2 workers: {label} (target <= {TARGET_SECONDS:.0f} s: "
          f"{'met' if s <= TARGET_SECONDS else 'NOT met'})")


if __name__ == "__main__":
    main()
