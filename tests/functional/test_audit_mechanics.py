"""The audit catches each defect of issue 12 item 3 when it is put back into a clean log.

Each test takes an honest run's log, reintroduces the defect as the simulator used to
write it, and asserts the check of the clause fails, citing the date or the event.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from audit_support import DEALS, audit_of, move_to_date, read_events, run_folder, write_run
from support.deal_runs import variant_run


def test_a_skipped_amortization_payment_date_is_caught(tmp_path_factory, tmp_path):
    """rollover_fails_series2: revolving ends 2020-12-18; the contract's first amortization
    payment date is 2021-01-04. A log without it fails ``payment_dates_scheduled``."""
    clean = run_folder(tmp_path_factory, "rollover_fails_series2")
    assert audit_of(clean).result("payment_dates_scheduled").status == "pass"
    events = [e for e in read_events(clean)
              if not (e["date"] == "2021-01-04" and e["event"] == "payment_date")]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payment_dates_scheduled")
    assert result.status == "fail"
    assert [f.date for f in result.findings] == ["2021-01-04"]
    assert "revolving ended 2020-12-18" in result.findings[0].message


def test_a_payment_date_the_contract_does_not_set_is_caught(tmp_path_factory, tmp_path):
    """Base run: moving the 2022-06-01 amortization payment date to 2022-06-02 leaves the
    contract's date unheld and holds one on a day it does not set."""
    clean = run_folder(tmp_path_factory)
    events = read_events(clean)
    for e in events:
        if e["event"] == "payment_date" and e["date"] == "2022-06-01":
            e["date"] = "2022-06-02"
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payment_dates_scheduled")
    assert [(f.date, "not held" in f.message) for f in result.findings] == [
        ("2022-06-01", True), ("2022-06-02", False)]


def test_the_required_amount_computed_twice_on_a_day_is_caught(tmp_path_factory, tmp_path):
    """Base run: logging 2020-11-18's accrual_period_started again right after itself, as
    the trustee used to on every payment date, fails ``reserve_calculation_delay``."""
    clean = run_folder(tmp_path_factory)
    assert audit_of(clean).result("reserve_calculation_delay").status == "pass"
    events = read_events(clean)
    i = next(i for i, e in enumerate(events)
             if e["event"] == "accrual_period_started" and e["date"] == "2020-11-18")
    events.insert(i + 1, dict(events[i]))
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "reserve_calculation_delay")
    assert [(f.seq, f.related, f.date) for f in result.findings] == [
        (i + 2, (i + 1,), "2020-11-18")]
    assert "computed twice" in result.findings[0].message


def test_senior_arrears_paid_outside_a_waterfall_are_caught(tmp_path_factory, tmp_path):
    """senior_interest_default_event_a: putting back the 2021-03-29 payment of 658,356,164
    fen of senior interest arrears outside any waterfall (after event of default (a), ahead
    of the unpaid taxes and fees) fails ``payments_through_waterfalls``."""
    clean = run_folder(tmp_path_factory, "senior_interest_default_event_a")
    assert audit_of(clean).result("payments_through_waterfalls").status == "pass"
    events = read_events(clean)
    i = next(i for i, e in enumerate(events)     # the morning after the sweep resumes
             if e["date"] == "2021-03-29" and e["event"] == "collections_swept") + 1
    day = events[i]["day"]
    issued = {"day": day, "date": "2021-03-29", "actor": "trustee", "event": "instruction_issued",
              "instruction": "I999999", "value_date": "2021-03-29",
              "from_account": "trust_account", "to_account": "senior_noteholders",
              "amount_fen": 658_356_164, "reason": "senior interest arrears (grace period)",
              "ref": None}
    executed = {"day": day, "date": "2021-03-29", "actor": "custodian",
                "event": "instruction_executed", "instruction": "I999999",
                "debit": "senior_noteholders", "credit": "trust_account",
                "amount_fen": 658_356_164, "reason": "senior interest arrears (grace period)",
                "ref": None}
    events[i:i] = [issued, executed]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payments_through_waterfalls")
    assert [(f.seq, f.date) for f in result.findings] == [(i + 2, "2021-03-29")]
    assert "outside any payment date's waterfall" in result.findings[0].message


