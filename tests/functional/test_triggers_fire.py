"""Every trigger fires on the business day its clause says — and narrowly does not otherwise.

Each test runs a bundled scenario (configs/scenarios) and checks the date against the
calendar or against figures recomputed from the audit log itself.
"""

from __future__ import annotations

import datetime as dt

D = dt.date.fromisoformat


def fired(run):
    return [(t["kind"], t["clause"], t["date"]) for t in run.summary["triggers"]]


def following(run, d: dt.date) -> str:
    return run.env.calendar.following(d).isoformat()


# ---------------------------------------------------------------- (a)
def test_a_originator_insolvency_fires_the_same_day(scenario_run):
    run = scenario_run("originator_insolvency_trigger_a")
    assert fired(run) == [("acceleration", "a", "2021-09-01")]
    assert run.summary["revolving_end"] == {"date": "2021-09-01", "cause": "acceleration event (a)"}
    assert not [e for e in run.of("purchase_requested") if e["date"] > "2021-09-01"]


# ---------------------------------------------------------------- (b)
def test_b_no_successor_servicer_within_90_days_takes_effect_on_the_90th_calendar_day(
        scenario_run):
    """An automatic acceleration event "shall be deemed to occur on the day the event
    occurs" [一.4.4(1)] (自动生效的加速清偿事件……应视为在该等事件发生之日发生), and (b)
    counts calendar days: the 90th day, 2021-05-02, is a Sunday in the Labour Day
    holiday, and the event takes effect that Sunday — not at the close of the next
    business day, 2021-05-06, as the trustee used to log it. Revolving ends that day, so
    the amortization payment dates count 10 business days from the Sunday; the eligible
    investment the trustee redeems is paid by the bank on its next business day."""
    run = scenario_run("servicer_not_replaced_trigger_b")
    day90 = dt.date(2021, 2, 1) + dt.timedelta(days=90)
    assert day90 == D("2021-05-02") and not run.env.calendar.is_business_day(day90)
    assert fired(run) == [("acceleration", "b", "2021-05-02")]
    assert run.summary["revolving_end"] == {"date": "2021-05-02",
                                            "cause": "acceleration event (b)"}
    redeemed = [e for e in run.of("instruction_issued")
                if e["reason"] == "eligible investment matures" and e["date"] == "2021-05-02"]
    invested = [e["eligible_investments_fen"] for e in run.of("day_closed") if e["date"] < "2021-05-02"][-1]
    assert [(e["value_date"], e["amount_fen"]) for e in redeemed] == [("2021-05-06", invested)]
    amort = [e["date"] for e in run.of("payment_date") if e["waterfall"] != "revolving"]
    # 10 business days from Sunday 2021-05-02: 05-06, 07, 08 (a make-up Saturday), 10-14,
    # 17, 18 — from Thursday 05-06 it would have been 05-20
    assert amort[0] == run.env.calendar.add_business_days(day90, 10).isoformat() == "2021-05-18"


def test_b_successor_within_90_days_fires_nothing(scenario_run):
    run = scenario_run("servicer_replaced_in_time")
    assert fired(run) == []
    assert [e["date"] for e in run.of("successor_appointed")] == ["2021-04-02"]


# ---------------------------------------------------------------- (c)
def test_c_unexplained_late_transfer_fires_on_the_first_overdue_day(scenario_run):
    run = scenario_run("late_transfer_trigger_c")
    assert fired(run) == [("acceleration", "c", "2021-07-05")]
    figures = run.summary["triggers"][0]["figures"]
    # Friday to Sunday's collections were due on Monday 2021-07-05
    due = [e for e in run.of("collections_received") if e["sweep_due"] == "2021-07-05"]
    assert figures == {"overdue_fen": sum(e["amount_fen"] for e in due), "due_since": "2021-07-05"}


def test_c_explained_outage_within_10_business_days_fires_nothing(scenario_run):
    run = scenario_run("servicer_outage_7bd")
    assert fired(run) == []
    notice = run.of("reserve_delay_notified")
    assert [(e["date"], e["until"]) for e in notice] == [("2021-03-01", "2021-03-10")]


def test_c_explained_outage_beyond_10_business_days_fires_on_the_11th(scenario_run):
    inc = {"kind": "servicer_outage", "start": "2021-03-01", "duration_business_days": 12}
    run = scenario_run("base", {"incidents": [inc]})
    eleventh = run.env.calendar.add_business_days(dt.date(2021, 3, 1), 11)
    assert fired(run) == [("acceleration", "c", eleventh.isoformat())]


