"""Asset remedies on hand-built tapes [二.1(4)], DEAL.md §6: replacement of lost assets,
the servicer's purchase of overdue and non-performing assets, over-term repurchase,
release at termination, and the asset NPL ratio; and the trustee's record of them."""

import datetime as dt

import numpy as np
import pytest
from support.hand_pools import EFF, loan, pool_of

from trustsim.pool.tape import (
    NOTEHOLDERS,
    ORIGINATOR,
    REPURCHASED,
    SERVICER,
    SOLD,
    add_months_days,
    day_number,
)


def inventory(pool, day, principals):
    nb = pool.new_business
    nb.ensure(day)
    k = len(principals)
    ids = np.arange(nb.next_loan_id, nb.next_loan_id + k)
    nb.next_loan_id += k
    orig = np.full(k, day - 3, np.int32)
    p = np.array(principals, np.int64)
    nb.hold({"loan_id": ids, "obligor_id": 9000 + np.arange(k), "origination_day": orig,
             "instalments": np.full(k, 3, np.int8), "remaining_instalments": np.full(k, 3, np.int8),
             "annual_fee_rate": np.zeros(k), "credit_level": np.full(k, 2, np.int8),
             "region": np.zeros(k, np.int16), "principal_fen": p, "original_principal_fen": p,
             "fee_fen": np.zeros(k, np.int64), "status": np.zeros(k, np.int8),
             "late_since": np.full(k, -1, np.int32), "worst_dpd": np.zeros(k, np.int16),
             "flags": np.zeros(k, np.uint8), "lost_day": np.full(k, -1),
             "holder": np.full(k, ORIGINATOR, np.int8), "entered_day": orig,
             "left_day": np.full(k, -1, np.int32), "reserved_until": np.full(k, -1),
             "last_due_day": add_months_days(orig, 3)})
    return ids


def advance(pool, until):
    d = EFF
    while d < until:
        d += dt.timedelta(days=1)
        pool.collect(d)


def test_a_lost_asset_is_replaced_by_eligible_receivables_of_no_lower_balance():
    # originated on the delivery date: certain to be returned within 30 days (by 09-17)
    pool = pool_of([loan(1, principal_fen=300_000, origination_date="2020-08-18"),
                    loan(2, origination_date="2020-08-18")], lost_pct_first_month=100)
    advance(pool, dt.date(2020, 9, 17))
    on = dt.date(2020, 9, 17)
    sel = pool.select("lost", on)
    assert (sel.principal_fen, sel.loans) == (1_300_000, 2)
    pool.remove(sel, on)
    ids = inventory(pool, day_number(on), [700_000, 400_000, 150_000, 500_000])
    offer = pool.replacement_offer(on, sel.principal_fen)
    # the oldest receivables, as few as reach 1,300,000: 700,000 + 400,000 + 150,000 < 1.3m
    assert offer.lots.loan_ids.tolist() == ids.tolist()
    assert offer.principal_fen == 1_750_000 >= sel.principal_fen and offer.price_fen == 0
    pool.buy(offer, on)
    b = pool.balances()
    assert b.performing_fen == 1_750_000 and b.removed_fen == 1_300_000 and b.loans == 4
    assert pool.select("lost", on).loans == 0
    held = pool.holdings().to_pydict()
    assert sorted(held["loan_id"]) == ids.tolist()
    assert set(held["entry_reason"]) == {"replacement"}
    moves = pool.movements().to_pydict()
    gone = {i: r for i, r in zip(moves["loan_id"], moves["exit_reason"], strict=True)
            if i in (1, 2)}
    assert gone == {1: "lost", 2: "lost"}
    pool.book.check()


def test_a_replacement_the_inventory_cannot_cover_offers_what_there_is():
    pool = pool_of([loan(1, origination_date="2020-08-18")], lost_pct_first_month=100)
    on = dt.date(2020, 9, 17)
    advance(pool, on)
    inventory(pool, day_number(on), [200_000])
    pool.new_business.top_up = lambda day, fen: None  # an originator with nothing more to show
    offer = pool.replacement_offer(on, 1_000_000)
    assert offer.principal_fen == 200_000 < 1_000_000  # the originator pays cash instead


NO_CURES = {"cure_within_30_pct": 0, "cure_31_60_pct": 0, "cure_61_90_pct": 0}