def test_a_payment_after_trust_termination_is_caught(tmp_path_factory, tmp_path):
    """Base run: the last payment before ``trust_terminated`` moved after it, as the final
    distribution used to be paid, fails ``payments_through_waterfalls``."""
    clean = run_folder(tmp_path_factory)
    events = read_events(clean)
    end = next(i for i, e in enumerate(events) if e["event"] == "trust_terminated")
    last = max(i for i, e in enumerate(events[:end]) if e.get("debit"))
    moved = events.pop(last)
    events.insert(end, moved)          # now just after trust_terminated
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payments_through_waterfalls")
    assert [(f.seq, f.related) for f in result.findings] == [(end + 1, (end,))]
    assert "after the trust terminated" in result.findings[0].message


def _senior_as_its_series_added_up(summary: dict) -> None:
    summary["notes"]["senior"]["principal_fen"] = 623_000_000_000   # as it used to


def _series_3_repaid_a_fen_short(summary: dict) -> None:
    summary["notes"]["senior"]["series"][2]["repaid_fen"] -= 1


@pytest.mark.parametrize("edit,message", [
    (_senior_as_its_series_added_up, "summary.json notes.senior.principal_fen = 623000000000; "
                                     "the deal's class size is 89000000000"),
    (_series_3_repaid_a_fen_short, "summary.json notes.senior.series 3 repaid_fen = "
                                   "88999999999; the log gives 89000000000"),
])
def test_a_summary_misreporting_the_senior_class_or_a_series_is_caught(
        tmp_path_factory, tmp_path, edit, message):
    """Base run: the senior class is 89,000 wan; its seven series of 89,000 wan each add up
    to 623,000 wan issued. A summary giving the class as 623,000 wan, or a series' repayment
    other than the log's, fails ``note_balances_reconciled``."""
    clean = run_folder(tmp_path_factory)
    assert audit_of(clean).result("note_balances_reconciled").status == "pass"
    run = write_run(clean, tmp_path / "run", read_events(clean))
    summary = json.loads((run / "summary.json").read_text())
    edit(summary)
    (run / "summary.json").write_text(json.dumps(summary))
    result = audit_of(run).result("note_balances_reconciled")
    assert [f.message for f in result.findings] == [message]


def test_default_c_declared_within_its_cure_period_is_caught(tmp_path_factory, tmp_path):
    """main_obligation_not_cured_default_c: with the failure logged on 2021-04-26 instead of
    2021-04-06, the meeting of 2021-05-20 declares it within the 30-day cure period (to
    2021-05-26), as the trustee used to: ``triggers_on_first_day`` fails."""
    clean = run_folder(tmp_path_factory, "main_obligation_not_cured_default_c")
    assert audit_of(clean).result("triggers_on_first_day").status == "pass"
    events = read_events(clean)
    i = next(i for i, e in enumerate(events) if e["event"] == "declared_event_occurred")
    move_to_date(events, i, dt.date(2021, 4, 26))
    run = write_run(clean, tmp_path / "run", events)
    result = audit_of(run).result("triggers_on_first_day")
    resolved = next(e for e in read_events(run) if e["event"] == "noteholder_meeting_resolved")
    assert [(f.seq, f.message) for f in result.findings] == [
        (resolved["seq"], "c declared on 2021-05-20, within its 30-day cure period (to "
                          "2021-05-26) from 2021-04-26")]


def test_a_cured_failure_declared_anyway_is_caught(tmp_path_factory, tmp_path):
    """The same log with a cure on 2021-04-26 inserted: the event of default should never
    have been declared nor fired."""
    clean = run_folder(tmp_path_factory, "main_obligation_not_cured_default_c")
    events = read_events(clean)
    k = next(k for k, e in enumerate(events) if e["date"] == "2021-04-26"
             and e["event"] == "day_closed")
    events.insert(k, {"day": events[k]["day"], "date": "2021-04-26", "actor": "trustee",
                      "event": "declared_event_cured", "clause": "c",
                      "cured_on": "2021-04-26", "cure_deadline": "2021-05-06"})
    result = audit_of(write_run(clean, tmp_path / "run", events)).result("triggers_on_first_day")
    messages = [f.message for f in result.findings]
    assert "default (c) fired, but by the log its condition never held" in messages
    assert "c declared although cured on 2021-04-26, within its cure period" in messages


