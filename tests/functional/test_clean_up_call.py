"""The clean-up call (config ``termination.clean_up_call``, an ASSUMPTION the report does not name).

In amortization, on the first close with the pool below 10% of the initial cut-off balance,
the trustee notices the originator of the price: each status of the remaining pool at its
own percentage, half up; the originator repurchases the whole pool and pays that price
into the trust account the same day. Percentages here are changed from the bundled deal's
(100 / 0 / 0) so that every term of the price, and its rounding, counts.
"""

from decimal import Decimal

import pytest
from conftest import DEAL_FILE, Run

from trustsim.config import load_deal
from trustsim.money import round_fen

PRICES = {"price_pct_of_performing": "99.5", "price_pct_of_overdue": 50,
          "price_pct_of_non_performing": 10}


@pytest.fixture(scope="module")
def run():
    return Run(load_deal(DEAL_FILE, overrides={"termination": {"clean_up_call": PRICES}}))


def test_the_call_comes_on_the_first_close_below_10pct_of_the_initial_pool(run):
    notice = run.of("clean_up_call_noticed")
    assert len(notice) == 1
    initial = run.summary["pool"]["initial_fen"]
    assert notice[0]["pool_outstanding_fen"] * 100 < 10 * initial
    before = [e for e in run.of("day_closed") if e["date"] < notice[0]["date"]]
    assert before[-1]["period"] == "amortization"
    assert before[-1]["pool_outstanding_fen"] * 100 >= 10 * initial


def test_the_price_is_each_status_at_its_percentage_half_up(run):
    notice = run.of("clean_up_call_noticed")[0]
    bought = run.of("clean_up_repurchased")[0]
    perf, overdue, npl = bought["performing_fen"], bought["overdue_fen"], bought["non_performing_fen"]
    assert bought["principal_fen"] == perf + overdue + npl == notice["pool_outstanding_fen"]
    price = (round_fen(Decimal(perf) * Decimal("99.5") / 100)     # performing at 99.5%
             + round_fen(Decimal(overdue) * 50 / 100)             # overdue at 50%
             + round_fen(Decimal(npl) * 10 / 100))                # non-performing at 10%
    assert notice["price_fen"] == bought["price_fen"] == price
    # neither term is a round number of fen: the rounding is exercised on both
    assert (perf * 995) % 1000 and (npl * 10) % 100


def test_the_originator_pays_the_price_into_the_trust_account_the_same_day(run):
    bought = run.of("clean_up_repurchased")[0]
    paid = [e for e in run.of("transfer_received") if e["reason"] == "clean-up repurchase price"]
    assert [(e["date"], e["credit"], e["debit"], e["amount_fen"]) for e in paid] == [
        (bought["date"], "originator", "trust_account", bought["price_fen"])]
