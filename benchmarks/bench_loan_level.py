"""The whole deal loan by loan at full scale: wall seconds and peak RSS, beside a numpy floor.

Runs ``configs/deals/dongdao3_2020_1_loans.yaml`` — 2,862,432 receivables, the full deal
life, day by day, revolving purchases on, the four actors and the audit log on (written
to memory, the same bytes a run folder gets) — then, in the same process, the *numpy
floor*: one vectorized pass per business day of the same life over the same number of
loans (one uniform draw per loan, two masked updates, one sum), the cost a design that
touches every loan every day could not go below. Targets: at most 1.0x the floor and at
most 3 GB peak RSS.

Usage: ``python benchmarks/bench_loan_level.py [--scale S] [--tape TAPE.parquet]``.
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

from trustsim.config import load_deal
from trustsim.pool.scaling import scale_overrides
from trustsim.sim.runner import run_deal

DEAL = Path(__file__).resolve().parents[1] / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"


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
    log = io.BytesIO()
    t0 = time.perf_counter()
    env, _parties, summary = run_deal(deal, log)
    wall = time.perf_counter() - t0
    loan_level.load_tape = real_load
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    end = env.today
    bdays = env.calendar.business_days_between(env.origin, end)
    n_loans = env.pool.initial_loans
    floor = numpy_floor(n_loans, bdays)
    paid = all(n["paid_in_full"] for n in summary["notes"].values())
    print(f"loan-level deal life (full scale x{args.scale:g}, {n_loans:,} receivables, "
          f"{env.origin} to {end}, actors + log on, revolving on; "
          f"{numba.get_num_threads()} kernel threads; journal {'on' if deal.pool.journal else 'off'})")
    print(f"  (not timed: a 0.2% deal first, compiling or loading the kernels: {warm_up:.1f} s)")
    print(f"  wall {wall:.1f} s (tape {'read and validation' if args.tape else 'generation'} "
          f"{tape_seconds[0]:.1f} s, simulation {wall - tape_seconds[0]:.1f} s); "
          f"peak RSS {rss_mb:,.0f} MB")
    book = env.pool.book
    print(f"  {log.getvalue().count(10):,} events; {book.entered - n_loans:,} receivables bought "
          f"or received in replacement ({(book.bought - env.pool.initial_fen) / 1e8:,.0f} "
          f"million CNY); every class repaid: {paid}")
    print(f"  numpy floor: {floor:.1f} s ({bdays} business days x {n_loans:,} loans); "
          f"ratio {wall / floor:.2f}x the floor (simulation alone "
          f"{(wall - tape_seconds[0]) / floor:.2f}x); targets <= 1.0x and <= 3,072 MB")


if __name__ == "__main__":
    main()
