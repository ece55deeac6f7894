"""The contract's mechanics in the runs where they used to go wrong (issue 12, item 3).

Each test runs a bundled scenario and asserts the dates and amounts the contract gives.
"""

from __future__ import annotations


def payment_dates(run) -> list[tuple[str, str]]:
    return [(e["date"], e["waterfall"]) for e in run.of("payment_date")]


def step_paid(run, date: str, pay: str) -> int:
    return sum(e["paid_fen"] for e in run.of("waterfall_step")
               if e["date"] == date and e["pay"] == pay)


# ------------------------------------------------ [一.4.4(2)] amortization payment dates
def test_issuance_failure_on_a_roll_date_pays_the_first_amortization_date(scenario_run):
    """Trigger (h) fires on series 1's maturity 2020-12-18, itself a payment date — the
    revolving period's last (interest.at_issuance_failure) —: the next payment date is 10
    business days later, 2021-01-04, which pays out the over-term repurchase price received
    2020-12-21 (it used to sit idle until 2021-01-18)."""
    run = scenario_run("rollover_fails_series2")
    assert payment_dates(run)[-2:] == [("2020-12-18", "revolving"),
                                       ("2021-01-04", "amortization")]
    received = [e for e in run.of("transfer_received")
                if e["reason"] == "over-term repurchase price"]
    delivered = run.of("over_term_repurchased")[0]
    assert [(e["date"], e["amount_fen"]) for e in received] == [
        ("2020-12-21", delivered["principal_fen"])]   # par of what is delivered that day
    assert run.of("payment_date")[-1]["available_fen"] >= delivered["price_fen"]
    assert step_paid(run, "2021-01-04", "senior_principal") == 89_000_000_000
    assert (run.summary["trust_termination_date"], run.summary["termination_cause"]) == (
        "2021-01-04", "notes repaid in full")


def test_the_payment_date_after_legal_maturity_is_held(scenario_run):
    """The legal maturity 2023-09-12 is an extra payment date; the scheduled one 10
    business days after 2023-09-08, 2023-09-22, is still held before event of default (b)
    winds the trust up on 2023-09-27; the liquidation's final distribution follows on
    2023-10-07, the day the buyer pays [一.4.2]."""
    run = scenario_run("no_clean_up_principal_default_event_b")
    assert [d for d, _ in payment_dates(run) if d >= "2023-09-01"] == [
        "2023-09-08", "2023-09-12", "2023-09-22", "2023-09-27", "2023-10-07"]
    assert [e["date"] for e in run.of("payment_date") if e["final"]] == ["2023-10-07"]
    assert run.summary["trust_termination_date"] == "2023-09-27"


# ------------------------------------------------ [一.4.3] the required amount, once a day
def test_the_required_amount_is_computed_once_on_a_payment_date(base_run):
    """2020-11-18 is both a revolving payment date and an accrual period's first day: the
    required amount for 2020-12-18 (923,422,043 fen) is computed once, after the waterfall."""
    started = base_run.of("accrual_period_started")
    on_pd = [e for e in started if e["date"] == "2020-11-18"]
    assert [(e["target_payment_date"], e["required_amount_fen"]) for e in on_pd] == [
        ("2020-12-18", 923_422_043)]
    pd = next(e for e in base_run.of("payment_date") if e["date"] == "2020-11-18")
    assert on_pd[0]["seq"] > pd["seq"]
    # one computation for each of the 21 monthly accrual periods, none twice
    assert len(started) == len({e["date"] for e in started}) == 21


# ------------------------------------------------ [一.4.4(1)-(2)] every payment by a waterfall
CURED_IN_GRACE = {"incidents": [
    {"kind": "investment_loss", "start": "2021-03-17", "loss_pct": 100},
    {"kind": "servicer_transfer_failure", "start": "2021-03-17", "duration_business_days": 4,
     "explanation_accepted": True}]}


def outside_waterfalls(run) -> list[dict]:
    """Payments to noteholders and fee payees not issued under a waterfall step."""
    return [e for e in run.of("instruction_issued")
            if " (一.4.4(2)" not in e["reason"] and e["to_account"] != "originator"
            and e["from_account"] == "trust_account"
            and e["to_account"] not in ("eligible_investments", "investment_income")]


