"""The whole deal loan by loan at full scale: wall seconds and peak RSS, beside a numpy floor.

Runs ``configs/deals/dongdao3_2020_1_loans.yaml`` — 2,862,432 receivables, the full deal
life, day by day, revolving purchases on, the four actors and the audit log on (written
to memory, the same bytes a run folder gets) — then, in the same process, the *numpy
floor*: one vectorized pass per business day of the same life over the same number of
loans (one uniform draw per loan, two masked updates, one sum), the cost a design that
touches every loan every day could not go below. Targets: at most 1.0x the floor and at
most 3 GB peak RSS.

The deal and the floor are timed interleaved, ``--repeats`` times each (deal, floor, deal,
floor, ...), and the ratio taken within each pair: its median and spread are reported,
CPU seconds beside wall seconds and the machine's load with each (see ``harness``).

Usage: ``python benchmarks/bench_loan_level.py [--scale S] [--tape TAPE.parquet] [--repeats N] [--json PATH]``.
The tape is generated to the report's strata unless ``--tape`` gives one (e.g. from
``trustsim pool generate --out``); generating or reading it is timed separately and
included in the total. The compiled kernels are cached on disk after their first
compilation; a small deal is run first so that compiling (or loading) them is not timed,
and its seconds are printed apart. The kernels use numba's threads (``NUMBA_NUM_THREADS``
sets how many; the figures do not depend on it).
"""

from __future__ import annotations

import argparse
import io
import resource
import time
from pathlib import Path

import numba
import numpy as np
from harness import ROOT, Figure, measure, median, pair_ratios, show, spread, write_json

from trustsim.config import load_deal
from trustsim.pool.scaling import scale_overrides
from trustsim.sim.runner import run_deal

DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"
RATIO_TARGET, RSS_TARGET_MB = 1.0, 3072


def numpy_floor(n_loans: int, business_days: int, seed: int = 1) -> float:
    """Seconds for one vectorized pass per business day over ``n_loans`` loans."""
    rng = np.random.default_rng(seed)
    principal = rng.integers(100, 1_000_000, n_loans)
    dpd = np.zeros(n_loans, np.int16)
    t0 = time.perf_counter()
    total = 0
    for _ in range(business_days):
        u = rng.random(n_loans)
        principal[u < 0.01] -= 1
        dpd[u > 0.999] += 1
        total += int(principal.sum())
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--tape", type=Path, default=None)
    ap.add_argument("--journal", action="store_true",
                    help="keep every receivable's exit (as trustsim run --tape-at does)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    base = load_deal(DEAL)
    overrides = scale_overrides(base, args.scale) if args.scale != 1.0 else {}
    if args.tape is not None:
        overrides.setdefault("pool", {})["tape"] = str(args.tape)
    if args.journal:
        overrides.setdefault("pool", {})["journal"] = True
    deal = load_deal(DEAL, overrides=overrides)
    t0 = time.perf_counter()
    run_deal(load_deal(DEAL, overrides=scale_overrides(base, 0.002)), io.BytesIO())
    warm_up = time.perf_counter() - t0

    import trustsim.pool.loan_level as loan_level

    tape_seconds = [0.0]
    real_load = loan_level.load_tape

    def timed_load(*a, **k):
        t = time.perf_counter()
        try:
            return real_load(*a, **k)
        finally:
            tape_seconds[0] += time.perf_counter() - t

    loan_level.load_tape = timed_load
    runs, floors, tapes, last = [], [], [], {}

    def life() -> None:
        tape_seconds[0] = 0.0
        log = io.BytesIO()
        last["env"], _parties, last["summary"] = run_deal(deal, log)
        last["events"] = log.getvalue().count(10)
        tapes.append(tape_seconds[0])

    for _ in range(args.repeats):  # interleaved: deal, floor, deal, floor, ...
        runs.append(measure(life))
        env = last["env"]
        bdays = env.calendar.business_days_between(env.origin, env.today)
        n_loans = env.pool.initial_loans
        floors.append(measure(lambda n=n_loans, d=bdays: numpy_floor(n, d)))
    loan_level.load_tape = real_load
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    env, summary = last["env"], last["summary"]
    paid = all(n["paid_in_full"] for n in summary["notes"].values())
    sims = [r.wall - t for r, t in zip(runs, tapes, strict=True)]
    ratio = pair_ratios(runs, floors)
    sim_ratio = [s / f.wall for s, f in zip(sims, floors, strict=True)]
    print(f"loan-level deal life (full scale x{args.scale:g}, {n_loans:,} receivables, "
          f"{env.origin} to {env.today}, actors + log on, revolving on; "
          f"{numba.get_num_threads()} kernel threads; journal {'on' if deal.pool.journal else 'off'}); "
          f"{args.repeats} interleaved repeats, median (min-max):")
    print(f"  (not timed: a 0.2% deal first, compiling or loading the kernels: {warm_up:.1f} s)")
    print(f"  wall {spread([r.wall for r in runs], fmt='.1f')} s, CPU {spread([r.cpu for r in runs], fmt='.1f')} s "
          f"(tape {'read and validation' if args.tape else 'generation'} {spread(tapes, fmt='.1f')} s, "
          f"simulation {spread(sims, fmt='.1f')} s); peak RSS {rss_mb:,.0f} MB")
    book = env.pool.book
    print(f"  {last['events']:,} events; {book.entered - n_loans:,} receivables bought "
          f"or received in replacement ({(book.bought - env.pool.initial_fen) / 1e8:,.0f} "
          f"million CNY); every class repaid: {paid}")
    print(f"  numpy floor ({bdays} business days x {n_loans:,} loans): wall {spread([f.wall for f in floors])} s, "
          f"CPU {spread([f.cpu for f in floors])} s")
    figures = [
        show(Figure("loan_level", "deal life / numpy floor", median(ratio), "x", f"<= {RATIO_TARGET:g}x",
                    median(ratio) <= RATIO_TARGET,
                    f"pairs {spread(ratio)}; simulation alone {spread(sim_ratio)}; "
                    f"in CPU {spread(pair_ratios(runs, floors, cpu=True))}; scale {args.scale:g}")),
        show(Figure("loan_level", "deal life", median([r.wall for r in runs]), "s",
                    detail=f"wall {spread([r.wall for r in runs], fmt='.1f')} s; scale {args.scale:g}")),
        show(Figure("loan_level", "deal life, CPU", median([r.cpu for r in runs]), "s",
                    detail=f"CPU {spread([r.cpu for r in runs], fmt='.1f')} s; scale {args.scale:g}")),
        show(Figure("loan_level", "peak RSS", rss_mb, "MB", f"<= {RSS_TARGET_MB:,} MB", rss_mb <= RSS_TARGET_MB,
                    f"scale {args.scale:g}")),
    ]
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
