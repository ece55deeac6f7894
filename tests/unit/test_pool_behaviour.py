"""How receivables pay, loan by loan (docs/pool.md): instalments, early repayment, delinquency.

Hand-built tapes with behaviour made certain (probabilities of 0 or 100%) so each rule
shows its dates and amounts to the fen.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from trustsim.config import load_deal
from trustsim.pool.behaviour import Behaviour
from trustsim.pool.loan_level import LoanLevelPool
from trustsim.pool.tape import tape_from_records
from trustsim.sim.rng import RngStreams

ROOT = Path(__file__).resolve().parents[2]
EFF = dt.date(2020, 8, 18)
QUIET = {"p30_by_level_pct": {1: 0, 2: 0, 3: 0, 4: 0, 5: 0},
         "full_prepayment_pct_per_month": 0, "full_prepayment_no_fee_pct_per_month": 0,
         "partial_prepayment_pct_per_month": 0, "lost_pct_first_month": 0}


def pool_of(records, seed=1, **behaviour):
    deal = load_deal(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")
    b = deal.pool.behaviour.model_copy(update={k: (v if isinstance(v, dict) else Decimal(str(v)))
                                               for k, v in {**QUIET, **behaviour}.items()})
    cfg = deal.pool.model_copy(update={"behaviour": b})
    tape = tape_from_records(records, EFF)
    return LoanLevelPool(cfg, EFF, RngStreams(seed), tape=tape)


def loan(loan_id=1, **kw):
    r = {"loan_id": loan_id, "obligor_id": 100 + loan_id, "origination_date": "2020-08-05",
         "instalments": 3, "remaining_instalments": 3, "annual_fee_rate": 0.072,
         "credit_level": 2, "region": "Beijing", "principal_fen": 300_000,
         "original_principal_fen": 300_000, "dpd": 0, "worst_dpd": 0, "status": "current",
         "holder": "trust"}
    r.update(kw)
    return r


def daily(pool, until):
    """Collections per day from the day after the effective date through ``until``."""
    out = {}
    d = EFF
    while d < until:
        d += dt.timedelta(days=1)
        c = pool.collect(d)
        if c.total_fen:
            out[d] = (c.principal_fen, c.income_fen)
    return out


def test_instalments_are_equal_principal_plus_a_monthly_fee_on_the_original_principal():
    # 300,000 fen over 3 instalments at 7.2% a year: 0.6% x 300,000 = 1,800 fen a month
    pool = pool_of([loan()])
    paid = daily(pool, dt.date(2020, 12, 31))
    assert paid == {dt.date(2020, 9, 5): (100_000, 1_800), dt.date(2020, 10, 5): (100_000, 1_800),
                    dt.date(2020, 11, 5): (100_000, 1_800)}
    b = pool.balances()
    assert b.outstanding_fen == 0 and b.collected_fen == 300_000 and b.loans == 0
    pool.book.check()


def test_principal_that_does_not_divide_evenly_goes_to_the_last_instalment():
    pool = pool_of([loan(principal_fen=100_001, original_principal_fen=100_001,
                         annual_fee_rate=0.0)])
    paid = daily(pool, dt.date(2020, 12, 31))
    assert [p for p, _ in paid.values()] == [33_333, 33_334, 33_334]


def test_a_month_end_receivable_falls_due_on_the_last_day_of_shorter_months():
    pool = pool_of([loan(origination_date="2020-07-31", remaining_instalments=2,
                         principal_fen=200_000)])
    paid = daily(pool, dt.date(2020, 11, 30))
    assert sorted(paid) == [dt.date(2020, 8, 31), dt.date(2020, 9, 30)]


def test_early_full_repayment_pays_the_balance_and_waives_the_fees_not_yet_due():
    pool = pool_of([loan()], full_prepayment_pct_per_month=100)
    paid = daily(pool, dt.date(2020, 12, 31))
    (day, (principal, income)), = paid.items()
    assert EFF < day < dt.date(2020, 9, 5)
    assert (principal, income) == (300_000, 0)
    assert pool.book.c["status"][0] == 4  # prepaid


def test_partial_repayment_lowers_the_balance_and_later_instalments_share_the_rest():
    pool = pool_of([loan()], partial_prepayment_pct_per_month=100)
    paid = daily(pool, dt.date(2020, 9, 5))
    first_day = min(paid)
    part = paid[first_day][0]
    assert first_day < dt.date(2020, 9, 5) and 30_000 <= part <= 180_000  # 10%-60%
    left = 300_000 - part
    assert paid[dt.date(2020, 9, 5)] == (left // 3, 1_800)  # fee stays on the original


def test_a_missed_instalment_rolls_to_non_performing_after_90_days_then_is_charged_off():
    pool = pool_of([loan()], p30_by_level_pct={1: 0, 2: 100, 3: 0, 4: 0, 5: 0},
                   cure_within_30_pct=0, cure_31_60_pct=0, cure_61_90_pct=0)
    daily(pool, dt.date(2020, 9, 5))
    b = pool.balances()
    assert (b.performing_fen, b.overdue_fen, b.non_performing_fen) == (0, 300_000, 0)
    daily_from = dt.date(2020, 9, 5)
    d = daily_from
    npl_day = off_day = None
    while d < dt.date(2021, 4, 1):
        d += dt.timedelta(days=1)
        pool.collect(d)
        b = pool.balances()
        if npl_day is None and b.non_performing_fen:
            npl_day = d
        if off_day is None and b.charged_off_fen:
            off_day = d
    assert npl_day == dt.date(2020, 9, 5) + dt.timedelta(days=91)   # more than 90 days
    assert off_day == dt.date(2020, 9, 5) + dt.timedelta(days=181)  # charged off after 180
    assert pool.balances().charged_off_fen == 300_000 and pool.balances().collected_fen == 0


def test_npl_fees_are_unpaid_fees_plus_the_late_fee_at_0015pct_a_day():
    pool = pool_of([loan()], p30_by_level_pct={1: 0, 2: 100, 3: 0, 4: 0, 5: 0},
                   cure_within_30_pct=0, cure_31_60_pct=0, cure_61_90_pct=0)
    daily(pool, dt.date(2020, 12, 10))
    # dues 9-05, 10-05, 11-05 unpaid (101,800 each); non-performing since 12-05
    b = pool.balances()
    assert b.non_performing_fen == 300_000
    days = [(dt.date(2020, 12, 10) - dt.date(2020, m, 5)).days for m in (9, 10, 11)]
    late = sum(101_800 * n for n in days) * 150 // 1_000_000
    assert b.npl_fees_fen == 3 * 1_800 + late


def test_a_cure_pays_the_arrears_with_the_late_fee_and_the_receivable_is_current_again():
    pool = pool_of([loan()], p30_by_level_pct={1: 0, 2: 100, 3: 0, 4: 0, 5: 0},
                   cure_within_30_pct=100)
    paid = daily(pool, dt.date(2020, 10, 4))
    (day, (principal, income)), = paid.items()
    dpd = (day - dt.date(2020, 9, 5)).days
    assert 1 <= dpd <= 30
    assert principal == 100_000
    assert income == 1_800 + 101_800 * dpd * 150 // 1_000_000
    assert pool.balances().performing_fen == 200_000
    assert pool.book.c["worst_dpd"][0] == dpd


def test_a_return_within_30_days_makes_a_lost_asset():
    pool = pool_of([loan()], lost_pct_first_month=100)
    daily(pool, dt.date(2020, 9, 4))  # origination 08-05: returns by 09-04
    sel = pool.select("lost", dt.date(2020, 9, 4))
    assert (sel.principal_fen, sel.loans) == (300_000, 1)
    assert daily(pool, dt.date(2020, 12, 1)) == {}  # a lost asset pays nothing


@pytest.mark.parametrize(("level", "band"), [(1, (0.0, 1.5)), (2, (1.5, 5.9)), (3, (5.9, 15.0)),
                                             (4, (15.0, 33.0))])
def test_each_credit_levels_30_plus_probability_lies_in_its_band(level, band):
    # 4,000 twelve-instalment receivables of one level; how many reach 30+ dpd in 12 dues
    deal = load_deal(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")
    p30 = float(deal.pool.behaviour.p30_by_level_pct[level])
    assert band[0] <= p30 < band[1]
    recs = [loan(i, instalments=12, remaining_instalments=12, credit_level=level,
                 origination_date="2020-08-10") for i in range(1, 4001)]
    pool = pool_of(recs, seed=level, p30_by_level_pct=dict(deal.pool.behaviour.p30_by_level_pct),
                   cure_within_30_pct=deal.pool.behaviour.cure_within_30_pct)
    daily(pool, dt.date(2021, 9, 15))
    share = 100 * pool.book.c["ever30"][:4000].mean()
    se = 100 * np.sqrt(p30 / 100 * (1 - p30 / 100) / 4000)
    assert abs(share - p30) <= 4 * se + 0.2
    assert Behaviour.from_config(deal.pool.behaviour).p30(level) == pytest.approx(p30 / 100)


def test_a_receivable_already_overdue_on_delivery_continues_from_its_bucket():
    # 40 days past due on delivery (in 31-60): certain cure in that bucket, after today
    pool = pool_of([loan(status="overdue", dpd=40)], cure_within_30_pct=0, cure_31_60_pct=100)
    paid = daily(pool, dt.date(2020, 9, 30))
    day = min(paid)
    since = EFF - dt.timedelta(days=40)
    assert 41 <= (day - since).days <= 60
    assert paid[day][0] > 0 and pool.balances().overdue_fen == 0
