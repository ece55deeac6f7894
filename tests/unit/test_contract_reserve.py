"""The reserve arithmetic the trustee applies (trustsim.contract.reserve), worked by hand.

The illustrative static deal keeps a reserve account at 1.5% of the notes outstanding, never
below 300 万元 (300,000,000 fen), funded by its waterfalls' ``fund_account`` step ("6.1(4)")
after a ``release_account`` step ("6.1(0)") has put the balance into the available funds.
The required amount into the eligible investment [一.4.3] is Dongdao No. 3's rule.
"""

import datetime as dt
from pathlib import Path

import pytest

from trustsim.config import load_deal
from trustsim.contract.reserve import (
    account_shortfalls,
    account_target_fen,
    in_income_window,
    income_per_day,
    purchase_refused,
    top_up,
)

STATIC = Path(__file__).resolve().parents[2] / "configs" / "deals" / "static_consumer_2021_illustrative.yaml"


@pytest.fixture(scope="module")
def static():
    return load_deal(STATIC)


def test_reserve_target_is_1_5pct_of_the_notes_outstanding(static):
    account = static.accounts.reserves[0]
    # 1.5% of 40,000,000,007 fen = 600,000,000.105 -> 600,000,000
    assert account_target_fen(account, 40_000_000_007) == 600_000_000


def test_reserve_target_never_below_its_floor(static):
    account = static.accounts.reserves[0]
    # 1.5% of 10,000,000,000 fen is 150,000,000: the floor of 300 万元 stands
    assert account_target_fen(account, 10_000_000_000) == 300_000_000


def test_reserve_target_is_nothing_once_the_notes_are_repaid(static):
    assert account_target_fen(static.accounts.reserves[0], 0) == 0


def test_reserve_released_earlier_in_the_waterfall_is_funded_to_its_whole_target(static):
    steps = static.waterfalls["amortization"]   # 6.1(0) releases, 6.1(4) funds
    held = {"reserve_account": 550_000_000}
    assert account_shortfalls({r.name: r for r in static.accounts.reserves}, steps,
                              40_000_000_000, held) == {"reserve_account": 600_000_000}


def test_reserve_not_released_is_funded_by_what_it_lacks(static):
    steps = [a for a in static.waterfalls["amortization"] if a.key != "release_account"]
    accounts = {r.name: r for r in static.accounts.reserves}
    assert account_shortfalls(accounts, steps, 40_000_000_000,
                              {"reserve_account": 550_000_000}) == {"reserve_account": 50_000_000}
    # above its target: nothing to fund (never a negative claim)
    assert account_shortfalls(accounts, steps, 40_000_000_000,
                              {"reserve_account": 700_000_000}) == {"reserve_account": 0}


def test_required_amount_top_up_moves_what_is_short_from_the_free_cash():
    # required 1,000,000 fen, 300,000 reserved, 2,000,000 cash, 100,000 held for arrears
    assert top_up(1_000_000, 300_000, 2_000_000, 100_000) == (700_000, 0)


def test_required_amount_top_up_short_of_cash_moves_the_free_cash_and_stays_short():
    # 500,000 fen of cash, 100,000 of it held for a grace payment: 400,000 moves, 300,000 short
    assert top_up(1_000_000, 300_000, 500_000, 100_000) == (400_000, 300_000)


def test_required_amount_already_reserved_moves_nothing():
    assert top_up(1_000_000, 1_200_000, 5_000_000, 0) == (0, -200_000)
    # nothing free (cash all held for arrears): nothing moves, the whole gap stays short
    assert top_up(1_000_000, 0, 100_000, 100_000) == (0, 1_000_000)


def test_income_window_keeps_the_last_30_days_of_collections():
    today = dt.date(2021, 3, 31)
    assert in_income_window(dt.date(2021, 3, 1), today)        # 30 days before
    assert not in_income_window(dt.date(2021, 2, 28), today)   # 31 days before


def test_income_per_day_is_the_windows_income_over_the_days_it_spans_rounded_down():
    window = [(dt.date(2021, 3, 1), 100_000), (dt.date(2021, 3, 2), 50_001),
              (dt.date(2021, 3, 3), 0)]
    assert income_per_day(window) == 50_000            # 150,001 over 3 days, rounded down
    assert income_per_day([(dt.date(2021, 3, 1), 7)]) == 7   # one day
    assert income_per_day([]) == 0


def test_purchase_confirmed_in_revolving_once_reserved_within_the_free_cash():
    assert purchase_refused(True, True, 1_000_000, 1_000_000) is None


def test_purchase_refused_after_revolving_or_before_the_required_amount_is_reserved():
    assert purchase_refused(False, True, 1, 1_000_000) == "revolving period has ended"
    assert purchase_refused(True, False, 1, 1_000_000) == "required amount not yet reserved"


def test_purchase_refused_above_the_free_cash():
    assert purchase_refused(True, True, 1_000_001, 1_000_000) == \
        "price 1000001 fen exceeds free cash 1000000 fen"