def test_a_grace_payment_pays_taxes_and_fees_before_senior_arrears(scenario_run):
    """The 2021-03-18 payment date finds no cash; cash is back on 2021-03-23, within the 5
    business days: the trustee pays that date's arrears in the revolving order — taxes
    16,469,224, counsel 767,123, rating 767,123, agents and expenses 7,671,233, then senior
    interest 658,356,164 fen — not the senior interest alone ahead of them."""
    run = scenario_run("senior_interest_default_event_a", CURED_IN_GRACE)
    grace = next(e for e in run.of("payment_date") if e.get("grace_for"))
    assert (grace["date"], grace["grace_for"]) == ("2021-03-23", "2021-03-18")
    steps = [(e["pay"], e["paid_fen"]) for e in run.of("waterfall_step")
             if e["seq"] > grace["seq"] and e["date"] == "2021-03-23"]
    assert steps == [("taxes", 16_469_224), ("trustee_counsel_fees", 767_123),
                     ("rating_fees", 767_123), ("fees_within_cap", 7_671_233),
                     ("senior_interest", 658_356_164)]
    assert outside_waterfalls(run) == []


def test_after_event_of_default_a_arrears_wait_for_the_post_default_waterfall(scenario_run):
    """Event of default (a) takes effect 2021-03-25; cash returns 2021-03-29. Senior interest
    (658,356,164 fen due 2021-03-18) is paid on the next payment date, 2021-04-09, by the
    post-default waterfall after taxes 30,727,316 fen and the fees — not on 2021-03-29."""
    run = scenario_run("senior_interest_default_event_a")
    assert outside_waterfalls(run) == []
    steps = [(e["pay"], e["due_fen"], e["paid_fen"]) for e in run.of("waterfall_step")
             if e["date"] == "2021-04-09"]
    assert steps[0] == ("taxes", 30_727_316, 30_727_316)
    assert steps[4] == ("senior_interest", 819_287_671, 819_287_671)
    paid = [(e["date"], e["amount_fen"]) for e in run.of("instruction_executed")
            if e["debit"] == "senior_noteholders" and "2021-03-19" <= e["date"] <= "2021-04-09"]
    assert paid == [("2021-04-09", 819_287_671), ("2021-04-09", 14_816_897_617)]


def test_a_long_servicer_outage_pays_nothing_outside_a_waterfall_nor_after_termination(
        scenario_run):
    """A 250-business-day outage from 2021-03-01: event of default (a) on 2021-04-07; the
    trust terminates 2022-02-16 and its final distribution is paid before
    ``trust_terminated``, not after it; no arrears are paid outside a waterfall."""
    run = scenario_run("base", {"incidents": [
        {"kind": "servicer_outage", "start": "2021-03-01", "duration_business_days": 250}]})
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [
        ("c", "2021-03-16"), ("a", "2021-04-07")]
    assert outside_waterfalls(run) == []
    end = run.of("trust_terminated")[0]
    assert end["date"] == "2022-02-16"
    assert [e for e in run.events if e["seq"] > end["seq"] and e.get("debit")] == []
    final = next(e for e in run.of("payment_date") if e["final"])
    executed = [e for e in run.of("instruction_executed") if final["seq"] < e["seq"]]
    assert executed and all(e["seq"] < end["seq"] for e in executed)


# ------------------------------------------------ [一.2, Table 2] the class and its series
def test_the_summary_gives_the_senior_class_size_and_its_series_apart(base_run):
    """The senior class is 89,000 wan; its seven series, each of 89,000 wan, add up to
    623,000 wan issued and repaid — reported as such, not as the class's size."""
    senior = base_run.summary["notes"]["senior"]
    assert senior["principal_fen"] == 89_000_000_000
    assert senior["principal_issued_fen"] == senior["principal_paid_fen"] == 623_000_000_000
    series = senior["series"]
    assert [(s["series"], s["issued_on"], s["repaid_on"]) for s in series] == [
        (1, "2020-08-18", "2020-12-18"), (2, "2020-12-18", "2021-03-18"),
        (3, "2021-03-18", "2021-06-18"), (4, "2021-06-18", "2021-09-18"),
        (5, "2021-09-18", "2021-12-20"), (6, "2021-12-20", "2022-03-18"),
        (7, "2022-03-18", "2022-08-11")]   # criterion (g) repays the pool by 2022-08-18
    assert {(s["issued_fen"], s["repaid_fen"], s["outstanding_fen"]) for s in series} == {
        (89_000_000_000, 89_000_000_000, 0)}
    mezz = base_run.summary["notes"]["mezz"]
    assert (mezz["principal_fen"], mezz["principal_issued_fen"]) == (6_000_000_000,) * 2
    assert "series" not in mezz


