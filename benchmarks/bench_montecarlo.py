"""Monte Carlo throughput: rep-line paths per second on 1 and 2 local workers.

Each path is a whole deal life (actors, contract, rep-line pool) with a credit draw and
sampled incidents (configs/montecarlo/*.yaml), run with the event log's no-op sink.
Attribution re-runs are off unless ``--attribution`` (they add runs only for paths with
incidents). Targets (issue 6): 10,000 paths in at most 60 s on this 2-core machine, and at
least 1.8x from 1 to 2 workers. The time for 10,000 paths is projected from the 2-worker
rate unless ``--full`` runs them.

The 1- and 2-worker studies are timed interleaved (1, 2, 1, 2, ...), ``--repeats`` times,
the speed-up taken within each pair; CPU seconds are the workers' own (read from /proc
while they live) beside wall seconds, and the machine's load is printed with each figure.
Usage: ``python benchmarks/bench_montecarlo.py [--paths N] [--repeats N] [--full] [--attribution] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import time

from harness import ROOT, Figure, children, median, process_cpu, show, spread, write_json

from trustsim.config import load_deal
from trustsim.risk.credit import load_credit
from trustsim.risk.engines import LocalEngine
from trustsim.risk.montecarlo import run_montecarlo
from trustsim.risk.operational import load_operational
from trustsim.risk.paths import Study

DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
TARGET_PATHS, TARGET_SECONDS, TARGET_SPEEDUP = 10_000, 60.0, 1.8


def rate(study: Study, paths: int, workers: int) -> tuple[float, float, float]:
    """(paths per second, wall seconds, CPU seconds of whoever ran them) for ``paths`` paths;
    pool start-up excluded by a warm-up."""
    engine = LocalEngine(workers)
    try:
        run_montecarlo(study, 2 * workers, engine)          # start the workers, import, warm caches
        pids = children() if workers > 1 else []
        c0 = process_cpu(pids) if pids else time.process_time()
        t0 = time.perf_counter()
        res = run_montecarlo(study, paths, engine)
        seconds = time.perf_counter() - t0
        cpu = (process_cpu(pids) if pids else time.process_time()) - c0
    finally:
        engine.close()
    assert len(res.rows) == paths
    return paths / seconds, seconds, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--full", action="store_true", help=f"also run {TARGET_PATHS:,} paths on 2 workers")
    ap.add_argument("--attribution", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    deal = load_deal(DEAL)
    study = Study(deal, load_credit(ROOT / "configs/montecarlo/credit.yaml"),
                  load_operational(ROOT / "configs/montecarlo/operational.yaml", deal), seed=1,
                  attribution=args.attribution)
    one, two = [], []
    for _ in range(args.repeats):
        one.append(rate(study, args.paths, 1))
        two.append(rate(study, args.paths, 2))
    speedups = [b[0] / a[0] for a, b in zip(one, two, strict=True)]
    print(f"Monte Carlo, rep-line deal lives (attribution {'on' if args.attribution else 'off'}), "
          f"{args.paths} paths each, {args.repeats} interleaved repeats, median (min-max):")
    for label, runs in (("1 worker ", one), ("2 workers", two)):
        print(f"  {label}: {spread([r[0] for r in runs], fmt='.1f')} paths/s; wall "
              f"{spread([r[1] for r in runs], fmt='.1f')} s, workers' CPU {spread([r[2] for r in runs], fmt='.1f')} s "
              f"({spread([1000 * r[2] / args.paths for r in runs], fmt='.1f')} ms CPU a path)")
    figures = [show(Figure("montecarlo", "speed-up 1 -> 2 workers", median(speedups), "x",
                           f">= {TARGET_SPEEDUP}x", median(speedups) >= TARGET_SPEEDUP,
                           f"pairs {spread(speedups)}; {args.paths} paths"))]
    if args.full:
        _, s, cpu = rate(study, TARGET_PATHS, 2)
        detail = f"measured; workers' CPU {cpu:.0f} s"
    else:
        s = TARGET_PATHS / median([r[0] for r in two])
        detail = f"projected from the 2-worker rate ({args.paths} paths)"
    figures.append(show(Figure("montecarlo", f"{TARGET_PATHS:,} paths on 2 workers", s, "s",
                               f"<= {TARGET_SECONDS:.0f} s", s <= TARGET_SECONDS, detail)))
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