def test_an_automatic_event_logged_at_the_next_business_days_close_is_caught(
        tmp_path_factory, tmp_path):
    """servicer_not_replaced_trigger_b: the 90th day without a successor servicer is Sunday
    2021-05-02, the day (b) takes effect [一.4.4(1)]. Moving the trigger and the end of
    revolving to the close of Thursday 2021-05-06, as the trustee used to log them, fails
    ``triggers_on_first_day``."""
    clean = run_folder(tmp_path_factory, "servicer_not_replaced_trigger_b")
    assert audit_of(clean).result("triggers_on_first_day").status == "pass"
    events = read_events(clean)
    i = next(i for i, e in enumerate(events) if e["event"] == "trigger_fired")
    assert (events[i]["date"], events[i + 1]["event"]) == ("2021-05-02", "period_changed")
    fired, changed = events.pop(i), events.pop(i)
    k = next(k for k, e in enumerate(events) if e["date"] == "2021-05-06"
             and e["event"] == "day_closed")
    for e in (fired, changed):
        e["date"], e["day"] = "2021-05-06", fired["day"] + 4
    events[k:k] = [fired, changed]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result("triggers_on_first_day")
    assert [(f.seq, f.date, f.message) for f in result.findings] == [
        (k + 1, "2021-05-06", "acceleration (b) fired on 2021-05-06; its condition first held "
                              "on 2021-05-02 (no successor servicer 90 days after the "
                              "termination event)")]


LIQUIDATED = "liquidation_after_default_b_mezz_unpaid"


def test_receivables_in_kind_to_the_sub_while_the_mezz_is_unpaid_are_caught(
        tmp_path_factory, tmp_path):
    """liquidation_after_default_b_mezz_unpaid: after event of default (b) the trust used
    to end on 2023-09-27 handing its 2,103,806,174 fen of receivables to the sub holders in
    kind, with all 6,000,000,000 fen of mezz principal unpaid. That ending put back into the
    clean log (sale, buyer's payment and final distribution removed) fails
    ``wind_up_after_default``."""
    clean = run_folder(tmp_path_factory, LIQUIDATED)
    assert audit_of(clean).result("wind_up_after_default").status == "pass"
    events = read_events(clean)
    sale = next(i for i, e in enumerate(events) if e["event"] == "liquidation_sale")
    end = next(i for i, e in enumerate(events) if e["event"] == "trust_terminated")
    ended = events[end]
    ended.update(date="2023-09-27", day=events[sale]["day"], pool_released_fen=2_103_806_174,
                 released_to="sub_noteholders (in kind)", final_distribution_fen=0,
                 notes_outstanding_by_class_fen=events[sale]["notes_outstanding_by_class_fen"])
    kept = [e for e in events[sale + 1:end] if e["date"] == "2023-09-27"]
    events = events[:sale] + kept + [ended] + events[end + 1:]
    for e in events[end:]:
        if e["event"] == "run_finished":
            e.update(date="2023-09-27", day=ended["day"])
    run = write_run(clean, tmp_path / "run", events)
    result = audit_of(run).result("wind_up_after_default")
    default = next(e for e in read_events(run) if e["event"] == "trigger_fired"
                   and e["kind"] == "default")
    assert [(f.date, f.related, f.message) for f in result.findings] == [
        ("2023-09-27", (default["seq"],),
         "2103806174 fen of receivables went in kind to sub_noteholders (in kind) after event "
         "of default (b) while a class ranking ahead of sub was unpaid: mezz (6000000000 fen); they "
         "must be sold and the price distributed by the post-default waterfall")]


def test_sale_proceeds_distributed_by_another_waterfall_are_caught(tmp_path_factory, tmp_path):
    """The same run: the 1,918,035,812 fen the buyer paid on 2023-10-07 logged as
    distributed by the amortization waterfall, or the sale priced at par, fails
    ``wind_up_after_default``."""
    clean = run_folder(tmp_path_factory, LIQUIDATED)
    events = read_events(clean)
    final = next(e for e in events if e["event"] == "payment_date" and e["final"])
    final["waterfall"] = "amortization"
    sale = next(e for e in events if e["event"] == "liquidation_sale")
    sale["price_fen"] = sale["principal_fen"]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "wind_up_after_default")
    assert [(f.date, f.message) for f in result.findings] == [
        ("2023-09-27", "liquidation sale at 2103806174 fen; the deal's percentages give "
                       "1918035812 fen"),
        ("2023-09-27", "the buyer's price of 2103806174 fen never reached the trust account "
                       "before the trust ended")]
    sale["price_fen"] = 1_918_035_812
    result = audit_of(write_run(clean, tmp_path / "run2", events)).result(
        "wind_up_after_default")
    assert [(f.date, f.message) for f in result.findings] == [
        ("2023-10-07", "the sale's 1918035812 fen were distributed by the amortization "
                       "waterfall holding 1918035812 fen, not by the post-default waterfall")]


