"""When the trust ends and where what is left goes [一.4.2, 一.4.4(1)] (trustsim.contract.termination),
on Dongdao No. 3's terms: a clean-up call below 10% of the initial pool (assumed), event of
default (b) (``principal_default``), the sub taking the residual.
"""

import datetime as dt

from trustsim.contract.termination import (
    EXHAUSTED,
    REPAID,
    clean_up_due,
    ends_after_payment,
    liquidates,
    principal_default_fired,
    released_to,
    winds_up_after_legal_maturity,
)
from trustsim.contract.triggers import Fired

D = dt.date
INITIAL = 1_000_000_000_000        # 100 亿元 of initial pool, in fen
LEGAL = D(2024, 11, 18)


def test_clean_up_call_is_due_only_below_10pct_of_the_initial_pool(deal):
    call = deal.termination.clean_up_call
    assert clean_up_due(call, 99_999_999_999, INITIAL)
    assert not clean_up_due(call, 100_000_000_000, INITIAL)   # at 10% exactly: not below
    assert not clean_up_due(None, 1, INITIAL)                  # a deal with no call


def test_trust_ends_when_every_class_is_repaid():
    assert ends_after_payment([0, 0, 0], False, 5_000_000) == REPAID


def test_trust_ends_when_the_pool_is_exhausted_after_the_clean_up_call():
    assert ends_after_payment([0, 0, 3_000_000], True, 0) == EXHAUSTED
    assert ends_after_payment([0, 0, 3_000_000], False, 0) is None      # no call made
    assert ends_after_payment([0, 0, 3_000_000], True, 10_000) is None  # something is left


def test_event_of_default_b_winds_up_only_after_legal_maturity(deal):
    fired = [Fired("default", "b", D(2024, 12, 2), {}, name="principal_default")]
    other = [Fired("default", "a", D(2024, 12, 2), {}, name="senior_interest_default")]
    assert principal_default_fired(deal, fired)
    assert not principal_default_fired(deal, other)
    assert winds_up_after_legal_maturity(D(2024, 12, 3), LEGAL, True)
    assert not winds_up_after_legal_maturity(LEGAL, LEGAL, True)
    assert not winds_up_after_legal_maturity(D(2024, 12, 3), LEGAL, False)


def test_liquidation_sells_the_pool_only_after_default_with_a_class_unpaid():
    assert liquidates(True, [0, 2_000_000, 0], 7_000_000)
    assert not liquidates(False, [0, 2_000_000, 0], 7_000_000)   # no event of default
    assert not liquidates(True, [0, 0, 0], 7_000_000)            # every class repaid
    assert not liquidates(True, [0, 2_000_000, 0], 0)            # nothing left to sell


def test_what_is_left_goes_in_kind_to_the_residual_class_or_to_the_buyer():
    assert released_to("sub", sold=False) == "sub_noteholders (in kind)"
    assert released_to("sub", sold=True) == "liquidation_buyer (sold)"
