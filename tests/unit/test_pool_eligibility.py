"""Eligibility criteria (a)-(i) [一.3]: a receivable failing only one of them is never bought.

The originator's inventory is given one clean receivable and one receivable failing each
criterion in turn; a revolving purchase with cash to spare takes the clean one and none
of the others. Each filter is also checked on its own.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from trustsim.config import load_deal
from trustsim.pool import eligibility
from trustsim.pool.loan_level import LoanLevelPool, price_of
from trustsim.pool.tape import (
    FLAG_BITS,
    LOST,
    OVERDUE,
    add_months_days,
    day_number,
    tape_from_records,
)
from trustsim.sim.rng import RngStreams

ROOT = Path(__file__).resolve().parents[2]
EFF = dt.date(2020, 8, 18)
BASE = dt.date(2020, 9, 10)
HEAVY = 500  # an obligor who already owes the trust 49,000 CNY


def make_pool():
    deal = load_deal(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")
    nb = deal.pool.new_business.model_copy(update={"daily_pct_of_initial": Decimal("0.001"),
                                                   "level5_pct": 0, "worst_dpd_over_30_pct": 0,
                                                   "warranty_breach_pct": 0})
    b = deal.pool.behaviour.model_copy(update={"lost_pct_first_month": 0,
                                               "full_prepayment_pct_per_month": 0,
                                               "partial_prepayment_pct_per_month": 0})
    cfg = deal.pool.model_copy(update={"new_business": nb, "behaviour": b})
    base = {"origination_date": "2020-08-01", "instalments": 12, "remaining_instalments": 12,
            "annual_fee_rate": 0.072, "credit_level": 2, "region": "Beijing", "dpd": 0,
            "worst_dpd": 0, "status": "current", "holder": "trust"}
    tape = tape_from_records(
        [{**base, "loan_id": 1, "obligor_id": HEAVY, "principal_fen": 4_900_000},
         {**base, "loan_id": 2, "obligor_id": 501, "principal_fen": 100_000}], EFF)
    return LoanLevelPool(cfg, EFF, RngStreams(3), tape=tape)


def candidates(pool, specs):
    """Inventory receivables, one per spec (a dict of column changes), loan ids from 9001."""
    base_day = day_number(BASE)
    k = len(specs)
    nb = pool.new_business
    nb.ensure(base_day)
    first = nb.next_loan_id
    nb.next_loan_id += k
    cols = {
        "loan_id": np.arange(first, first + k), "obligor_id": np.arange(7001, 7001 + k),
        "origination_day": np.full(k, base_day - 5, np.int32),
        "instalments": np.full(k, 3, np.int8), "remaining_instalments": np.full(k, 3, np.int8),
        "annual_fee_rate": np.full(k, 0.072), "credit_level": np.full(k, 2, np.int8),
        "region": np.zeros(k, np.int16), "principal_fen": np.full(k, 100_000),
        "original_principal_fen": np.full(k, 100_000), "fee_fen": np.full(k, 600),
        "status": np.zeros(k, np.int8), "late_since": np.full(k, -1, np.int32),
        "worst_dpd": np.zeros(k, np.int16), "flags": np.zeros(k, np.uint8),
        "lost_day": np.full(k, -1), "holder": np.ones(k, np.int8),
        "entered_day": np.full(k, base_day - 5, np.int32), "left_day": np.full(k, -1, np.int32),
        "reserved_until": np.full(k, -1),
    }
    for i, spec in enumerate(specs):
        for name, value in spec.items():
            cols[name][i] = value
    cols["last_due_day"] = add_months_days(cols["origination_day"],
                                           cols["instalments"].astype(np.int64))
    nb.hold(cols)
    return cols["loan_id"]


FAILING_ONE = {
    "(a) encumbered": {"flags": FLAG_BITS["encumbered"]},
    "(b) agreement invalid": {"flags": FLAG_BITS["agreement_invalid"]},
    "(c) one day old": {"origination_day": day_number(BASE) - 1},
    "(c) returned": {"lost_day": day_number(BASE) - 1},
    "(c) disputed": {"flags": FLAG_BITS["disputed"]},
    "(d) obligor above 50,000 CNY": {"obligor_id": HEAVY, "principal_fen": 200_000,
                                     "original_principal_fen": 200_000},
    "(e) currently overdue": {"status": OVERDUE, "late_since": day_number(BASE) - 3},
    "(f) worst overdue 31 days": {"worst_dpd": 31},
    "(f) Level5": {"credit_level": 5},
    "(g) last instalment after 24 months": {"instalments": 24, "remaining_instalments": 24},
    "(h) transfer restricted": {"flags": FLAG_BITS["transfer_restricted"]},
    "(i) litigation": {"flags": FLAG_BITS["litigation"]},
}


@pytest.mark.parametrize("name", list(FAILING_ONE))
def test_a_receivable_failing_only_this_criterion_is_never_bought(name):
    pool = make_pool()
    clean, failing = candidates(pool, [{}, FAILING_ONE[name]])
    offer = pool.eligible_offer(BASE, 10**9, Decimal(100))
    ids = set(offer.lots.loan_ids.tolist())
    assert clean in ids and failing not in ids
    pool.buy(offer, BASE + dt.timedelta(days=1))
    held = set(pool.book.c["loan_id"][pool.book.live()].tolist())
    assert clean in held and failing not in held


def test_the_obligor_limit_counts_earlier_candidates_and_the_trust_balance_exactly():
    pool = make_pool()
    # owes 49,000 CNY: 2,000 more fails, then exactly 1,000 more (50,000) passes
    too_much, exactly = candidates(pool, [
        {"obligor_id": HEAVY, "principal_fen": 200_000, "original_principal_fen": 200_000},
        {"obligor_id": HEAVY, "principal_fen": 100_000, "original_principal_fen": 100_000}])
    ids = set(pool.eligible_offer(BASE, 10**9, Decimal(100)).lots.loan_ids.tolist())
    assert too_much not in ids and exactly in ids


def test_the_offer_spends_at_most_the_purchase_rate_times_the_cash():
    pool = make_pool()
    candidates(pool, [{} for _ in range(50)])  # 50 x 1,000 CNY
    offer = pool.eligible_offer(BASE, 1_234_567, Decimal(100))
    assert offer.price_fen <= 1_234_567 and offer.principal_fen == offer.price_fen
    assert offer.price_fen > 1_234_567 - 100_000  # another 1,000 CNY would not fit
    pool.purchase_rate = Decimal("0.55")  # the AAA stress: 55%
    stressed = pool.eligible_offer(BASE, 1_000_000, Decimal(100))
    assert 450_000 < stressed.price_fen <= 550_000


def test_a_price_above_par_is_rounded_half_up_per_receivable():
    pool = make_pool()
    (loan_id,) = candidates(pool, [{"principal_fen": 101, "original_principal_fen": 101}])
    offer = pool.eligible_offer(BASE, 10**9, Decimal("100.5"))
    assert loan_id in offer.lots.loan_ids
    assert price_of(np.array([101, 200, 1]), Decimal("100.5")).tolist() == [102, 201, 1]
    # 101.505 -> 102; 201.0 -> 201; 1.005 -> 1 (half up on the exact product)


@pytest.mark.parametrize(("test", "column", "bad", "good"), [
    (eligibility.a_owned_free_of_liens, "flags", FLAG_BITS["encumbered"], 0),
    (eligibility.b_agreements_valid, "flags", FLAG_BITS["agreement_invalid"], 0),
    (eligibility.e_no_current_overdue, "late_since", 18_500, -1),
    (eligibility.f_worst_overdue_within_30_days, "worst_dpd", 31, 30),
    (eligibility.f_credit_level_1_to_4, "credit_level", 5, 4),
    (eligibility.h_transfer_unrestricted, "flags", FLAG_BITS["transfer_restricted"], 0),
    (eligibility.i_no_litigation, "flags", FLAG_BITS["litigation"], 0),
])
def test_each_filter_on_its_own(test, column, bad, good):
    cols = {"flags": np.zeros(2, np.uint8), "late_since": np.full(2, -1),
            "status": np.zeros(2, np.int8), "worst_dpd": np.zeros(2), "credit_level": np.ones(2)}
    cols[column] = np.array([good, bad], dtype=cols[column].dtype)
    ctx = eligibility.Context(0, 0, eligibility.Rules(), lambda ids: np.zeros(len(ids)))
    assert test(cols, ctx).tolist() == [True, False]


def test_c_needs_two_full_days_and_no_return():
    base = day_number(BASE)
    cols = {"origination_day": np.array([base - 2, base - 1, base - 5]),
            "status": np.array([0, 0, LOST], np.int8), "flags": np.zeros(3, np.uint8)}
    ctx = eligibility.Context(base, 0, eligibility.Rules(), lambda ids: np.zeros(len(ids)))
    assert eligibility.c_two_days_old_not_cancelled(cols, ctx).tolist() == [True, False, False]


def test_g_allows_a_last_instalment_on_the_24_month_anniversary_and_not_a_day_later():
    eff = day_number(EFF)
    cols = {"origination_day": np.array([day_number(dt.date(2020, 8, 18)),
                                         day_number(dt.date(2020, 8, 19))]),
            "instalments": np.array([24, 24])}
    ctx = eligibility.Context(eff, eff, eligibility.Rules(), lambda ids: np.zeros(len(ids)))
    assert eligibility.g_last_instalment_within_24_months(cols, ctx).tolist() == [True, False]
