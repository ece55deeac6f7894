"""Cash errors (issue 13 item 3): each is found on the first statement that shows it, logged
with its amount, corrected after its lag or escalated as the deal says; cash is conserved.

Each test runs one bundled scenario (``configs/scenarios``, Dongdao No. 3) and reads its log:
the amounts come from the log (what was due, what moved) and the incident's own terms, the
dates from the deal's calendar. The deal's reconciliation clauses (ASSUMPTION, the deal
file): a servicer's break open 10 business days is (c); a custodian's, 20, event of default (c).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from support.cash import INTERNAL, replay

from trustsim.calendar import BusinessCalendar
from trustsim.money import round_fen

CAL = BusinessCalendar(dt.date(2020, 1, 1), dt.date(2024, 12, 31))
SCENARIOS = ("sweep_short_corrected", "partial_sweep_not_corrected_c", "sweep_wrong_day_golden_week",
             "misdirected_purchase_price", "unidentified_receipt_returned",
             "custodian_late_execution", "custodian_underpays_default_c",
             "missed_cutoff_series1_maturity")


def bd(day: str, n: int) -> str:
    return CAL.add_business_days(dt.date.fromisoformat(day), n).isoformat()


def due_on(run, day: str) -> int:
    """Collections the servicer had to sweep on ``day``."""
    return sum(e["amount_fen"] for e in run.of("collections_received") if e["sweep_due"] == day)


def one(events: list[dict]) -> dict:
    assert len(events) == 1, events
    return events[0]


def close_of(run, day: str) -> dict:
    return one([e for e in run.of("day_closed") if e["date"] == day])


# ---------------------------------------------------------------- the servicer's sweeps
def test_a_short_sweep_is_found_that_morning_and_swept_after_the_lag(scenario_run):
    run = scenario_run("sweep_short_corrected")
    due = due_on(run, "2021-03-01")
    swept = one([e for e in run.of("collections_swept") if e["date"] == "2021-03-01"])
    assert swept["amount_fen"] == due - 150_000_000            # error_cny -1,500,000.00
    brk = one(run.of("reconciliation_break"))
    assert (brk["date"], brk["cause"], brk["amount_fen"], brk["difference_fen"], brk["party"],
            brk["statement"], brk["ref"]) == ("2021-03-01", "sweep_short", 150_000_000,
                                              -150_000_000, "servicer", "balance_report", "2021-03-01")
    assert one(run.of("correction_requested"))["date"] == "2021-03-01"
    fix = one(run.of("sweep_corrected"))
    assert (fix["date"], fix["amount_fen"], fix["break_id"]) == (bd("2021-03-01", 3), 150_000_000,
                                                                brk["break_id"])
    done = one(run.of("reconciliation_break_resolved"))
    assert (done["date"], done["days_open"], done["business_days_open"]) == ("2021-03-04", 3, 3)
    # meanwhile the gap sits at the servicer: the day's receipts plus what the sweep left
    received = sum(e["amount_fen"] for e in run.of("collections_received") if e["date"] == "2021-03-01")
    assert close_of(run, "2021-03-01")["collection_account_fen"] == received + 150_000_000
    assert run.summary["triggers"] == []


def test_an_excess_sweep_is_held_apart_and_returned_to_the_servicer(scenario_run):
    run = scenario_run("sweep_short_corrected", {"incidents": [
        {"kind": "sweep_wrong_amount", "start": "2021-03-01", "error_cny": "250000.00",
         "corrected_after_business_days": 2}]})
    excess = one(run.of("sweep_overpaid"))
    assert (excess["date"], excess["credit"], excess["amount_fen"]) == ("2021-03-01", "servicer", 25_000_000)
    brk = one(run.of("reconciliation_break"))
    assert (brk["date"], brk["cause"], brk["amount_fen"], brk["held_apart_fen"]) == (
        "2021-03-01", "sweep_excess", 25_000_000, 25_000_000)
    back = one([e for e in run.of("instruction_issued") if e["ref"] == brk["break_id"]])
    assert (back["date"], back["to_account"], back["amount_fen"]) == (bd("2021-03-01", 2), "servicer",
                                                                      25_000_000)
    assert one(run.of("reconciliation_break_resolved"))["date"] == back["date"]
    # held apart, never spent: no purchase was refused for want of cash it thought it had
    assert run.of("purchase_rejected") == []


def test_a_partial_sweep_left_open_10_business_days_is_c(scenario_run):
    run = scenario_run("partial_sweep_not_corrected_c")
    due = due_on(run, "2021-03-01")
    left = due - round_fen(Decimal(due) * 60 / 100)             # swept_pct 60
    brk = one(run.of("reconciliation_break"))
    assert (brk["date"], brk["cause"], brk["amount_fen"]) == ("2021-03-01", "sweep_short", left)
    fired = one(run.of("trigger_fired"))
    assert (fired["kind"], fired["clause"], fired["date"]) == ("acceleration", "c", bd("2021-03-01", 10))
    assert (fired["figures"]["break_id"], fired["figures"]["business_days_open"]) == (brk["break_id"], 10)
    assert run.summary["revolving_end"] == {"date": "2021-03-15", "cause": "acceleration event (c)"}
    # the servicer sweeps the rest 12 business days after the request, after (c) fired
    fix = one(run.of("sweep_corrected"))
    assert (fix["date"], fix["amount_fen"]) == (bd("2021-03-01", 12), left)
    assert one(run.of("reconciliation_break_resolved"))["business_days_open"] == 12


def test_a_sweep_value_dated_late_lands_after_golden_week(scenario_run):
    run = scenario_run("sweep_wrong_day_golden_week")
    assert [e for e in run.of("collections_swept") if e["date"] == "2021-09-30"] == []
    due = due_on(run, "2021-09-30")
    brk = one(run.of("reconciliation_break"))
    assert (brk["date"], brk["cause"], brk["amount_fen"]) == ("2021-09-30", "sweep_short", due)
    lands = one(run.of("sweep_corrected"))
    assert (lands["date"], lands["amount_fen"]) == (bd("2021-09-30", 2), due)
    assert lands["date"] == "2021-10-09"                          # a make-up working Saturday
    done = one(run.of("reconciliation_break_resolved"))
    assert (done["days_open"], done["business_days_open"]) == (9, 2)
    assert run.summary["triggers"] == []


# ---------------------------------------------------------------- the custodian's payments
def _paid(run, instruction: str) -> list[dict]:
    return [e for e in run.events if e.get("instruction") == instruction and "debit" in e]


def test_a_misdirected_purchase_price_waits_with_the_other_trust_until_returned(scenario_run):
    run = scenario_run("misdirected_purchase_price")
    wrong = one([e for e in run.of("instruction_executed") if e["debit"] == "another_trust"])
    issued = one([e for e in run.of("instruction_issued") if e["instruction"] == wrong["instruction"]])
    assert (wrong["date"], wrong["amount_fen"]) == ("2020-12-17", issued["amount_fen"])
    brk = one(run.of("reconciliation_break"))
    assert (brk["date"], brk["cause"], brk["instruction"], brk["amount_fen"], brk["statement"]) == (
        "2020-12-17", "instruction_misdirected", wrong["instruction"], issued["amount_fen"],
        "instruction_result")
    back = bd("2020-12-17", 4)
    fixes = run.of("payment_corrected")
    assert [(e["date"], e["debit"], e["credit"]) for e in fixes] == [
        (back, "trust_account", "another_trust"), (back, "originator", "trust_account")]
    # delivery against payment: the receivables come once the originator is paid
    moved = one([e for e in run.of("receivables_transferred") if e["request"] == issued["ref"]])
    assert moved["date"] == back and moved["seq"] > fixes[-1]["seq"]
    # the other trust holds the money every day in between: the ledger's counterparty shows it
    held = 0
    for e in run.events:
        if e.get("debit") == "another_trust":
            held += e["amount_fen"]
        if e.get("credit") == "another_trust":
            held -= e["amount_fen"]
        if e["event"] == "day_closed":
            assert held == (issued["amount_fen"] if "2020-12-17" <= e["date"] < back else 0), e["date"]


def test_an_unidentified_receipt_is_held_apart_and_returned_to_its_payer(scenario_run):
    run = scenario_run("unidentified_receipt_returned")
    came = one([e for e in run.of("transfer_received") if e["payer"] == "unidentified"])
    assert (came["date"], came["credit"], came["amount_fen"], came["ref"]) == (
        "2021-03-01", "another_trust", 300_000_000, None)
    brk = one(run.of("reconciliation_break"))
    assert (brk["date"], brk["cause"], brk["statement"], brk["held_apart_fen"]) == (
        "2021-03-01", "unidentified_receipt", "credit_advice", 300_000_000)
    found = one(run.of("payer_identified"))
    assert (found["date"], found["payer"]) == (bd("2021-03-01", 5), "another_trust")
    back = one([e for e in run.of("instruction_issued") if e["ref"] == brk["break_id"]])
    assert (back["date"], back["to_account"], back["amount_fen"]) == (found["date"], "another_trust",
                                                                      300_000_000)
    assert one(run.of("reconciliation_break_resolved"))["date"] == found["date"]
    assert run.of("purchase_rejected") == []   # the servicer never counted it as available


def test_a_late_execution_is_found_on_the_value_date_s_statement(scenario_run):
    run = scenario_run("custodian_late_execution")
    brk = one(run.of("reconciliation_break"))
    issued = one([e for e in run.of("instruction_issued") if e["instruction"] == brk["instruction"]])
    assert (issued["value_date"], brk["date"], brk["cause"], brk["amount_fen"]) == (
        "2020-12-18", "2020-12-18", "instruction_not_executed", issued["amount_fen"])
    assert issued["date"] < issued["value_date"]    # confirmed the day before: due at the morning settlement
    paid = one(_paid(run, brk["instruction"]))
    assert paid["date"] == bd("2020-12-18", 3)
    done = one(run.of("reconciliation_break_resolved"))
    assert (done["date"], done["business_days_open"]) == (paid["date"], 3)
    moved = one([e for e in run.of("receivables_transferred") if e["request"] == issued["ref"]])
    assert moved["date"] == paid["date"]


def test_a_custodian_s_underpayment_left_20_business_days_is_event_of_default_c(scenario_run):
    run = scenario_run("custodian_underpays_default_c")
    brk = one(run.of("reconciliation_break"))
    issued = one([e for e in run.of("instruction_issued") if e["instruction"] == brk["instruction"]])
    first = _paid(run, brk["instruction"])[0]
    assert (first["date"], first["amount_fen"]) == ("2020-12-18", issued["amount_fen"] - 100_000_000)
    assert (brk["date"], brk["cause"], brk["amount_fen"], brk["held_apart_fen"]) == (
        "2020-12-18", "instruction_underpaid", 100_000_000, 100_000_000)
    fired = one(run.of("trigger_fired"))
    assert (fired["kind"], fired["clause"], fired["date"]) == ("default", "c", bd("2020-12-18", 20))
    assert run.summary["revolving_end"]["date"] == fired["date"]
    rest = one(run.of("payment_corrected"))
    assert (rest["date"], rest["debit"], rest["amount_fen"], rest["instruction"]) == (
        bd("2020-12-18", 25), "originator", 100_000_000, brk["instruction"])
    moved = one([e for e in run.of("receivables_transferred") if e["request"] == issued["ref"]])
    assert moved["date"] == rest["date"]


def test_instructions_after_the_cutoff_execute_the_next_business_day(scenario_run):
    run = scenario_run("missed_cutoff_series1_maturity")
    same_day = [e["instruction"] for e in run.of("instruction_issued")
                if e["date"] == "2020-12-18" and e["value_date"] == "2020-12-18"]
    deferred = run.of("instruction_deferred")
    assert [e["instruction"] for e in deferred] == same_day and len(same_day) > 5
    assert {e["execute_on"] for e in deferred} == {"2020-12-21"}
    breaks = run.of("reconciliation_break")
    assert [(b["instruction"], b["cause"], b["date"]) for b in breaks] == [
        (i, "missed_cutoff", "2020-12-18") for i in same_day]
    assert run.of("correction_requested") == []   # the custodian's advice says when: nothing to ask
    # series 1's holders are repaid on the Monday, from series 2's proceeds
    redeemed = one([e for e in run.of("instruction_executed")
                    if e["debit"] == "senior_noteholders" and "2020-12-18" <= e["date"] <= "2020-12-21"
                    and e["credit"] == "issuance_proceeds_account"])
    assert (redeemed["date"], redeemed["debit"], redeemed["amount_fen"]) == (
        "2020-12-21", "senior_noteholders", 89_000_000_000)
    assert {(e["date"], e["business_days_open"]) for e in run.of("reconciliation_break_resolved")} == {
        ("2020-12-21", 1)}


# ---------------------------------------------------------------- every cash error
@pytest.mark.parametrize("name", SCENARIOS)
def test_cash_is_conserved_to_the_fen_every_day(scenario_run, name):
    run = scenario_run(name)
    for snap, bal, came_in, paid_out in replay(run.events):
        for acct in INTERNAL:
            assert snap[f"{acct}_fen"] == bal[acct], (name, snap["date"], acct)
        assert sum(bal.values()) == came_in - paid_out, (name, snap["date"])
    fin = one(run.of("run_finished"))
    assert (fin["held_fen"], fin["total_in_fen"]) == (0, fin["total_out_fen"])


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_break_is_resolved_and_the_summary_says_how_long_it_stayed_open(scenario_run, name):
    run = scenario_run(name)
    logged = {e["break_id"]: e for e in run.of("reconciliation_break")}
    resolved = {e["break_id"]: e for e in run.of("reconciliation_break_resolved")}
    assert logged and set(resolved) == set(logged)
    summary = {b["break"]: b for b in run.summary["reconciliation"]["breaks"]}
    for bid, e in resolved.items():
        opened, closed = dt.date.fromisoformat(logged[bid]["date"]), dt.date.fromisoformat(e["date"])
        assert (e["days_open"], e["business_days_open"]) == (
            (closed - opened).days, CAL.business_days_between(opened, closed))
        assert (summary[bid]["opened"], summary[bid]["resolved"], summary[bid]["days_open"]) == (
            logged[bid]["date"], e["date"], e["days_open"])
