"""The pool's performance figures (docs/model.md, "Pool performance"): the overdue balance by
days past due, scheduled principal and prepayments — loan by loan and on the rep line."""

import datetime as dt
from decimal import Decimal

from support.hand_pools import EFF, ROOT, loan, pool_of

from trustsim.config import load_deal
from trustsim.pool.rep_line import RepLinePool, scheduled_rate

NO_CURES = {"cure_within_30_pct": 0, "cure_31_60_pct": 0, "cure_61_90_pct": 0}
DAY = dt.timedelta(days=1)


def _buckets(b):
    return b.overdue_1_30_fen, b.overdue_31_60_fen, b.overdue_61_90_fen


# ---------------------------------------------------------------- loan level
def test_an_overdue_receivable_moves_bucket_the_day_after_30_and_60_days_past_due():
    pool = pool_of([loan(1, principal_fen=9_000_000),
                    loan(2, dpd=29, status="overdue", principal_fen=1_000_000),
                    loan(3, dpd=59, status="overdue", principal_fen=2_000_000),
                    loan(4, dpd=89, status="overdue", principal_fen=3_000_000)], **NO_CURES)
    pool.collect(EFF + DAY)          # 30, 60 and 90 days past due
    b = pool.balances()
    assert _buckets(b) == (1_000_000, 2_000_000, 3_000_000) and b.non_performing_fen == 0
    pool.collect(EFF + 2 * DAY)      # 31, 61 and 91: the last is non-performing (90+)
    b = pool.balances()
    assert _buckets(b) == (0, 1_000_000, 2_000_000) and b.non_performing_fen == 3_000_000
    assert sum(_buckets(b)) == b.overdue_fen
    pool.book.check()                # the ring agrees with the receivables' own columns


def test_a_receivable_sold_while_overdue_leaves_its_bucket():
    pool = pool_of([loan(1), loan(2, dpd=40, status="overdue")], **NO_CURES)
    on = EFF + DAY
    pool.collect(on)
    assert _buckets(pool.balances()) == (0, 1_000_000, 0)
    pool.remove(pool.select("overdue", on), on)
    assert _buckets(pool.balances()) == (0, 0, 0)
    pool.book.check()


def test_an_instalment_paid_on_its_due_date_is_scheduled_principal_not_a_prepayment():
    pool = pool_of([loan(1, principal_fen=1_200_000, instalments=12, remaining_instalments=12)])
    pool.collect(dt.date(2020, 9, 10))        # the first due date (originated on the 10th)
    b = pool.balances()
    assert (b.scheduled_fen, b.prepaid_fen, b.collected_fen) == (100_000, 0, 100_000)


def test_a_receivable_repaid_in_full_early_is_a_prepayment_of_its_whole_principal():
    pool = pool_of([loan(1, principal_fen=1_200_000)], full_prepayment_pct_per_month=100)
    pool.collect(dt.date(2020, 9, 9))         # before its first due date
    b = pool.balances()
    assert (b.prepaid_fen, b.scheduled_fen, b.collected_fen) == (1_200_000, 0, 1_200_000)


# ---------------------------------------------------------------- rep line
def _rep_line(**update):
    deal = load_deal(ROOT / "configs/deals/dongdao3_2020_1.yaml")
    cfg = deal.pool.model_copy(update=update)
    return RepLinePool(cfg, deal.dates.trust_effective_date), deal.dates.trust_effective_date


def test_the_schedule_of_a_remaining_term_mix_is_one_over_the_instalments_left():
    assert scheduled_rate({24: Decimal(100)}) == sum(1 / n for n in range(1, 25)) / 24
    # one receivable in two left, one in four: (1/1 + 1/2) / 2 and (1/3 + 1/4) / 2
    assert abs(scheduled_rate({2: Decimal(50), 4: Decimal(50)})
               - (0.5 * 0.75 + 0.5 * (1 / 3 + 1 / 4) / 2)) < 1e-15


def test_dongdaos_rep_line_schedule_exceeds_its_payment_rate_so_it_prepays_nothing():
    assert scheduled_rate({6: 44.59, 12: 30.72, 18: 7.55, 24: 17.14}) > 0.2077
    pool, eff = _rep_line()
    pool.collect(eff + 120 * DAY)
    b = pool.balances()
    assert b.prepaid_fen == 0 and b.scheduled_fen == b.collected_fen > 0


def test_a_rep_line_repaying_faster_than_its_schedule_prepays_the_excess():
    pool, eff = _rep_line(remaining_term_pct={24: Decimal(100)}, last_instalment_months=None)
    pool.collect(eff + 90 * DAY)
    b = pool.balances()
    assert b.scheduled_fen + b.prepaid_fen == b.collected_fen
    share = 1 - scheduled_rate({24: Decimal(100)}) / 0.2077    # the rate beyond the schedule
    assert abs(b.prepaid_fen / b.collected_fen - share) < 1e-6


def test_the_rep_lines_buckets_are_its_defaults_by_age():
    pool, eff = _rep_line()
    defaulted = {}      # day -> principal defaulted that day
    before = 0
    for k in range(1, 201):
        pool.collect(eff + k * DAY)
        b = pool.balances()
        now = b.overdue_fen + b.non_performing_fen + b.charged_off_fen
        defaulted[k] = now - before
        before = now

    def aged(lo, hi):   # principal that defaulted lo..hi days before day 200
        return sum(v for k, v in defaulted.items() if lo <= 200 - k <= hi)

    b = pool.balances()
    assert _buckets(b) == (aged(0, 30), aged(31, 60), aged(61, 90))
    assert b.non_performing_fen == aged(91, 180) and b.charged_off_fen == aged(181, 200)
    assert min(_buckets(b)) > 0


def test_the_loan_books_buckets_agree_with_its_receivables_over_a_revolving_life():
    from trustsim.pool import build_pool
    from trustsim.pool.scaling import scale_overrides
    from trustsim.sim.rng import RngStreams

    path = ROOT / "configs/deals/dongdao3_2020_1_loans.yaml"
    deal = load_deal(path, overrides=scale_overrides(load_deal(path), 0.01))
    pool = build_pool(deal, RngStreams(7))
    eff = deal.dates.trust_effective_date
    seen = [0, 0, 0]
    for k in range(1, 181):
        pool.collect(eff + k * DAY)
        if k % 45 == 0:
            pool.book.check()       # buckets recomputed from late_since and status
            b = pool.balances()
            seen = [max(s, x) for s, x in zip(seen, _buckets(b), strict=True)]
    assert min(seen) > 0 and pool.balances().prepaid_fen > 0
