"""Triggers [一.4.4(1)]: each fires on the business day its condition is met, and not before."""

import datetime as dt
from decimal import Decimal

from conftest import DEAL_FILE

from trustsim.config import load_deal
from trustsim.contract.triggers import (
    DayFigures,
    InterestDefault,
    NplRatio,
    PoolBelowNotes,
    PrincipalDefault,
    ServicerNotReplaced,
    Trigger,
    build_triggers,
)

D = dt.date
CUTOFF = 100_000_000


def fig(day: int, npl=0, pool=CUTOFF, notes=CUTOFF, rating="AAA", revolving=True, arrears=None,
        **events):
    return DayFigures(D(2021, 1, 1) + dt.timedelta(days=day), revolving, npl, CUTOFF, pool, notes,
                      rating, interest_overdue_bd=arrears, **events)


def of(deal, name: str) -> Trigger:
    """The deal's trigger ``name``, fresh (its counters at zero), with the deal's clause and effect."""
    return next(t for t in build_triggers(deal) if t.name == name)


def test_e_npl_ratio_above_6pct_on_5_consecutive_business_days_fires_on_the_5th(deal):
    t = of(deal, "npl_ratio")
    assert (t.threshold_ppm, t.days_required, t.with_fees) == (60_000, 5, False)
    results = [t.observe(fig(i, npl=6_000_001)) for i in range(5)]
    assert results[:4] == [None] * 4
    assert results[4].clause == "e" and results[4].date == D(2021, 1, 5)


def test_e_reports_the_ratios_of_the_five_days_that_made_it(deal):
    t = of(deal, "npl_ratio")
    # a day at 7% then a dip, then 6.1% .. 6.5% of the 100,000,000 fen cut-off: 61,000 .. 65,000 ppm
    days = [7_000_000, 5_000_000, 6_100_000, 6_200_000, 6_300_000, 6_400_000, 6_500_000]
    fired = [t.observe(fig(i, npl=v)) for i, v in enumerate(days)]
    assert fired[:6] == [None] * 6
    assert fired[6].figures == {"npl_ratio_by_day_ppm": [61_000, 62_000, 63_000, 64_000, 65_000],
                                "threshold_ppm": 60_000, "npl_balance_fen": 6_500_000,
                                "initial_cutoff_fen": CUTOFF}


def test_e_exactly_6pct_does_not_count(deal):
    t = of(deal, "npl_ratio")
    assert all(t.observe(fig(i, npl=6_000_000)) is None for i in range(10))


def test_e_four_days_then_a_dip_restarts_the_count(deal):
    t = of(deal, "npl_ratio")
    seq = [7_000_000] * 4 + [5_000_000] + [7_000_000] * 4
    assert all(t.observe(fig(i, npl=v)) is None for i, v in enumerate(seq))


def test_e_on_principal_plus_fees_counts_the_accrued_unpaid_fees_too():
    # 5,900,000 fen of principal (5.9%) and 200,000 fen of fees: 6.1% with the fees, not without
    on_principal = NplRatio(clause="e", threshold_ppm=60_000, days_required=1)
    with_fees = NplRatio(clause="e", threshold_ppm=60_000, days_required=1, with_fees=True)
    day = fig(0, npl=5_900_000, npl_fees_fen=200_000)
    assert on_principal.observe(day) is None
    fired = with_fees.observe(day)
    assert fired.figures == {"npl_ratio_by_day_ppm": [61_000], "threshold_ppm": 60_000,
                             "npl_balance_fen": 6_100_000, "initial_cutoff_fen": CUTOFF}
    # the deal file's basis: principal_plus_fees builds the trigger with the fees
    deal = load_deal(DEAL_FILE, overrides={"triggers": [{"name": "npl_ratio", "basis": "principal_plus_fees"}]})
    assert of(deal, "npl_ratio").with_fees


def test_g_pool_below_90pct_of_notes_on_a_cumulative_60_days(deal):
    t = of(deal, "pool_below_notes")
    assert (t.pct, t.days_required) == (90, 60)
    fired = None
    for i in range(120):
        below = i % 2 == 0  # every other day: cumulative, not consecutive
        fired = fired or t.observe(fig(i, pool=89_999_999 if below else 90_000_000))
    assert fired is not None and fired.date == D(2021, 1, 1) + dt.timedelta(days=118)
    assert fired.figures["cumulative_business_days"] == 60


def test_g_only_counts_in_the_revolving_period():
    t = PoolBelowNotes(clause="g", days_required=1)
    assert t.observe(fig(0, pool=1, revolving=False)) is None