def test_the_servicer_buys_overdue_and_non_performing_assets_separately():
    pool = pool_of([loan(1), loan(2, dpd=40, status="overdue"),
                    loan(3, dpd=100, status="non_performing", principal_fen=2_000_000)],
                   **NO_CURES)
    on = dt.date(2020, 8, 19)
    advance(pool, on)
    b = pool.balances()
    assert (b.performing_fen, b.overdue_fen, b.non_performing_fen) == (1_000_000, 1_000_000,
                                                                      2_000_000)
    od = pool.select("overdue", on)
    assert (od.overdue_fen, od.performing_fen, od.non_performing_fen, od.loans) == (
        1_000_000, 0, 0, 1)
    pool.remove(od, on)
    npl = pool.select("non_performing", on)
    assert (npl.non_performing_fen, npl.loans) == (2_000_000, 1)
    pool.remove(npl, on)
    b = pool.balances()
    assert (b.overdue_fen, b.non_performing_fen, b.removed_fen) == (0, 0, 3_000_000)
    c = pool.book.c
    rows = {int(i): r for r, i in enumerate(c["loan_id"][: pool.book.end])}
    assert c["status"][rows[2]] == SOLD and c["holder"][rows[2]] == SERVICER
    assert c["status"][rows[3]] == SOLD and c["holder"][rows[3]] == SERVICER
    pool.book.check()


def test_npl_ratio_is_non_performing_payable_balance_over_the_initial_cutoff_balance():
    pool = pool_of([loan(1, principal_fen=9_399_999),
                    loan(2, dpd=91, status="non_performing", principal_fen=600_001)])
    on = dt.date(2020, 8, 19)
    advance(pool, on)
    assert pool.initial_fen == 10_000_000
    assert pool.npl_ratio_ppm("principal") == 60_000  # 6.00001%, in whole ppm
    b = pool.balances()
    assert b.non_performing_fen * 100 > 6 * pool.initial_fen  # above 6%: counts for trigger (e)
    # principal plus fees: the four unpaid instalments' fees and their late fees
    fees = pool.npl_ratio_ppm("principal_plus_fees")
    assert fees == (600_001 + b.npl_fees_fen) * 1_000_000 // 10_000_000 > 60_000
    assert b.npl_fees_fen > 0


def test_a_non_performing_asset_counts_from_the_91st_day_past_due():
    pool = pool_of([loan(1, principal_fen=9_000_000),
                    loan(2, dpd=89, status="overdue", principal_fen=1_000_000)],
                   cure_within_30_pct=0, cure_31_60_pct=0, cure_61_90_pct=0)
    ratios = []
    for d in (dt.date(2020, 8, 19), dt.date(2020, 8, 20), dt.date(2020, 8, 21)):
        pool.collect(d)
        ratios.append(pool.npl_ratio_ppm())
    assert ratios == [0, 100_000, 100_000]  # dpd 90 on 08-19 is still overdue; 91 on 08-20


def test_over_term_assets_are_those_whose_last_instalment_falls_after_the_cutoff():
    pool = pool_of([loan(1, remaining_instalments=3), loan(2, remaining_instalments=12),
                    loan(3, remaining_instalments=6, principal_fen=500_000)])
    on = dt.date(2020, 9, 1)
    advance(pool, on)
    # next due 2020-09-10: last instalments 2020-11-10, 2021-02-10 and 2021-08-10
    sel = pool.select("over_term", on, cutoff=dt.date(2020, 12, 18))
    assert (sel.performing_fen, sel.loans) == (1_500_000, 2)
    pool.remove(sel, on)
    c = pool.book.c
    left = c["status"][np.isin(c["loan_id"], [2, 3])]
    assert (left == REPURCHASED).all()
    assert pool.balances().outstanding_fen == 1_000_000


def test_release_at_termination_empties_the_pool_and_records_why():
    pool = pool_of([loan(1), loan(2, dpd=40, status="overdue")], **NO_CURES)
    on = dt.date(2020, 8, 20)
    advance(pool, on)
    left = pool.release_all(on)
    assert (left.performing_fen, left.overdue_fen) == (1_000_000, 1_000_000)
    b = pool.balances()
    assert b.outstanding_fen == 0 and b.loans == 0 and b.removed_fen == 2_000_000
    assert pool.holdings().num_rows == 0
    moves = pool.movements().to_pydict()
    assert moves["exit_reason"] == ["released", "released"]
    assert moves["left_on"] == [on, on]
    assert (pool.book.c["holder"][:2] == NOTEHOLDERS).all()


@pytest.mark.parametrize("kind", ["lost", "overdue", "non_performing"])
def test_an_empty_selection_removes_nothing(kind):
    pool = pool_of([loan(1)])
    sel = pool.select(kind, dt.date(2020, 8, 19))
    pool.remove(sel, dt.date(2020, 8, 19))
    assert (sel.principal_fen, sel.loans) == (0, 0)
    assert pool.balances().outstanding_fen == 1_000_000


def test_movements_need_the_journal_and_say_so():
    pool = pool_of([loan(1)])
    pool.cfg = pool.cfg.model_copy(update={"journal": False})
    with pytest.raises(ValueError, match="journal"):
        pool.movements()