# ---------------------------------------------------------------- other deals
def test_a_payment_date_ignoring_a_waterfall_switch_is_caught(tmp_path_factory, tmp_path):
    """npl_switches_to_a_sequential_waterfall: the switch fires on 2021-01-26, in revolving;
    from the first amortization payment date, 2022-06-01, the sequential waterfall is in
    force. That date logged on the amortization waterfall fails ``waterfall_order``."""
    clean = variant_run(tmp_path_factory, "npl_switches_to_a_sequential_waterfall")
    assert audit_of(clean).result("waterfall_order").status == "pass"
    events = read_events(clean)
    fired = next(e for e in events if e["event"] == "trigger_fired")
    pd = next(e for e in events if e["event"] == "payment_date" and e["date"] == "2022-06-01")
    assert (fired["date"], pd["waterfall"]) == ("2021-01-26", "sequential")
    pd["waterfall"] = "amortization"
    result = audit_of(write_run(clean, tmp_path / "run", events)).result("waterfall_order")
    assert [(f.seq, f.related, f.message) for f in result.findings] == [
        (pd["seq"], (fired["seq"],), "the amortization waterfall applied after trigger "
                                     "npl_switch (s) switched to the sequential waterfall: the "
                                     "sequential waterfall is in force")]


def test_a_static_pools_skipped_payment_date_is_caught(tmp_path_factory, tmp_path):
    """static_every_3_months: amortizing from the effective date 2020-08-18, the second
    payment date is 2021-02-18. A log without it fails ``payment_dates_scheduled``."""
    clean = variant_run(tmp_path_factory, "static_every_3_months")
    assert audit_of(clean).result("payment_dates_scheduled").status == "pass"
    events = [e for e in read_events(clean)
              if not (e["date"] == "2021-02-18" and e["event"] == "payment_date")]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payment_dates_scheduled")
    assert [(f.date, f.message) for f in result.findings] == [
        ("2021-02-18", "payment date 2021-02-18 is not held (a static pool: amortization "
                       "payment dates every 3 months from the effective date 2020-08-18)")]


RESERVE_RUN = "reserve_topped_up_then_released"


def _reserve_step(events: list[dict], action: str) -> dict:
    return next(e for e in events if e["event"] == "waterfall_step"
                and e["pay"] == f"{action}_liquidity_reserve")


def test_a_reserve_top_up_other_than_its_targets_shortfall_is_caught(tmp_path_factory, tmp_path):
    """reserve_topped_up_then_released: 500 wan deposited at closing, target 1% of the
    100,000 wan of notes: the first revolving payment date tops it up by 500 wan. A step
    presenting 600 wan due fails ``waterfall_order``."""
    clean = variant_run(tmp_path_factory, RESERVE_RUN)
    assert audit_of(clean).result("waterfall_order").status == "pass"
    events = read_events(clean)
    step = _reserve_step(events, "fund")
    assert step["payees"] == {"liquidity_reserve": [500_000_000, 500_000_000]}
    step.update(due_fen=600_000_000, shortfall_fen=100_000_000,
                payees={"liquidity_reserve": [600_000_000, 500_000_000]})
    result = audit_of(write_run(clean, tmp_path / "run", events)).result("waterfall_order")
    assert (step["seq"], "fund_liquidity_reserve: presents 600000000 fen due; the "
                         "liquidity_reserve account lacks 500000000 fen of its target") \
        in [(f.seq, f.message) for f in result.findings]


def test_a_reserve_released_short_of_its_balance_is_caught(tmp_path_factory, tmp_path):
    """The same run: the amortization waterfall releases the account's 1,000 wan first.
    A release of 900 wan (the step, its instruction and the custodian's payment) fails
    ``waterfall_order``."""
    clean = variant_run(tmp_path_factory, RESERVE_RUN)
    events = read_events(clean)
    step = _reserve_step(events, "release")
    assert step["released_fen"] == 1_000_000_000
    step["released_fen"] = 900_000_000
    ins = next(e for e in events if e["event"] == "instruction_issued"
               and e["from_account"] == "liquidity_reserve")
    for e in events:
        if e.get("instruction") == ins["instruction"]:
            e["amount_fen"] = 900_000_000
    result = audit_of(write_run(clean, tmp_path / "run", events)).result("waterfall_order")
    assert (step["seq"], "release_liquidity_reserve: releases 900000000 fen; liquidity_reserve "
                         "holds 1000000000 fen by the trustee's book") \
        in [(f.seq, f.message) for f in result.findings]