def test_g_reports_the_balances_behind_it():
    t = PoolBelowNotes(clause="g", pct=Decimal(90), days_required=2)
    t.observe(fig(0, pool=80, notes=100))
    assert t.observe(fig(1, pool=89, notes=100)).figures == {
        "pool_balance_fen": 89, "notes_outstanding_fen": 100, "pct": "90",
        "cumulative_business_days": 2}


def test_f_rating_below_aa_minus_fires_and_aa_minus_does_not(deal):
    assert of(deal, "originator_downgrade").observe(fig(0, rating="AA-")) is None
    fired = of(deal, "originator_downgrade").observe(fig(0, rating="A+"))
    assert fired.clause == "f"
    assert fired.figures == {"originator_rating": "A+", "floor": "AA-"}


def test_a_originator_insolvency_takes_effect_the_day_it_occurs(deal):
    t = of(deal, "originator_insolvency")
    assert t.observe(fig(0)) is None
    fired = t.observe(fig(3, originator_insolvent=True))
    assert (fired.kind, fired.clause, fired.date) == ("acceleration", "a", D(2021, 1, 4))
    assert fired.figures == {"originator_insolvent": True}


def test_b_no_qualified_successor_servicer_within_90_days(deal):
    t = of(deal, "servicer_not_replaced")
    assert t.observe(fig(0)) is None                              # -1: no termination event
    assert t.observe(fig(89, servicer_unreplaced_days=89)) is None
    fired = t.observe(fig(90, servicer_unreplaced_days=90))
    assert (fired.clause, fired.date) == ("b", D(2021, 4, 1))
    assert fired.figures == {"days_without_successor": 90, "limit_days": 90}


def test_c_a_transfer_late_without_an_accepted_explanation(deal):
    since = D(2021, 3, 2)
    explained = fig(1, transfer_overdue_fen=500, transfer_overdue_since=since, transfer_explained=True)
    assert of(deal, "transfer_failure").observe(explained) is None
    assert of(deal, "transfer_failure").observe(fig(1)) is None              # nothing overdue
    fired = of(deal, "transfer_failure").observe(
        fig(1, transfer_overdue_fen=500, transfer_overdue_since=since))
    assert (fired.clause, fired.figures) == ("c", {"overdue_fen": 500, "due_since": "2021-03-02"})
    # one fen short is a failure to transfer in full; a date the servicer cannot give is None
    fired = of(deal, "transfer_failure").observe(fig(1, transfer_overdue_fen=1))
    assert fired.figures == {"overdue_fen": 1, "due_since": None}


def test_d_no_successor_trustee_within_90_days(deal):
    t = of(deal, "trustee_not_replaced")
    assert t.observe(fig(0)) is None
    assert t.observe(fig(89, trustee_unreplaced_days=89)) is None
    fired = t.observe(fig(90, trustee_unreplaced_days=90))
    assert (fired.clause, fired.figures) == ("d", {"days_without_successor": 90, "limit_days": 90})


def test_h_a_series_issuance_termination_event(deal):
    t = of(deal, "issuance_failure")
    assert t.observe(fig(0)) is None
    fired = t.observe(fig(1, issuance_failed_series=2))
    assert (fired.kind, fired.clause, fired.figures) == ("acceleration", "h", {"series": 2})


def test_event_of_default_a_after_the_grace_period(deal):
    t = of(deal, "senior_interest_default")
    assert t.grace_bd == 5
    assert t.observe(fig(0)) is None                              # nothing unpaid
    assert t.observe(fig(0, arrears=4)) is None
    fired = t.observe(fig(1, arrears=5))
    assert (fired.kind, fired.clause) == ("default", "a")
    assert fired.figures == {"business_days_overdue": 5, "grace": 5}


def test_event_of_default_b_principal_unpaid_10_business_days_after_legal_maturity(deal):
    t = of(deal, "principal_default")
    assert t.grace_bd == 10
    assert t.observe(fig(0)) is None                              # not yet due, or paid
    assert t.observe(fig(13, principal_overdue_bd=9)) is None
    fired = t.observe(fig(14, principal_overdue_bd=10))
    assert (fired.kind, fired.clause, fired.date) == ("default", "b", D(2021, 1, 15))
    assert fired.figures == {"business_days_overdue": 10, "grace": 10}


def test_a_grace_of_0_makes_principal_unpaid_at_the_close_of_legal_maturity_the_event():
    t = PrincipalDefault(kind="default", clause="b", grace_bd=0)
    assert t.observe(fig(0, principal_overdue_bd=0)).figures == {"business_days_overdue": 0, "grace": 0}


