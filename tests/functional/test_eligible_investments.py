"""Eligible investment income [二.2(5), 一.4.3]: the reserve earns the configured rate until it matures.

The trustee puts the required amount into an eligible investment (a custodian deposit)
and redeems it on the next payment date with its income: simple interest at
``accounts.eligible_investment_rate_pct``, ACT/365F, half up, from the day it was invested. The
bundled deal assumes 0% (negative carry); 2% here so the income shows in the log.
"""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import DEAL_FILE, Run

from trustsim.config import load_deal
from trustsim.money import accrue

RATE = Decimal(2)


@pytest.fixture(scope="module")
def run():
    return Run(load_deal(DEAL_FILE, overrides={"accounts": {"eligible_investment_rate_pct": 2}}))


def holdings(run):
    """Each investment from its deposits to its maturity: (deposits [(date, fen)], maturity event, income)."""
    out, deposits, income = [], [], 0
    for e in run.of("instruction_executed"):
        if e["reason"] == "required amount into eligible investment":
            deposits.append((dt.date.fromisoformat(e["date"]), e["amount_fen"]))
        elif e["reason"] == "eligible investment income":
            income = e["amount_fen"]
        elif e["reason"] == "eligible investment matures":
            out.append((deposits, e, income))
            deposits, income = [], 0
    return out


def test_a_deposit_earns_the_rate_for_the_days_it_was_invested(run):
    single = [(d, m, i) for d, m, i in holdings(run) if len(d) == 1]
    assert len(single) >= 3
    for [(day, fen)], matured, income in single:
        days = (dt.date.fromisoformat(matured["date"]) - day).days
        assert income == accrue(fen, RATE, days, 365) > 0, matured["date"]


def test_the_investment_matures_whole_with_its_income_into_the_trust_account(run):
    for deposits, matured, income in holdings(run):
        assert (matured["debit"], matured["credit"]) == ("trust_account", "eligible_investments")
        assert matured["amount_fen"] == sum(fen for _, fen in deposits) + income
    income_in = [e for e in run.of("instruction_executed") if e["reason"] == "eligible investment income"]
    assert {(e["debit"], e["credit"]) for e in income_in} == {("eligible_investments", "investment_income")}


def test_money_added_to_an_investment_earns_only_from_the_day_it_was_added(run):
    """Each deposit earns from its own date: the balance earns for each stretch it was held
    (before this was fixed the whole balance earned from the first deposit's date)."""
    several = [(d, m, i) for d, m, i in holdings(run) if len(d) > 1]
    assert several
    for deposits, matured, income in several:
        expected, balance, since = 0, 0, None
        for day, fen in deposits:
            if since is not None:
                expected += accrue(balance, RATE, (day - since).days, 365)
            balance, since = balance + fen, day
        expected += accrue(balance, RATE, (dt.date.fromisoformat(matured["date"]) - since).days, 365)
        assert income == expected, matured["date"]