def test_money_taken_from_a_reserve_outside_its_actions_is_caught(tmp_path_factory, tmp_path):
    """The same run: 100 fen paid out of the reserve to the originator on 2021-03-01, by
    an instruction of no waterfall step, fails ``reserve_accounts_move_by_their_actions``."""
    clean = variant_run(tmp_path_factory, RESERVE_RUN)
    assert audit_of(clean).result("reserve_accounts_move_by_their_actions").status == "pass"
    events = read_events(clean)
    k = next(k for k, e in enumerate(events) if e["date"] == "2021-03-01"
             and e["event"] == "day_closed")
    stamp = {"day": events[k]["day"], "date": "2021-03-01"}
    events[k:k] = [
        {**stamp, "actor": "trustee", "event": "instruction_issued", "instruction": "I999999",
         "value_date": "2021-03-01", "from_account": "liquidity_reserve",
         "to_account": "originator", "amount_fen": 100, "reason": "a favour", "ref": None},
        {**stamp, "actor": "custodian", "event": "instruction_executed",
         "instruction": "I999999", "debit": "originator", "credit": "liquidity_reserve",
         "amount_fen": 100, "reason": "a favour", "ref": None}]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "reserve_accounts_move_by_their_actions")
    assert [(f.seq, f.message) for f in result.findings] == [
        (k + 2, "100 fen moved out of liquidity_reserve to originator ('a favour') other than "
                "by the initial deposit or a fund_account / release_account step")]


def test_a_reserves_initial_deposit_other_than_the_deals_is_caught(tmp_path_factory, tmp_path):
    """The same run: the deal deposits 500 wan at closing; a log depositing 400 wan (the
    instruction and the custodian's posting) fails ``reserve_accounts_move_by_their_actions``."""
    clean = variant_run(tmp_path_factory, RESERVE_RUN)
    events = read_events(clean)
    deposit = [e for e in events if e.get("reason") == "liquidity_reserve initial deposit"]
    assert [e["amount_fen"] for e in deposit] == [500_000_000, 500_000_000]
    for e in deposit:
        e["amount_fen"] = 400_000_000
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "reserve_accounts_move_by_their_actions")
    assert [(f.seq, f.message) for f in result.findings] == [
        (deposit[1]["seq"], "liquidity_reserve receives 400000000 fen at closing; its initial "
                            "deposit is 500000000 fen")]


def test_a_reserves_snapshot_other_than_its_postings_is_caught(tmp_path_factory, tmp_path):
    """The same run: ``day_closed`` snapshots the reserve (``reserve_accounts_fen``); the
    2021-03-01 close giving it one fen more than its postings fails
    ``cash_reconciled_daily`` at that close, and again at the next, where the difference
    is gone."""
    clean = variant_run(tmp_path_factory, RESERVE_RUN)
    assert audit_of(clean).result("cash_reconciled_daily").status == "pass"
    events = read_events(clean)
    closes = [e for e in events if e["event"] == "day_closed" and e["date"] >= "2021-03-01"]
    closes[0]["reserve_accounts_fen"]["liquidity_reserve"] += 1
    result = audit_of(write_run(clean, tmp_path / "run", events)).result("cash_reconciled_daily")
    assert [(f.seq, f.message) for f in result.findings] == [
        (closes[0]["seq"], "liquidity_reserve closes at 1000000001 fen by the snapshot; its "
                           "postings give 1000000000 fen (difference +1 fen, +1 fen since the "
                           "previous day)"),
        (closes[1]["seq"], "liquidity_reserve closes at 1000000000 fen by the snapshot; its "
                           "postings give 1000000000 fen (difference +0 fen, -1 fen since the "
                           "previous day)")]


def test_a_monthly_amortization_date_off_the_deals_day_of_the_month_is_caught(
        tmp_path_factory, tmp_path):
    """jd_baitiao_2015 amortizes monthly on its effective date's day (the 18th): revolving
    ends Monday 2016-09-19, so the first amortization payment date is 2016-10-18. A log
    holding it a month after the revolving end instead, on 2016-10-19, fails
    ``payment_dates_scheduled`` on both days."""
    clean = run_folder(tmp_path_factory, None, DEALS / "jd_baitiao_2015.yaml")
    assert audit_of(clean).result("payment_dates_scheduled").status == "pass"
    events = read_events(clean)
    pd = next(e for e in events if e["event"] == "payment_date" and e["date"] == "2016-10-18")
    pd["date"] = "2016-10-19"
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payment_dates_scheduled")
    assert [(f.date, f.message) for f in result.findings] == [
        ("2016-10-18", "payment date 2016-10-18 is not held (revolving ended 2016-09-19: "
                       "amortization payment dates every month)"),
        ("2016-10-19", "a payment date on 2016-10-19, a day the contract does not set")]