def test_a_series_repaid_in_amortization_shows_what_each_payment_date_repaid(scenario_run):
    """rollover_fails_series2: series 1 is the only one; 702,292,690 fen of it is repaid
    on 2020-12-18 and the rest, 88,297,707,310 fen, on 2021-01-04."""
    run = scenario_run("rollover_fails_series2")
    senior = run.summary["notes"]["senior"]
    assert senior["principal_issued_fen"] == senior["principal_fen"] == 89_000_000_000
    assert senior["series"] == [{
        "series": 1, "issued_on": "2020-08-18", "expected_maturity": "2020-12-18",
        "issued_fen": 89_000_000_000, "repaid_fen": 89_000_000_000, "outstanding_fen": 0,
        "repaid_on": "2021-01-04"}]


# ------------------------------------------------ [一.4.4(1)] the 30-day cure: D(h), default (c)
def _failure(clause: str, **extra) -> dict:
    return {"incidents": [{
        "kind": "declared_event", "start": "2021-04-06", "clause": clause,
        "effect": "default" if clause == "c" else "acceleration",
        "description": "main obligation not performed", "meeting_after_business_days": 10,
        "declared": True, **extra}]}


def _declared(run) -> list[tuple[str, str]]:
    names = ("declared_event_occurred", "declared_event_cured", "noteholder_meeting_convened",
             "noteholder_meeting_resolved")
    return [(e["date"], e["event"]) for e in run.of(*names)]


def test_default_c_not_cured_in_30_days_is_declared_after_the_cure_period(scenario_run):
    """A failure on 2021-04-06: the cure period runs to 2021-05-06; the meeting is convened
    2021-05-07 and declares event of default (c) on 2021-05-20 (10 business days, 2021-05-08
    a make-up working day), which switches to the post-default waterfall."""
    run = scenario_run("main_obligation_not_cured_default_c")
    assert run.of("declared_event_occurred")[0]["cure_deadline"] == "2021-05-06"
    assert _declared(run) == [("2021-04-06", "declared_event_occurred"),
                              ("2021-05-07", "noteholder_meeting_convened"),
                              ("2021-05-20", "noteholder_meeting_resolved")]
    assert [(t["kind"], t["clause"], t["date"]) for t in run.summary["triggers"]] == [
        ("default", "c", "2021-05-20")]
    assert {e["waterfall"] for e in run.of("payment_date") if e["date"] > "2021-05-20"} == {
        "post_default"}


def test_a_failure_cured_within_30_days_is_no_event(scenario_run):
    """Cured 20 days after it occurred (2021-04-26, before the 2021-05-06 deadline): no
    meeting, no trigger; for D(h) as for default (c)."""
    for clause in ("c", "D(h)"):
        run = scenario_run("base", _failure(clause, cured_after_days=20))
        assert _declared(run) == [("2021-04-06", "declared_event_occurred"),
                                  ("2021-04-26", "declared_event_cured")], clause
        assert run.summary["triggers"] == []
        assert run.summary["revolving_end"]["date"] == "2022-05-18"


def test_a_d_h_failure_found_incurable_goes_to_the_meeting_at_once(scenario_run):
    """D(h) found incurable by the trustee: no cure period; meeting on 2021-04-20."""
    run = scenario_run("base", _failure("D(h)", incurable=True))
    assert _declared(run) == [("2021-04-06", "declared_event_occurred"),
                              ("2021-04-06", "noteholder_meeting_convened"),
                              ("2021-04-20", "noteholder_meeting_resolved")]
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [("D(h)", "2021-04-20")]


