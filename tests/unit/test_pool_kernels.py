"""The loan book's compiled kernels (trustsim/pool/kernels/book.py): their draws and their
parallel due pass give the same book whatever the number of threads."""

import datetime as dt
import os
import sys
import time
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


@pytest.mark.skipif(sys.platform != "linux", reason="madvise(MADV_POPULATE_WRITE)")
def test_the_prefaulter_runs_ahead_of_the_rows_in_use_and_never_changes_their_content(monkeypatch):
    from trustsim.pool import memory

    monkeypatch.setattr(memory, "PREFAULT_MIN_BYTES", 0)
    monkeypatch.setattr(memory, "PREFAULT_CHUNK_ROWS", 1000)
    rows = 100_000
    block = np.zeros(rows * 12, np.uint8)
    first, second = block[: rows * 8].view(np.int64), block[rows * 8:].view(np.int32)
    first[:5000] = np.arange(5000)  # rows in use, written while the thread runs
    second[:5000] = -7
    frontier = np.array([5000], np.int64)
    p = memory.Prefaulter.start(block, [(0, 8), (rows * 8, 4)], rows, frontier, ahead=20_000)
    if p is None:
        pytest.skip("no madvise here")
    deadline = time.monotonic() + 10
    while p.done < 25_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    supported = p.done > 0
    assert p.done == 25_000 or not supported  # as far as the frontier and no further
    frontier[0] = 60_000
    p.nudge()
    while supported and p.done < 80_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    p.stop()
    assert not supported or p.done == 80_000
    assert first[:5000].tolist() == list(range(5000)) and (first[5000:] == 0).all()
    assert (second[:5000] == -7).all() and (second[5000:] == 0).all()


def test_no_prefaulter_when_the_user_turns_it_off(monkeypatch):
    from trustsim.pool import memory

    monkeypatch.setattr(memory, "PREFAULT_MIN_BYTES", 0)
    monkeypatch.setenv("TRUSTSIM_PREFAULT", "0")
    assert memory.Prefaulter.start(np.zeros(4096, np.uint8), [(0, 1)], 4096,
                                   np.zeros(1, np.int64), 100) is None


def _entering(k: int, status: int = 0, dpd: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"loan_id": np.arange(1, k + 1), "obligor_id": np.arange(k),
            "origination_day": rng.integers(17800, 18190, k).astype(np.int32),
            "instalments": np.full(k, 12, np.int8), "remaining_instalments": np.full(k, 6, np.int8),
            "annual_fee_rate": np.full(k, 0.1), "credit_level": np.ones(k, np.int8),
            "region": np.zeros(k, np.int16), "principal_fen": np.full(k, 100_000),
            "original_principal_fen": np.full(k, 200_000), "status": np.full(k, status, np.int8),
            "dpd": np.full(k, dpd, np.int16), "worst_dpd": np.zeros(k, np.int16),
            "flags": np.zeros(k, np.uint8)}


def _empty_book():
    from trustsim.pool.behaviour import Behaviour
    from trustsim.pool.book import LoanBook

    b = Behaviour(miss_by_level=np.zeros(6), cure=(0.5, 0.5, 0.5), full_prepay_month=0.0,
                  full_prepay_month_no_fee=0.0, partial_prepay_month=0.0,
                  partial_fraction=(0.1, 0.5), lost_first_month=0.0)
    rng = np.random.default_rng
    return LoanBook(b, rng(1), rng(2), rng(3), 18200)


def test_a_large_entry_in_batches_lays_the_arena_out_as_one_entry_would(monkeypatch):
    from trustsim.pool import book as book_module

    whole = _empty_book()
    whole.add(_entering(20_000), 18200, 0)
    monkeypatch.setattr(book_module, "ENTRY_BATCH", 3_000)
    batched = _empty_book()
    batched.add(_entering(20_000), 18200, 0)
    assert batched.end == whole.end
    for name in ("loan_id", "principal_fen", "dom", "holder"):
        assert np.array_equal(batched.c[name][: whole.end], whole.c[name][: whole.end]), name
    assert batched.agg.tolist() == whole.agg.tolist()
    batched.check()


def test_a_receivable_said_past_due_with_no_days_past_due_is_refused():
    from trustsim.pool.tape import NON_PERFORMING

    with pytest.raises(ValueError, match="receivable 1 is overdue or non-performing but 0 days"):
        _empty_book().add(_entering(3, status=NON_PERFORMING), 18200, 0)