def test_a_grace_of_0_makes_interest_unpaid_at_the_payment_date_s_close_the_event():
    t = InterestDefault(kind="default", clause="a", grace_bd=0)
    assert t.observe(fig(0, arrears=0)).figures == {"business_days_overdue": 0, "grace": 0}


def test_a_fired_trigger_stays_fired_and_is_reported_once(deal):
    t = of(deal, "npl_ratio")
    fired = [t.observe(fig(i, npl=10_000_000)) for i in range(10)]
    assert sum(f is not None for f in fired) == 1


def test_the_deal_has_every_automatic_clause_and_both_defaults(deal):
    got = [(t.kind, t.clause) for t in build_triggers(deal)]
    # and the two reconciliation clauses (ASSUMPTION, issue 13): a servicer's sweep break is
    # (c), a custodian's error not corrected is event of default (c)
    assert got == [("acceleration", c) for c in "abcdefgh"] + [("default", "a"), ("default", "b"),
                                                              ("acceleration", "c"), ("default", "c")]
    # each carries the deal's name for it, and none switches the waterfall
    assert [t.name for t in build_triggers(deal)] == [t.name for t in deal.triggers]
    assert all(t.waterfall is None for t in build_triggers(deal))


def test_a_trigger_takes_its_clause_from_the_deal_not_from_its_kind():
    # the library's kinds carry no clause of their own: the deal file names it
    assert (NplRatio().clause, InterestDefault().clause, PrincipalDefault().clause) == ("", "", "")
    moved = load_deal(DEAL_FILE, overrides={"triggers": [{"name": "npl_ratio", "clause": "E-1"}]})
    t = of(moved, "npl_ratio")
    fired = [t.observe(fig(i, npl=10_000_000)) for i in range(5)][-1]
    assert (fired.kind, fired.clause, fired.name) == ("acceleration", "E-1", "npl_ratio")


def params(triggers):
    (_, b, _, d, e, f, g, _, eod_a, eod_b, *_reconciliation) = triggers
    return (b.days, d.days, e.threshold_ppm, e.days_required, f.floor, g.pct, g.days_required,
            eod_a.grace_bd, eod_b.grace_bd)


def test_each_trigger_takes_its_terms_from_the_deal(deal):
    # the report's terms: 90 days, above 6% (60,000 ppm) on 5 days, AA-, 90% on 60 days, 5 and 10
    assert params(build_triggers(deal)) == (90, 90, 60_000, 5, "AA-", 90, 60, 5, 10)
    other = load_deal(DEAL_FILE, overrides={"triggers": [
        {"name": "servicer_not_replaced", "days": 45}, {"name": "trustee_not_replaced", "days": 30},
        {"name": "npl_ratio", "threshold_pct": "7.5", "consecutive_business_days": 3},
        {"name": "originator_downgrade", "floor": "A"},
        {"name": "pool_below_notes", "pct": 85, "cumulative_business_days": 30},
        {"name": "senior_interest_default", "grace_business_days": 2},
        {"name": "principal_default", "grace_business_days": 4}]})
    assert params(build_triggers(other)) == (45, 30, 75_000, 3, "A", 85, 30, 2, 4)



def test_the_calendar_day_clauses_are_the_ones_whose_condition_is_a_day_s_fact(deal):
    """[一.4.4(1)] An automatic event takes effect on the day it occurs: (a) an insolvency,
    (b)/(d) 90 calendar days without a successor and (f) a rating action can fall on a
    weekend or holiday and take effect that day; (c), (e), (g) and the events of default
    count business days and (h) falls on a roll date, so they hold only at a business
    day's close."""
    got = [(t.kind, t.clause) for t in build_triggers(deal) if t.calendar_day]
    assert got == [("acceleration", "a"), ("acceleration", "b"), ("acceleration", "d"),
                   ("acceleration", "f")]


def test_b_holds_on_the_90th_calendar_day_whatever_day_of_the_week_it_is():
    """Termination event on 2021-02-01: day 90 is Sunday 2021-05-02, the trigger's date."""
    t = ServicerNotReplaced(clause="b", days=90)
    start = D(2021, 2, 1)
    sunday = start + dt.timedelta(days=90)
    assert t.observe(DayFigures(sunday - dt.timedelta(days=1), True, 0, CUTOFF, CUTOFF, CUTOFF,
                                "AAA", servicer_unreplaced_days=89)) is None
    fired = t.observe(DayFigures(sunday, True, 0, CUTOFF, CUTOFF, CUTOFF, "AAA",
                                 servicer_unreplaced_days=90))
    assert (fired.clause, fired.date, sunday.weekday()) == ("b", D(2021, 5, 2), 6)