# ------------------------------------------------ [一.4.2, 一.4.4(2)] liquidation after default
def test_after_default_b_the_receivables_are_sold_and_the_price_repays_the_mezz_first(
        scenario_run):
    """liquidation_after_default_b_mezz_unpaid: event of default (b) winds the trust up on
    2023-09-27 with all 6,000,000,000 fen of mezz principal unpaid (the failure day,
    2020-12-18, paid the mezz its interest and the sub its period income for the revolving
    period: interest.at_issuance_failure). The 2,103,806,174 fen of
    receivables left (1,985,599,193 performing, 49,739,701 overdue, 68,467,280
    non-performing) used to go to the sub holders in kind. They are sold to an outside
    buyer at 95% / 50% / 10% (the deal's flagged assumption): 1,918,035,812 fen, paid on
    the 2nd business day after termination — 2023-10-07, across the National Day week —
    and distributed that day by the post-default waterfall: fees, mezz interest
    67,397,923, then mezz principal 1,849,300,903 fen; nothing reaches the sub."""
    run = scenario_run("liquidation_after_default_b_mezz_unpaid")
    sale, = run.of("liquidation_sale")
    assert (sale["date"], sale["buyer"], sale["settlement_date"]) == (
        "2023-09-27", "liquidation_buyer", "2023-10-07")
    assert (sale["principal_fen"], sale["performing_fen"], sale["overdue_fen"],
            sale["non_performing_fen"], sale["price_fen"]) == (
        2_103_806_174, 1_985_599_193, 49_739_701, 68_467_280, 1_918_035_812)
    assert sale["notes_outstanding_by_class_fen"] == {
        "senior": 0, "mezz": 6_000_000_000, "sub": 5_000_000_000}
    paid = [e for e in run.of("transfer_received") if e["payer"] == "liquidation_buyer"]
    assert [(e["date"], e["amount_fen"]) for e in paid] == [("2023-10-07", 1_918_035_812)]
    final = run.of("payment_date")[-1]
    assert (final["date"], final["waterfall"], final["final"], final["available_fen"]) == (
        "2023-10-07", "post_default", True, 1_918_035_812)
    assert step_paid(run, "2023-10-07", "mezz_interest") == 67_397_923
    assert step_paid(run, "2023-10-07", "mezz_principal") == 1_849_300_903
    assert step_paid(run, "2023-10-07", "sub_principal") == 0
    assert step_paid(run, "2023-10-07", "residual_to_sub") == 0
    end, = run.of("trust_terminated")
    assert (end["date"], end["pool_released_fen"], end["released_to"]) == (
        "2023-10-07", 0, "liquidation_buyer (sold)")
    assert end["notes_outstanding_by_class_fen"] == {
        "senior": 0, "mezz": 4_150_699_097, "sub": 5_000_000_000}
    assert (run.summary["pool"]["sold_at_liquidation_fen"],
            run.summary["pool"]["liquidation_price_fen"],
            run.summary["pool"]["released_at_termination_fen"]) == (
        2_103_806_174, 1_918_035_812, 0)


def test_after_default_b_only_what_every_class_leaves_goes_to_the_sub_as_residual(
        scenario_run):
    """no_clean_up_principal_default_event_b: only the sub (1,824,585,711 fen) is unpaid
    at the wind-up; its 3,305,408,216 fen of receivables are sold for 3,074,407,213 fen,
    which repay the sub's principal in full before 1,248,685,621 fen go to it as the
    residual — in cash, not the receivables in kind."""
    run = scenario_run("no_clean_up_principal_default_event_b")
    sale, = run.of("liquidation_sale")
    assert (sale["principal_fen"], sale["price_fen"]) == (3_305_408_216, 3_074_407_213)
    assert step_paid(run, "2023-10-07", "sub_principal") == 1_824_585_711
    assert step_paid(run, "2023-10-07", "residual_to_sub") == 1_248_685_621
    end, = run.of("trust_terminated")
    assert (end["pool_released_fen"], end["notes_outstanding_by_class_fen"]) == (
        0, {"senior": 0, "mezz": 0, "sub": 0})


def test_a_trust_repaid_in_full_hands_what_is_left_to_the_sub_in_kind(scenario_run):
    """originator_insolvency_trigger_a: every class is repaid on the payment date of
    2022-08-18 with no event of default; the 378,859,917 fen of receivables left go to the
    sub holders in kind and nothing is sold."""
    run = scenario_run("originator_insolvency_trigger_a")
    assert run.of("liquidation_sale") == []
    end, = run.of("trust_terminated")
    assert (end["date"], end["pool_released_fen"], end["released_to"]) == (
        "2022-08-18", 378_859_917, "sub_noteholders (in kind)")


def test_a_class_repaid_only_by_the_liquidation_after_legal_maturity_fails(scenario_run):
    """no_clean_up_principal_default_event_b: the sale repays the sub's 1,824,585,711 fen
    on 2023-10-07, after legal maturity 2023-09-12 — nothing is owed at the end, but the
    studies count the sub as failed: its principal did not come back by its date."""
    from trustsim.risk.outcome import read_outcome

    run = scenario_run("no_clean_up_principal_default_event_b")
    o = read_outcome(run.env.deal, run.summary)
    assert (o.classes["sub"].passed, o.classes["sub"].shortfall_fen) == (False, 0)
    assert (o.classes["senior"].passed, o.classes["mezz"].passed) == (True, True)
    assert o.loss_fen == {"senior": 0, "mezz": 0, "sub": 0}
