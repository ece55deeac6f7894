"""Triggers [一.4.4(1)]: each fires on the business day its condition is met, and not before."""

import datetime as dt

from trustsim.contract.triggers import (
    DayFigures,
    NplRatio,
    PoolBelowNotes,
    RatingFloor,
    SeniorInterestDefault,
    build_triggers,
)

D = dt.date
CUTOFF = 100_000_000


def fig(day: int, npl=0, pool=CUTOFF, notes=CUTOFF, rating="AAA", revolving=True, arrears=None):
    return DayFigures(D(2021, 1, 1) + dt.timedelta(days=day), revolving, npl, CUTOFF, pool, notes,
                      rating, senior_interest_overdue_bd=arrears)


def test_e_npl_ratio_above_6pct_on_5_consecutive_business_days_fires_on_the_5th():
    t = NplRatio(threshold_ppm=60_000, days_required=5)
    results = [t.observe(fig(i, npl=6_000_001)) for i in range(5)]
    assert results[:4] == [None] * 4
    assert results[4].clause == "e" and results[4].date == D(2021, 1, 5)


def test_e_exactly_6pct_does_not_count():
    t = NplRatio(threshold_ppm=60_000, days_required=5)
    assert all(t.observe(fig(i, npl=6_000_000)) is None for i in range(10))


def test_e_four_days_then_a_dip_restarts_the_count():
    t = NplRatio(threshold_ppm=60_000, days_required=5)
    seq = [7_000_000] * 4 + [5_000_000] + [7_000_000] * 4
    assert all(t.observe(fig(i, npl=v)) is None for i, v in enumerate(seq))


def test_g_pool_below_90pct_of_notes_on_a_cumulative_60_days():
    t = PoolBelowNotes(days_required=60)
    fired = None
    for i in range(120):
        below = i % 2 == 0  # every other day: cumulative, not consecutive
        fired = fired or t.observe(fig(i, pool=89_999_999 if below else 90_000_000))
    assert fired is not None and fired.date == D(2021, 1, 1) + dt.timedelta(days=118)
    assert fired.figures["cumulative_business_days"] == 60


def test_g_only_counts_in_the_revolving_period():
    t = PoolBelowNotes(days_required=1)
    assert t.observe(fig(0, pool=1, revolving=False)) is None


def test_f_rating_below_aa_minus_fires_and_aa_minus_does_not():
    assert RatingFloor(floor="AA-").observe(fig(0, rating="AA-")) is None
    assert RatingFloor(floor="AA-").observe(fig(0, rating="A+")).clause == "f"


def test_event_of_default_a_after_the_grace_period():
    t = SeniorInterestDefault(grace_bd=5)
    assert t.observe(fig(0, arrears=4)) is None
    assert t.observe(fig(1, arrears=5)).kind == "default"


def test_a_fired_trigger_stays_fired_and_is_reported_once(deal):
    t = next(t for t in build_triggers(deal.triggers) if t.clause == "e")
    fired = [t.observe(fig(i, npl=10_000_000)) for i in range(10)]
    assert sum(f is not None for f in fired) == 1


def test_the_deal_has_every_automatic_clause_and_both_defaults(deal):
    got = [(t.kind, t.clause) for t in build_triggers(deal.triggers)]
    assert got == [("acceleration", c) for c in "abcdefgh"] + [("default", "a"), ("default", "b")]
