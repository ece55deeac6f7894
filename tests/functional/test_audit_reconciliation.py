"""The audit's reading of cash errors: every break found on its first statement, corrected in
full or escalated, and what each cost — and a forged log is caught.

The honest runs are bundled cash-error scenarios (Dongdao No. 3); each forgery edits a copy
of one's log (renumbering seq) the way a trustee hiding a break would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from audit_support import (
    DEAL_FILE,
    audit_of,
    cited,
    index_of,
    move_to_date,
    read_events,
    run_folder,
    write_run,
)

from trustsim.audit import load
from trustsim.audit.checks.reconciliation import break_table
from trustsim.config import load_deal
from trustsim.money import accrue
from trustsim.sim.runner import simulate

SHORT = "sweep_short_corrected"
PARTIAL = "partial_sweep_not_corrected_c"


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    return run_folder(tmp_path_factory, SHORT)


def _without(events, *names: str):
    return [e for e in events if e["event"] not in names]


def test_the_honest_run_lists_each_break_with_its_days_and_cost(short):
    report = audit_of(short)
    result = report.result("reconciliation_breaks")
    assert report.passed and result.status == "pass" and result.checked >= 2
    assert any(n.startswith("B0001 sweep_short (servicer): 150000000 fen, trust_account / "
                            "collection_account, opened 2021-03-01") and "open 3 days" in n
               and "the deal's limit 10 business days" in n for n in result.notes)


def test_a_break_the_trustee_did_not_log_is_caught_at_the_sweep_that_shows_it(short, tmp_path):
    events = read_events(short)
    swept = next(e for e in events if e["event"] == "collections_swept" and e["date"] == "2021-03-01")
    forged = _without(events, "reconciliation_break", "correction_requested",
                      "reconciliation_break_resolved")
    report = audit_of(write_run(short, tmp_path / "run", forged))
    result = report.result("reconciliation_breaks")
    assert result.status == "fail"
    assert swept["seq"] in cited(report, "reconciliation_breaks")
    assert "sweep_short of 150000000 fen shown by the statement of 2021-03-01; no break logged" in \
        result.findings[0].message
    # and what the sweep left at the servicer is late with nothing to excuse it
    assert report.result("sweep_by_next_business_day").status == "fail"


def test_a_break_logged_for_less_than_the_statement_shows_is_caught(short, tmp_path):
    events = read_events(short)
    i = index_of(events, lambda e: e["event"] == "reconciliation_break")
    events[i]["amount_fen"] -= 1
    report = audit_of(write_run(short, tmp_path / "run", events))
    assert report.result("reconciliation_breaks").status == "fail"
    assert i + 1 in cited(report, "reconciliation_breaks")


def test_a_break_logged_a_day_late_is_caught(short, tmp_path):
    events = read_events(short)
    i = index_of(events, lambda e: e["event"] == "reconciliation_break")
    k = move_to_date(events, i, dt.date(2021, 3, 2))
    report = audit_of(write_run(short, tmp_path / "run", events))
    result = report.result("reconciliation_breaks")
    assert result.status == "fail"
    assert k + 1 in cited(report, "reconciliation_breaks")
    assert any("the trustee logged B0001 on 2021-03-02" in f.message for f in result.findings)


def test_a_break_resolved_without_its_correction_is_caught(short, tmp_path):
    events = read_events(short)
    forged = _without(events, "sweep_corrected")
    report = audit_of(write_run(short, tmp_path / "run", forged))
    result = report.result("reconciliation_breaks")
    assert result.status == "fail"
    assert any("resolved, but corrected: 0 fen of its 150000000 fen" in f.message
               for f in result.findings)


def test_a_break_left_open_past_the_deal_s_limit_must_fire_its_clause(tmp_path_factory, tmp_path):
    run = run_folder(tmp_path_factory, PARTIAL)
    events = read_events(run)
    i = index_of(events, lambda e: e["event"] == "trigger_fired")
    fired = events.pop(i)
    report = audit_of(write_run(run, tmp_path / "run", events))
    result = report.result("triggers_on_first_day")
    assert result.status == "fail"
    assert any(f"acceleration (c) should have fired on {fired['date']} (break B0001 of the "
               f"servicer open 10 business days)" in f.message for f in result.findings)


def test_the_cost_of_a_break_is_the_interest_its_money_would_earn(tmp_path):
    """At a 2% deposit rate (the deal assumes 0%), 150万元 missing for 3 days costs
    150,000,000 x 2% x 3 / 365 fen."""
    deal = load_deal(DEAL_FILE, [SHORT],
                     {"accounts": {"eligible_investment_rate_pct": "2.00"}})
    simulate(deal, tmp_path / "run")
    row = next(r for r in break_table(load(tmp_path / "run")) if r["break"] == "B0001")
    assert (row["days_open"], row["interest_fen"], row["shortfall_fen"], row["loss_fen"]) == (
        3, accrue(150_000_000, Decimal("2.00"), 3, 365), 0, 0)
