"""The loan book's compiled kernels (trustsim/pool/kernels/book.py): their draws and their
parallel due pass give the same book whatever the number of threads."""

import datetime as dt
import os
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

from trustsim.config import load_deal
from trustsim.pool import build_pool
from trustsim.pool.kernels.book import DRAW_MISS, DRAW_WINDOW, uniform
from trustsim.pool.scaling import scale_overrides
from trustsim.sim.rng import RngStreams

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs/deals/dongdao3_2020_1_loans.yaml"


@numba.njit
def _draws(seed, loan_ids, day, draw):
    out = np.empty(loan_ids.shape[0])
    for i in range(loan_ids.shape[0]):
        out[i] = uniform(seed, loan_ids[i], day, draw)
    return out


def test_a_receivables_draws_are_uniform_and_independent_of_each_other():
    ids = np.arange(200_000)
    u = _draws(12345, ids, 18500, DRAW_MISS)
    assert u.min() >= 0 and u.max() < 1
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    chi2 = ((counts - 10_000) ** 2 / 10_000).sum()
    assert chi2 < 50  # 19 degrees of freedom: p < 0.0002 above this
    for other in (_draws(12345, ids, 18501, DRAW_MISS), _draws(12345, ids, 18500, DRAW_WINDOW),
                  _draws(54321, ids, 18500, DRAW_MISS), _draws(12345, ids + 1, 18500, DRAW_MISS)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.01
    assert (u == _draws(12345, ids, 18500, DRAW_MISS)).all()  # a function, not a stream


def _book_after(threads: int, days: int = 200):
    deal = load_deal(DEAL, overrides=scale_overrides(load_deal(DEAL), 0.01))
    eff = deal.dates.trust_effective_date
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        pool = build_pool(deal, RngStreams(7))
        for k in range(1, days + 1):
            pool.collect(eff + dt.timedelta(days=k))
    finally:
        numba.set_num_threads(before)
    return pool.book


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one thread only on this machine")
def test_the_due_pass_gives_the_same_book_on_one_thread_or_two():
    one, two = _book_after(1), _book_after(2)
    assert one.agg.tolist() == two.agg.tolist()
    for name in ("loan_id", "principal_fen", "status", "remaining_instalments", "late_since"):
        assert np.array_equal(one.c[name][: one.end], two.c[name][: two.end]), name
    assert np.array_equal(one.obligor_fen, two.obligor_fen)
    one.check()


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's mallopt")
def test_the_allocator_keeps_freed_memory_unless_the_user_set_it(monkeypatch):
    from trustsim.pool import memory

    for name in [k for k in os.environ if k.startswith("MALLOC_")]:  # (dask sets one)
        monkeypatch.delenv(name)
    monkeypatch.setattr(memory, "_done", None)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    assert memory.keep_freed_memory() is False  # the user's settings win
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    monkeypatch.setattr(memory, "_done", None)
    assert memory.keep_freed_memory() is True