# ---------------------------------------------------------------- (d)
def test_d_no_successor_trustee_within_90_days_takes_effect_on_the_90th_calendar_day(
        scenario_run):
    """The 90th day from 2021-03-01 is Sunday 2021-05-30: the automatic event takes effect
    that day [一.4.4(1)], not at Monday 2021-05-31's close."""
    late = {"kind": "trustee_replacement", "start": "2021-03-01", "successor_after_days": 100}
    run = scenario_run("base", {"incidents": [late]})
    assert following(run, dt.date(2021, 5, 30)) == "2021-05-31"
    assert fired(run) == [("acceleration", "d", "2021-05-30")]
    in_time = {"kind": "trustee_replacement", "start": "2021-03-01", "successor_after_days": 89}
    assert fired(scenario_run("base", {"incidents": [in_time]})) == []


# ---------------------------------------------------------------- (e)
def npl_runs(run, threshold_ppm=60_000):
    """Consecutive business days (in the revolving period) the logged NPL ratio exceeded 6%."""
    runs, current, first_fifth = [], 0, None
    for e in run.of("day_closed"):
        cutoff = run.summary["pool"]["initial_fen"]
        above = e["pool_non_performing_fen"] * 1_000_000 > threshold_ppm * cutoff
        current = current + 1 if above else 0
        if current == 5 and first_fifth is None:
            first_fifth = e["date"]
        runs.append(current)
    return max(runs), first_fifth


def test_e_npl_ratio_above_6pct_on_5_consecutive_business_days(scenario_run):
    run = scenario_run("npl_spike_trigger_e")
    longest, fifth = npl_runs(run)
    assert longest >= 5
    assert fired(run) == [("acceleration", "e", fifth)]
    figures = run.summary["triggers"][0]["figures"]
    assert len(figures["npl_ratio_by_day_ppm"]) == 5 and min(figures["npl_ratio_by_day_ppm"]) >= 60_000


def test_e_four_days_then_the_servicer_buys_the_npls(scenario_run):
    run = scenario_run("npl_spike_4bd_no_trigger")
    longest, _ = npl_runs(run)
    assert longest == 4  # narrowly: four consecutive days above 6%, never five
    assert fired(run) == []
    assert run.of("servicer_purchase_completed")


def test_e_with_four_days_required_the_same_path_fires(scenario_run):
    run = scenario_run("npl_spike_4bd_no_trigger",
                       {"triggers": [{"name": "npl_ratio", "consecutive_business_days": 4}]})
    assert [c for _, c, _ in fired(run)] == ["e"]


# ---------------------------------------------------------------- (f)
def test_f_downgrade_below_aa_minus(scenario_run):
    run = scenario_run("downgrade_trigger_f")
    assert fired(run) == [("acceleration", "f", "2021-04-15")]
    assert run.summary["triggers"][0]["figures"] == {"originator_rating": "A+", "floor": "AA-"}


def test_f_downgrade_to_aa_minus_itself_fires_nothing(scenario_run):
    run = scenario_run("downgrade_trigger_f", {"incidents": [
        {"kind": "originator_downgrade", "start": "2021-04-15", "rating": "AA-"}]})
    assert fired(run) == []


# ---------------------------------------------------------------- (g)
def days_below(run, pct=90):
    """Revolving business days with the pool below ``pct``% of the notes at 24:00. The day
    (g) itself fires still counts: the trustee counts it at 24:00, then revolving ends."""
    g_day = next((t["date"] for t in run.summary["triggers"] if t["clause"] == "g"), None)
    return [e["date"] for e in run.of("day_closed")
            if (e["period"] == "revolving" or e["date"] == g_day)
            and e["pool_outstanding_fen"] * 100 < pct * e["notes_outstanding_fen"]]


def test_g_pool_below_90pct_of_notes_on_a_cumulative_60_business_days(scenario_run):
    run = scenario_run("asset_shortage_trigger_g")
    below = days_below(run)
    assert fired(run) == [("acceleration", "g", below[59])]
    assert run.summary["triggers"][0]["figures"]["cumulative_business_days"] == 60


def test_g_narrowly_not_one_day_short(scenario_run):
    never = scenario_run("asset_shortage_trigger_g",
                         {"triggers": [{"name": "pool_below_notes", "cumulative_business_days": 10_000}]})
    n = len(days_below(never))
    assert n > 60
    exact = scenario_run("asset_shortage_trigger_g",
                         {"triggers": [{"name": "pool_below_notes", "cumulative_business_days": n}]})
    assert [c for _, c, _ in fired(exact)] == ["g"]
    short = scenario_run("asset_shortage_trigger_g",
                         {"triggers": [{"name": "pool_below_notes", "cumulative_business_days": n + 1}]})
    assert fired(short) == []


# ---------------------------------------------------------------- (h)
def test_h_series_2_issuance_termination(scenario_run):
    run = scenario_run("rollover_fails_series2")
    assert fired(run) == [("acceleration", "h", "2020-12-18")]
    assert run.summary["notes"]["senior"]["series_issued"] == [1]


