"""The trustee's reconciliation rules (trustsim/contract/reconciliation.py), the
``unresolved_break`` trigger, and the cash-error incidents' terms.

One rule per test: what a statement's difference is, what the trustee holds apart, when a
break left open fires the deal's clause, and which incident terms are refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from support.deal_edits import DEAL, bundled

from trustsim.calendar import BusinessCalendar
from trustsim.config import ConfigError, load_deal
from trustsim.config.load import validate_deal
from trustsim.contract.reconciliation import (
    BreakBook,
    Finding,
    differences,
    explain_balance,
    explain_result,
)
from trustsim.contract.triggers import BreakUnresolved, DayFigures, build_triggers

CAL = BusinessCalendar(dt.date(2021, 1, 1), dt.date(2021, 12, 31))
D = dt.date(2021, 3, 1)   # a Monday


# ---------------------------------------------------------------- a statement against the book
def test_instructions_not_yet_executed_are_no_difference():
    # the book took 500 off the trust account for a purchase value-dated tomorrow
    bank, book = {"trust_account": 1_000, "eligible_investments": 0}, {"trust_account": 500,
                                                                       "eligible_investments": 0}
    assert differences(bank, book, [("originator", "trust_account", 500)], {}) == {}
    # a move between two of the trust's accounts counts on both sides
    book2 = {"trust_account": 700, "eligible_investments": 300}
    assert differences(bank, book2, [("eligible_investments", "trust_account", 300)], {}) == {}


def test_money_held_apart_is_no_difference_but_anything_else_is():
    bank, book = {"trust_account": 1_300}, {"trust_account": 1_000}
    assert differences(bank, book, [], {"trust_account": 300}) == {}
    assert differences(bank, book, [], {"trust_account": 200}) == {"trust_account": 100}
    assert differences({"trust_account": 900}, book, [], {}) == {"trust_account": -100}


def test_a_sweep_reported_that_did_not_arrive_in_full_is_the_servicer_s_short_sweep():
    f = explain_balance("trust_account", -40, [(D, 1_000)], "trust_account", "collection_account",
                        "servicer")
    assert (f.cause, f.party, f.counterparty, f.amount_fen, f.difference_fen, f.held_apart_fen) == (
        "sweep_short", "servicer", "collection_account", 40, -40, 0)
    assert "reported a sweep of 1000 fen" in f.explanation and "960 fen arrived" in f.explanation


def test_more_than_the_sweep_reported_is_held_apart_as_the_servicer_s_excess():
    f = explain_balance("trust_account", 25, [(D, 1_000)], "trust_account", "collection_account",
                        "servicer")
    assert (f.cause, f.party, f.amount_fen, f.held_apart_fen) == ("sweep_excess", "servicer", 25, 25)


def test_a_difference_no_sweep_explains_is_the_custodian_s():
    out = explain_balance("trust_account", -7, [], "trust_account", "collection_account", "servicer")
    assert (out.cause, out.party, out.held_apart_fen) == ("unexplained_debit", "custodian", 0)
    inn = explain_balance("eligible_investments", 7, [(D, 10)], "trust_account",
                          "collection_account", "servicer")
    assert (inn.cause, inn.party, inn.held_apart_fen) == ("unexplained_credit", "custodian", 7)


def test_an_instruction_result_unlike_the_instruction_is_a_break():
    assert explain_result("trust_account", "originator", 100, 100, "originator", "I1") is None
    wrong = explain_result("trust_account", "originator", 100, 100, "another_trust", "I1")
    assert (wrong.cause, wrong.counterparty, wrong.amount_fen, wrong.difference_fen) == (
        "instruction_misdirected", "another_trust", 100, 0)
    over = explain_result("trust_account", "originator", 100, 130, "originator", "I1")
    assert (over.cause, over.amount_fen, over.difference_fen, over.held_apart_fen) == (
        "instruction_overpaid", 30, -30, 0)
    under = explain_result("trust_account", "originator", 100, 60, "originator", "I1")
    assert (under.cause, under.amount_fen, under.difference_fen, under.held_apart_fen) == (
        "instruction_underpaid", 40, 40, 40)


# ---------------------------------------------------------------- the book of breaks
def _finding(cause: str, amount: int, held: int = 0) -> Finding:
    return Finding(cause, "trust_account", "x", amount, held or -amount, held, "")


def test_breaks_hold_apart_money_until_resolved_and_count_business_days_open():
    book = BreakBook()
    a = book.add(_finding("unidentified_receipt", 300, held=300), D, "credit_advice")
    b = book.add(_finding("sweep_short", 40), D, "balance_report", ref="2021-03-01")
    assert (a.id, b.id) == ("B0001", "B0002")
    assert book.held_apart() == {"trust_account": 300}
    friday = dt.date(2021, 3, 5)
    assert [(o.id, o.business_days_open) for o in book.at_close(CAL, friday)] == [("B0001", 4), ("B0002", 4)]
    book.resolve("B0001", dt.date(2021, 3, 8), CAL)
    assert book.held_apart() == {}
    rec = book.summary()[0]
    assert (rec["resolved"], rec["days_open"], rec["business_days_open"]) == ("2021-03-08", 7, 5)
    assert book.summary()[1]["resolved"] is None


def test_a_correction_that_takes_money_back_from_a_counterparty_is_recorded_as_reversed():
    book = BreakBook()
    book.add(Finding("instruction_misdirected", "trust_account", "another_trust", 90, 0, 0, ""),
             D, "instruction_result", instruction="I7")
    assert [b.id for b in book.of_instruction("I7")] == ["B0001"] and "I7" in book.named
    book.resolve("B0001", D, CAL)
    rec = book.summary()[0]
    assert (rec["reversed_fen"], rec["reversed_with"]) == (90, "another_trust")


# ---------------------------------------------------------------- the unresolved_break trigger
def _figures(d: dt.date, *breaks: Any) -> DayFigures:
    return DayFigures(d, True, 0, 1, 1, 1, "AAA", open_breaks=tuple(breaks))


def test_a_break_fires_the_trigger_at_the_close_its_business_days_reach_the_limit():
    from trustsim.contract.reconciliation import OpenBreak

    t = BreakUnresolved(kind="acceleration", clause="c", days=10, parties=("servicer",))
    assert t.observe(_figures(D, OpenBreak("B1", "servicer", D, 9, 5))) is None
    fired = t.observe(_figures(D, OpenBreak("B1", "servicer", D, 10, 5)))
    assert fired.figures == {"break_id": "B1", "party": "servicer", "opened": "2021-03-01",
                             "business_days_open": 10, "amount_fen": 5, "limit_business_days": 10}


def test_a_break_of_another_party_does_not_fire_it():
    from trustsim.contract.reconciliation import OpenBreak

    t = BreakUnresolved(kind="acceleration", clause="c", days=1, parties=("servicer",))
    assert t.observe(_figures(D, OpenBreak("B1", "custodian", D, 30, 5))) is None
    anyone = BreakUnresolved(kind="default", clause="x", days=1)
    assert anyone.observe(_figures(D, OpenBreak("B1", "custodian", D, 1, 5))) is not None


def test_the_deal_names_its_reconciliation_clauses():
    deal = load_deal(DEAL)
    mine = {t.name: t for t in build_triggers(deal) if isinstance(t, BreakUnresolved)}
    assert {n: (t.kind, t.clause, t.days, t.parties) for n, t in mine.items()} == {
        "sweep_break_not_corrected": ("acceleration", "c", 10, ("servicer",)),
        "custodian_break_not_corrected": ("default", "c", 20, ("custodian",))}


# ---------------------------------------------------------------- incident terms refused
def _refused(incident: dict[str, Any]) -> str:
    data = bundled()
    data["incidents"] = [incident]
    with pytest.raises(ConfigError) as err:
        validate_deal(data, "deal.yaml")
    return str(err.value)


def test_a_wrong_amount_of_zero_is_refused_naming_the_field():
    msg = _refused({"kind": "sweep_wrong_amount", "start": "2021-03-01", "error_cny": 0,
                    "corrected_after_business_days": 1})
    assert msg == ("deal.yaml: incidents[0].error_cny: 0 is no error; give more (positive) or "
                   "less (negative)")


def test_a_partial_sweep_of_100_percent_is_refused():
    msg = _refused({"kind": "partial_sweep", "start": "2021-03-01", "swept_pct": 100,
                    "corrected_after_business_days": 1})
    assert msg == "deal.yaml: incidents[0].swept_pct: Input should be less than 100"


def test_an_unresolved_break_for_an_unknown_party_is_refused():
    data = bundled()
    data["triggers"].append({"name": "x", "clause": "x", "kind": "unresolved_break",
                             "business_days": 5, "parties": ["originator"]})
    with pytest.raises(ConfigError) as err:
        validate_deal(data, "deal.yaml")
    assert "parties" in str(err.value)