# ---------------------------------------------------------------- declared events
def test_declared_event_takes_effect_on_the_resolution_date(scenario_run):
    run = scenario_run("declared_event_material_adverse_dj")
    assert [e["meeting_date"] for e in run.of("noteholder_meeting_convened")] == ["2021-04-20"]
    assert fired(run) == [("acceleration", "D(j)", "2021-04-20")]
    assert run.summary["revolving_end"]["date"] == "2021-04-20"
    notified = run.of("declared_event_notified")[0]["notified"]
    assert notified == ["servicer", "custodian", "registrar", "paying_agent", "rating_agency"]


def test_declared_event_not_resolved_has_no_effect(scenario_run):
    run = scenario_run("declared_event_material_adverse_dj", {"incidents": [
        {"kind": "declared_event", "start": "2021-04-06", "effect": "acceleration", "clause": "D(j)",
         "description": "rumour", "meeting_after_business_days": 10, "declared": False}]})
    assert fired(run) == []
    assert [e["declared"] for e in run.of("noteholder_meeting_resolved")] == [False]


# ---------------------------------------------------------------- events of default
def test_default_a_senior_interest_unpaid_5_business_days_after_the_payment_date(scenario_run):
    run = scenario_run("senior_interest_default_event_a")
    fifth = run.env.calendar.add_business_days(dt.date(2021, 3, 18), 5)
    assert fired(run) == [("default", "a", fifth.isoformat())]
    after = {e["waterfall"] for e in run.of("payment_date") if e["date"] > fifth.isoformat()}
    assert after == {"post_default"}


def test_default_a_cured_within_the_grace_period_fires_nothing(scenario_run):
    run = scenario_run("senior_interest_default_event_a", {"incidents": [
        {"kind": "investment_loss", "start": "2021-03-17", "loss_pct": 100},
        {"kind": "servicer_transfer_failure", "start": "2021-03-17", "duration_business_days": 4,
         "explanation_accepted": True}]})
    assert fired(run) == []
    grace = [e for e in run.of("payment_date") if e.get("grace_for")]
    assert [(e["date"], e["grace_for"], e["waterfall"]) for e in grace] == [
        ("2021-03-23", "2021-03-18", "revolving")]


def test_default_b_principal_unpaid_10_business_days_after_legal_maturity(scenario_run):
    run = scenario_run("no_clean_up_principal_default_event_b")
    tenth = run.env.calendar.add_business_days(dt.date(2023, 9, 12), 10)
    assert fired(run) == [("default", "b", tenth.isoformat())]
    # the sub was owed principal when the event took effect; the liquidation repays it later
    # (tests/functional/test_contract_mechanics.py)
    sale, = run.of("liquidation_sale")
    assert sale["notes_outstanding_by_class_fen"] == {"senior": 0, "mezz": 0,
                                                      "sub": 1_824_585_711}


def test_default_a_with_no_grace_fires_on_the_payment_date_itself(scenario_run):
    """A grace of 0 business days means none: interest unpaid at the payment date's close."""
    run = scenario_run("senior_interest_default_event_a",
                       {"triggers": [{"name": "senior_interest_default", "grace_business_days": 0}]})
    short = [e for e in run.of("waterfall_step")
             if e["pay"] == "senior_interest" and e["shortfall_fen"] > 0]
    assert short and short[0]["date"] == "2021-03-18"
    assert fired(run) == [("default", "a", "2021-03-18")]


def test_no_grace_on_a_deal_that_pays_on_time_fires_nothing(scenario_run):
    """Grace 0 on both events of default: the base deal pays every date, so nothing fires
    (it fired an event of default on the effective date before this was fixed)."""
    run = scenario_run("base", {"triggers": [
        {"name": "senior_interest_default", "grace_business_days": 0},
        {"name": "principal_default", "grace_business_days": 0}]})
    assert fired(run) == []
    assert all(n["paid_in_full"] for n in run.summary["notes"].values())


def test_a_originator_insolvency_on_a_holiday_takes_effect_that_day(scenario_run):
    """An insolvency on Friday 2021-10-01, National Day, is an automatic event of that day
    [一.4.4(1)]: revolving ends on the holiday, not at the close of Friday 2021-10-08
    (the first business day after the week off)."""
    inc = {"kind": "originator_insolvency", "start": "2021-10-01"}
    run = scenario_run("base", {"incidents": [inc]})
    assert following(run, D("2021-10-01")) == "2021-10-08"
    assert fired(run) == [("acceleration", "a", "2021-10-01")]
    assert run.summary["revolving_end"] == {"date": "2021-10-01", "cause": "acceleration event (a)"}
